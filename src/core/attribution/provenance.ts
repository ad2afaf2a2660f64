import type { DataQuality } from '../quality/data-quality.js';

/**
 * Where a response's data came from: the contract's `data_source` values (docs/contract.md), plus `gateway_audit` for
 * the gateway's own audit trail (the one answer whose data never came from Alpaca).
 */
export type DataSource =
  | 'alpaca_real_time'
  | 'alpaca_options_real_time'
  | 'alpaca_options_chain'
  | 'alpaca_historical'
  | 'alpaca_options_contracts'
  | 'alpaca_trading'
  | 'alpaca_news'
  | 'alpaca_corporate_actions'
  | 'alpaca_screener'
  /** Alpaca's reference data: condition and exchange codes, assets, the trading calendar. */
  | 'alpaca_reference'
  | 'gateway_audit'
  /** The gateway's own record of trading halts (/admin/trading/halt). */
  | 'gateway_trading_halt';

/** `gateway`: the data is the gateway's own record (its audit store), not an upstream's. */
export type Provider = 'alpaca' | 'non_alpaca_host' | 'gateway';

/** STREAM: the latest value from Alpaca's stream, kept while the symbol is streamed (no upstream call). */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS' | 'STREAM';
export type MarketStatus = 'open' | 'closed' | 'unknown';

export interface CacheState {
  status: CacheStatus;
  /** Seconds since the data was fetched from Alpaca (0 for a fresh fetch). */
  ageSeconds: number;
  /** Seconds a client may reuse this answer; null when it must not be stored. */
  maxAgeSeconds: number | null;
}

/** Read from the source on every request and never to be stored downstream (trading, audit). */
export const NEVER_CACHED: CacheState = { status: 'BYPASS', ageSeconds: 0, maxAgeSeconds: null };

/** Stamped by the adapter (Alpaca's, or the audit store's owner) on what it returns; lifted into `metadata` by the interceptor. */
export interface Provenance {
  dataSource: DataSource;
  provider: Provider;
  /** Host the data came from (so emulated data is never mistaken for Alpaca's); for `gateway`, the store. */
  providerHost: string;
  feed: string | null;
  /** Newest upstream timestamp in the data, exactly as Alpaca wrote it; null when the data has none. */
  dataTimestamp: string | null;
  /** Alpaca's X-Request-ID for the call(s) behind this answer, for support tickets. */
  upstreamRequestIds: string[];
  fetchedAt: number;
  /** Trading data only: whether it came from Alpaca's paper or live account. */
  tradingMode?: 'paper' | 'live' | 'non_alpaca_host';
  /** Trading data only: the gateway's name of the Alpaca account it came from (`metadata.account`). */
  account?: string;
  /** Market data only: what the meaning checks found, computed once when the value was fetched. */
  quality?: DataQuality;
}

/** A handler's successful result: data plus its provenance. The interceptor renders it. */
export class Attributed<T> {
  constructor(
    readonly data: T,
    readonly provenance: Provenance,
    readonly cache: CacheState,
    readonly marketStatus: MarketStatus | null,
    /** Trading data must never be stored by clients or proxies. */
    readonly noStore = false,
  ) {}
}
