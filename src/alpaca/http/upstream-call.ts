/** What a call to Alpaca takes and gives back, as AlpacaHttpClient's `get` and `send` make it. */

import type { Span } from '@opentelemetry/api';
import type { ErrorCode } from '../../core/errors/error-catalog.js';
import type { CallPriority } from './resilience/upstream-budget.js';

/** Query values; undefined members are left out (never sent as "undefined" or "null"). */
export type Query = Record<string, string | number | boolean | undefined>;

export interface UpstreamResponse<T> {
  body: T;
  /** Alpaca's X-Request-ID, for support tickets. */
  requestId: string | null;
  fetchedAt: number;
}

export interface GetOptions<T> {
  /** Template for logs and errors (no symbols): e.g. `/v2/stocks/quotes/latest`. */
  endpoint: string;
  query?: Query;
  parse: (body: unknown) => T;
  /** What a 404 means on this endpoint (order, position…); by default an unexpected answer. */
  notFoundCode?: ErrorCode;
  /** Budget class; default: `quote` on the data host, `trading_read` on the trading host. */
  priority?: CallPriority;
}

export interface SendOptions<T> extends GetOptions<T> {
  method: 'POST' | 'DELETE' | 'PATCH';
  body?: unknown;
  /** A 2xx may come without a body (documented so for this endpoint): parsed as null, not refused. */
  emptyBody?: boolean;
}

/** One attempt as `request` sends it: its time, the read deadline's signal, its span and number. */
export interface AttemptCall {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  span: Span | null;
  attempt: number;
}

export function buildQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
