import type { DataSource } from '../../core/attribution/provenance.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { ErrorCode } from '../../core/errors/error-catalog.js';
import {
  flagSet,
  stockSnapshotFlags,
  type QualityChecks,
  type QualityFlag,
  type QualityMoment,
} from '../../core/quality/data-quality.js';
import type { Bar, StockQuote, StockSnapshot, StockTrade } from '../stocks/market-data.models.js';
import type {
  Asset,
  CalendarDay,
  CodeMap,
  CorporateActionsPage,
  DailyAuctions,
  ListPage,
  MostActives,
  Movers,
  NewsArticle,
  SymbolPage,
  SymbolRecord,
} from './market-reference.models.js';
import {
  barItem,
  type Item,
  dailyAuctionsItem,
  optionQuoteItem,
  optionTradeItem,
  readAsset,
  readAssets,
  readCalendar,
  readCodeMap,
  readCorporateActionsPage,
  readMostActives,
  readMovers,
  readNewsPage,
  stockQuoteItem,
  stockTradeItem,
  symbolPageReader,
  symbolRecordReader,
} from './market-reference.mapper.js';
import type { OptionQuote, OptionTrade } from '../options/options.models.js';
import type { CallPriority } from '../http/resilience/upstream-budget.js';
import { snapshotTimestamps, toStockSnapshot } from '../stocks/stock.mapper.js';
import type { UpstreamApi } from '../http/upstream.error.js';
import { parseStockSnapshots } from '../stocks/stock-wire-parsers.js';

/** Which feed an operation is asked for: the configured stock or options feed, a fixed one, or none. */
export type FeedChoice = 'stock' | 'options' | 'sip' | null;

/**
 * One Alpaca operation the gateway passes through: where it lives (host and OpenAPI path
 * template), what it is (data_source, feed, budget class) and how its answer is read (shape check
 * and mapping onto our model). Features name operations; wire types and mappers stay in here.
 */
export interface UpstreamOperation<T> {
  /** Alpaca's operationId, as in its OpenAPI spec. */
  readonly id: string;
  readonly api: UpstreamApi;
  /** OpenAPI path template: `{name}` parts are filled from the call's path values. */
  readonly path: string;
  readonly dataSource: DataSource;
  readonly feed: FeedChoice;
  readonly priority: CallPriority;
  /** What a 404 from Alpaca means here (an unknown asset); by default an unexpected answer. */
  readonly notFoundCode?: ErrorCode;
  readonly read: (body: unknown) => T;
  /** Upstream timestamps in the answer; the newest becomes `metadata.data_timestamp`. */
  readonly timestamps: (value: T) => string[];
  /** Market data only: the meaning checks, per symbol (`metadata.data_quality`); absent for reference data. */
  readonly quality?: (value: T, checks: QualityChecks, at: QualityMoment) => Record<string, QualityFlag[]>;
}

type ItemCheck<T> = (item: T, checks: QualityChecks, at: QualityMoment) => QualityFlag[];
const quoteCheck: ItemCheck<StockQuote | OptionQuote> = (q, c, at) => c.quote(q, at);
const tradeCheck: ItemCheck<StockTrade | OptionTrade> = (t, c, at) => c.trade(t, at);
const barCheck: ItemCheck<Bar> = (b, c, at) => c.bar(b, at);

/** The feed name an operation is asked for under this configuration (also what metadata.feed says). */
export function feedFor(op: Pick<UpstreamOperation<unknown>, 'feed'>, config: AppConfig): string | null {
  if (op.feed === 'stock') return config.alpaca.stockFeed;
  if (op.feed === 'options') return config.alpaca.optionsFeed;
  return op.feed;
}

const none = (): string[] => [];
const pageStamps =
  <T>(stamp: (item: T) => string) =>
  (page: SymbolPage<T>): string[] =>
    Object.values(page.by_symbol).flatMap((items) => items.map(stamp));
const recordStamps =
  <T>(stamp: (item: T) => string[]) =>
  (record: SymbolRecord<T>): string[] =>
    Object.values(record).flatMap(stamp);

function history<T>(
  id: string,
  path: string,
  key: string,
  read: Item<T>,
  stamp: (item: T) => string,
  feed: FeedChoice,
  check?: ItemCheck<T>,
): UpstreamOperation<SymbolPage<T>> {
  // History is old by nature: only prices, sizes and future timestamps are flagged, never staleness.
  const quality =
    check === undefined
      ? undefined
      : (page: SymbolPage<T>, c: QualityChecks, at: QualityMoment): Record<string, QualityFlag[]> =>
          Object.fromEntries(
            Object.entries(page.by_symbol).map(([symbol, items]) => [
              symbol,
              flagSet(...items.map((i) => check(i, c, { ...at, marketOpen: false }))),
            ]),
          );
  return {
    id,
    api: 'data',
    path,
    dataSource: 'alpaca_historical',
    feed,
    priority: 'bulk',
    read: symbolPageReader(key, read),
    timestamps: pageStamps(stamp),
    quality,
  };
}

function latest<T>(
  id: string,
  path: string,
  key: string,
  dataSource: DataSource,
  feed: FeedChoice,
  read: Item<T>,
  stamp: (item: T) => string[],
  check: ItemCheck<T>,
): UpstreamOperation<SymbolRecord<T>> {
  const quality = (record: SymbolRecord<T>, c: QualityChecks, at: QualityMoment): Record<string, QualityFlag[]> =>
    Object.fromEntries(Object.entries(record).map(([symbol, item]) => [symbol, flagSet(check(item, c, at))]));
  return {
    id,
    api: 'data',
    path,
    dataSource,
    feed,
    priority: 'quote',
    read: symbolRecordReader(key, read),
    timestamps: recordStamps(stamp),
    quality,
  };
}

function codes(id: string, path: string): UpstreamOperation<CodeMap> {
  return {
    id,
    api: 'data',
    path,
    dataSource: 'alpaca_reference',
    feed: null,
    priority: 'bulk',
    read: readCodeMap,
    timestamps: none,
  };
}

/**
 * The pass-through operations, by name. Multi-symbol endpoints are used even for one symbol (as
 * for quotes and bars): Alpaca's single-symbol forms answer the same data.
 */
export const MARKET_OPERATIONS = {
  /** Multi-symbol bars (the Alpaca-compatible face's `/v2/stocks/bars` with several symbols; one symbol goes through StockBarsService). */
  stockBars: history<Bar>('StockBars', '/v2/stocks/bars', 'bars', barItem, (b) => b.timestamp, 'stock', barCheck),
  stockQuotes: history<StockQuote>(
    'StockQuotes',
    '/v2/stocks/quotes',
    'quotes',
    stockQuoteItem,
    (q) => q.timestamp,
    'stock',
    quoteCheck,
  ),
  stockTrades: history<StockTrade>(
    'StockTrades',
    '/v2/stocks/trades',
    'trades',
    stockTradeItem,
    (t) => t.timestamp,
    'stock',
    tradeCheck,
  ),
  /** Auctions exist on SIP only (MD-SPEC `stock_auction_feed`). */
  stockAuctions: history<DailyAuctions>(
    'StockAuctions',
    '/v2/stocks/auctions',
    'auctions',
    dailyAuctionsItem,
    (d) => d.date,
    'sip',
  ),
  stockLatestBars: latest<Bar>(
    'StockLatestBars',
    '/v2/stocks/bars/latest',
    'bars',
    'alpaca_real_time',
    'stock',
    barItem,
    (b) => [b.timestamp],
    barCheck,
  ),
  stockLatestTrades: latest<StockTrade>(
    'StockLatestTrades',
    '/v2/stocks/trades/latest',
    'trades',
    'alpaca_real_time',
    'stock',
    stockTradeItem,
    (t) => [t.timestamp],
    tradeCheck,
  ),
  stockSnapshots: {
    id: 'StockSnapshots',
    api: 'data',
    path: '/v2/stocks/snapshots',
    dataSource: 'alpaca_real_time',
    feed: 'stock',
    priority: 'quote',
    // A null member means Alpaca knows nothing of the symbol: it is left out like an absent one.
    read: (body: unknown): SymbolRecord<StockSnapshot> =>
      Object.fromEntries(
        Object.entries(parseStockSnapshots(body)).flatMap(([s, w]) => (w === null ? [] : [[s, toStockSnapshot(w)]])),
      ),
    timestamps: recordStamps(snapshotTimestamps),
    quality: (
      record: SymbolRecord<StockSnapshot>,
      c: QualityChecks,
      at: QualityMoment,
    ): Record<string, QualityFlag[]> =>
      Object.fromEntries(Object.entries(record).map(([symbol, s]) => [symbol, flagSet(stockSnapshotFlags(c, s, at))])),
  } satisfies UpstreamOperation<SymbolRecord<StockSnapshot>>,
  stockConditions: codes('StockMetaConditions', '/v2/stocks/meta/conditions/{ticktype}'),
  stockExchanges: codes('StockMetaExchanges', '/v2/stocks/meta/exchanges'),

  optionBars: history<Bar>('optionBars', '/v1beta1/options/bars', 'bars', barItem, (b) => b.timestamp, null, barCheck),
  optionTrades: history<OptionTrade>(
    'OptionTrades',
    '/v1beta1/options/trades',
    'trades',
    optionTradeItem,
    (t) => t.timestamp,
    null,
    tradeCheck,
  ),
  optionLatestQuotes: latest<OptionQuote>(
    'OptionLatestQuotes',
    '/v1beta1/options/quotes/latest',
    'quotes',
    'alpaca_options_real_time',
    'options',
    optionQuoteItem,
    (q) => [q.timestamp],
    quoteCheck,
  ),
  optionLatestTrades: latest<OptionTrade>(
    'OptionLatestTrades',
    '/v1beta1/options/trades/latest',
    'trades',
    'alpaca_options_real_time',
    'options',
    optionTradeItem,
    (t) => [t.timestamp],
    tradeCheck,
  ),
  optionConditions: codes('OptionMetaConditions', '/v1beta1/options/meta/conditions/{ticktype}'),
  optionExchanges: codes('OptionMetaExchanges', '/v1beta1/options/meta/exchanges'),

  news: {
    id: 'News',
    api: 'data',
    path: '/v1beta1/news',
    dataSource: 'alpaca_news',
    feed: null,
    priority: 'bulk',
    read: readNewsPage,
    timestamps: (page: ListPage<NewsArticle>) => page.items.map((a) => a.updated_at),
  } satisfies UpstreamOperation<ListPage<NewsArticle>>,
  corporateActions: {
    id: 'CorporateActions',
    api: 'data',
    path: '/v1/corporate-actions',
    dataSource: 'alpaca_corporate_actions',
    feed: null,
    priority: 'bulk',
    read: readCorporateActionsPage,
    timestamps: none,
  } satisfies UpstreamOperation<CorporateActionsPage>,
  mostActives: {
    id: 'MostActives',
    api: 'data',
    path: '/v1beta1/screener/stocks/most-actives',
    dataSource: 'alpaca_screener',
    feed: null,
    priority: 'quote',
    read: readMostActives,
    timestamps: (m: MostActives) => [m.last_updated],
  } satisfies UpstreamOperation<MostActives>,
  movers: {
    id: 'Movers',
    api: 'data',
    path: '/v1beta1/screener/{market_type}/movers',
    dataSource: 'alpaca_screener',
    feed: null,
    priority: 'quote',
    read: readMovers,
    timestamps: (m: Movers) => [m.last_updated],
  } satisfies UpstreamOperation<Movers>,

  assets: {
    id: 'get-v2-assets',
    api: 'trading',
    path: '/v2/assets',
    dataSource: 'alpaca_reference',
    feed: null,
    priority: 'bulk',
    read: readAssets,
    timestamps: none,
  } satisfies UpstreamOperation<Asset[]>,
  asset: {
    id: 'get-v2-assets-symbol_or_asset_id',
    api: 'trading',
    path: '/v2/assets/{symbol_or_asset_id}',
    dataSource: 'alpaca_reference',
    feed: null,
    priority: 'trading_read',
    notFoundCode: 'SYMBOL_NOT_FOUND',
    read: readAsset,
    timestamps: none,
  } satisfies UpstreamOperation<Asset>,
  calendar: {
    id: 'LegacyCalendar',
    api: 'trading',
    path: '/v2/calendar',
    dataSource: 'alpaca_reference',
    feed: null,
    priority: 'trading_read',
    read: readCalendar,
    timestamps: none,
  } satisfies UpstreamOperation<CalendarDay[]>,
} as const;
export { CORPORATE_ACTION_TYPES } from './market-reference.mapper.js';
