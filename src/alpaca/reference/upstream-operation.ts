import type { DataSource } from '../../core/attribution/provenance.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { ErrorCode } from '../../core/errors/error-catalog.js';
import { flagSet, type QualityChecks, type QualityFlag, type QualityMoment } from '../../core/quality/data-quality.js';
import type { Bar, StockQuote, StockTrade } from '../stocks/market-data.models.js';
import type { CodeMap, SymbolPage, SymbolRecord } from './market-reference.models.js';
import { type Item, readCodeMap, symbolPageReader, symbolRecordReader } from './market-reference.mapper.js';
import type { OptionQuote, OptionTrade } from '../options/options.models.js';
import type { CallPriority } from '../http/resilience/upstream-budget.js';
import type { UpstreamApi } from '../http/upstream.error.js';

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

export type ItemCheck<T> = (item: T, checks: QualityChecks, at: QualityMoment) => QualityFlag[];
export const quoteCheck: ItemCheck<StockQuote | OptionQuote> = (q, c, at) => c.quote(q, at);
export const tradeCheck: ItemCheck<StockTrade | OptionTrade> = (t, c, at) => c.trade(t, at);
export const barCheck: ItemCheck<Bar> = (b, c, at) => c.bar(b, at);

/** The feed name an operation is asked for under this configuration (also what metadata.feed says). */
export function feedFor(op: Pick<UpstreamOperation<unknown>, 'feed'>, config: AppConfig): string | null {
  if (op.feed === 'stock') return config.alpaca.stockFeed;
  if (op.feed === 'options') return config.alpaca.optionsFeed;
  return op.feed;
}

export const none = (): string[] => [];
const pageStamps =
  <T>(stamp: (item: T) => string) =>
  (page: SymbolPage<T>): string[] =>
    Object.values(page.by_symbol).flatMap((items) => items.map(stamp));
export const recordStamps =
  <T>(stamp: (item: T) => string[]) =>
  (record: SymbolRecord<T>): string[] =>
    Object.values(record).flatMap(stamp);

export function history<T>(
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

export function latest<T>(
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

export function codes(id: string, path: string): UpstreamOperation<CodeMap> {
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
