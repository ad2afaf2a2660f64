import type { Sourced } from '../stocks/market-data.port.js';
import type { UpstreamOperation } from './market-operations.js';

/** Query values of an upstream call; undefined members are left out (never sent as "undefined"). */
export type UpstreamQuery = Record<string, string | number | boolean | undefined>;

/** The values of one call of an operation: its path template's parts and its query. */
export interface UpstreamCall {
  path?: Record<string, string>;
  query?: UpstreamQuery;
}

/**
 * The port features use for the pass-through operations (MARKET_OPERATIONS): one Alpaca call,
 * through the host's circuit breaker and budget, its answer checked and mapped, with provenance.
 * The operation's feed (when it has one) is added to the query here, from configuration.
 */
export abstract class PassThroughPort {
  abstract call<T>(operation: UpstreamOperation<T>, call: UpstreamCall): Promise<Sourced<T>>;
}
