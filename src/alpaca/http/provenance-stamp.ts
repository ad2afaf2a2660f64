import type { DataSource, Provenance } from '../../core/attribution/provenance.js';
import { newestTimestamp } from '../../core/attribution/timestamps.js';
import type { AlpacaAccount, AppConfig } from '../../core/config/app-config.js';
import type { UpstreamResponse } from './upstream-call.js';
import type { UpstreamApi } from './upstream.error.js';

export interface StampArgs {
  dataSource: DataSource;
  /** Which Alpaca host answered: decides provider and provider_host. */
  api: UpstreamApi;
  responses: Array<UpstreamResponse<unknown>>;
  /** Upstream timestamps in the data; the newest becomes `data_timestamp`. */
  timestamps: string[];
  feed: string | null;
  /** The account whose trading host answered (default: the data account's). */
  account?: AlpacaAccount;
}

/** The provenance every gateway stamps on what it returns, built the same way for both hosts. */
export function stampProvenance(config: AppConfig, args: StampArgs): Provenance {
  const { alpaca } = config;
  const trading = args.api === 'trading';
  const account = args.account ?? config.accounts.data;
  return {
    dataSource: args.dataSource,
    provider: trading ? (account.tradingMode === 'non_alpaca_host' ? 'non_alpaca_host' : 'alpaca') : alpaca.provider,
    providerHost: trading ? account.tradingHost : alpaca.dataHost,
    feed: args.feed,
    dataTimestamp: newestTimestamp(args.timestamps),
    upstreamRequestIds: args.responses.map((r) => r.requestId).filter((id): id is string => id !== null),
    fetchedAt: Math.min(...args.responses.map((r) => r.fetchedAt)),
  };
}

/** Splits `items` into runs of at most `size` (Alpaca's per-call symbol limits). */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
