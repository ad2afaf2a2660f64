/**
 * How one upstream call ended, from the transport's point of view. A small closed set, so it can
 * be a metric label: `success` (2xx), `rate_limited` (429), `client_error` (other 4xx),
 * `server_error` (5xx and anything else unexpected), `timeout`, `network_error`.
 */
export type UpstreamOutcome =
  'success' | 'rate_limited' | 'client_error' | 'server_error' | 'timeout' | 'network_error';

/** One finished call to Alpaca, as the HTTP adapter saw it. */
export interface UpstreamCall {
  /** Which Alpaca host: `data` or `trading`. */
  api: string;
  /** The endpoint template the adapter names in logs (`/v2/stocks/quotes/latest`), never a path with a symbol. */
  endpoint: string;
  outcome: UpstreamOutcome;
  durationMs: number;
  /** Alpaca's `X-RateLimit-Remaining` when the answer carried one. */
  rateLimitRemaining: number | null;
  /** The account whose keys made the call (the data account for the data host). */
  account: string;
}

/** Maps an HTTP status Alpaca answered with onto an outcome. */
export function outcomeForStatus(status: number): UpstreamOutcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'client_error';
  return 'server_error';
}

/** Parses `X-RateLimit-Remaining`; anything but a plain non-negative integer is ignored. */
export function parseRateLimitRemaining(header: string | undefined): number | null {
  if (header === undefined || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim());
}

/**
 * Port through which the Alpaca HTTP adapter reports every call it made, so the adapter never
 * imports a metrics library. Bound globally to the Prometheus implementation (GatewayMetrics);
 * clients built outside Nest fall back to NO_UPSTREAM_OBSERVER.
 */
export abstract class UpstreamObserver {
  abstract observeUpstreamCall(call: UpstreamCall): void;

  /** A host's circuit breaker changed state (closed, half_open, open). */
  observeCircuitState(api: string, state: 'closed' | 'half_open' | 'open', account: string): void {
    // Default: nothing to record (unit tests, scripts); the arguments are for overriders.
    void api;
    void state;
    void account;
  }

  /** An upstream call the budget refused before anything was sent (`budget`: gateway_bucket|alpaca_window). */
  observeBudgetRefusal(api: string, budget: string, priority: string, account: string): void {
    // Default: nothing to record (unit tests, scripts); the arguments are for overriders.
    void api;
    void budget;
    void priority;
    void account;
  }
}

class NoUpstreamObserver extends UpstreamObserver {
  observeUpstreamCall(): void {
    // Deliberately nothing: used where no metrics are collected (unit tests, scripts).
  }
}

export const NO_UPSTREAM_OBSERVER: UpstreamObserver = new NoUpstreamObserver();
