import {
  flagSet,
  stockSnapshotFlags,
  type QualityChecks,
  type QualityFlag,
  type QualityMoment,
} from '../../core/quality/data-quality.js';
import type { Bar, StockQuote, StockSnapshot, StockTrade } from '../stocks/market-data.models.js';
import type { DailyAuctions, SymbolRecord } from './market-reference.models.js';
import { barItem, dailyAuctionsItem, stockQuoteItem, stockTradeItem } from './market-reference.mapper.js';
import { snapshotTimestamps, toStockSnapshot } from '../stocks/stock.mapper.js';
import { parseStockSnapshots } from '../stocks/stock-wire-parsers.js';
import {
  barCheck,
  codes,
  history,
  latest,
  quoteCheck,
  recordStamps,
  tradeCheck,
  type UpstreamOperation,
} from './upstream-operation.js';

/** The stock market-data operations of MARKET_OPERATIONS (market-operations.ts), in its order. */
export const STOCK_OPERATIONS = {
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
} as const;
