import type { ErrorCode } from '../../core/errors/error-catalog.js';
import type { WireError } from '../stocks/stock-wire.types.js';
import type { UpstreamApi, UpstreamFailure } from './upstream.error.js';

export type HeaderBag = Record<string, string | undefined>;

const MS_PER_SECOND = 1000;
/** Cap on how long we tell clients to wait, whatever a header says. */
const MAX_RETRY_AFTER_SECONDS = 3600;

/** Reads Alpaca's `{code?, message?}` leniently; 429 bodies may be empty or not JSON. */
export function parseWireError(raw: string): WireError {
  try {
    const v: unknown = JSON.parse(raw);
    if (v === null || typeof v !== 'object') return {};
    const o = v as Record<string, unknown>;
    const code = typeof o['code'] === 'number' || typeof o['code'] === 'string' ? o['code'] : undefined;
    const message = typeof o['message'] === 'string' ? o['message'] : undefined;
    return { code, message };
  } catch {
    // Not JSON (an HTML error page, an empty 429): there is simply no Alpaca message to report.
    return raw.trim() === '' ? {} : { message: raw.trim().slice(0, 200) };
  }
}

/**
 * Seconds to wait, from `Retry-After` (seconds or HTTP date) or else `X-RateLimit-Reset` (epoch s).
 * `now` defaults to system time on purpose: Alpaca's instants are real time, whatever the gateway's Clock says.
 */
export function retryAfterSeconds(headers: HeaderBag, now = Date.now()): number | null {
  const clamp = (s: number): number => Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(s)));
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return clamp(Number(retryAfter));
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return clamp((at - now) / MS_PER_SECOND);
  }
  const reset = headers['x-ratelimit-reset'];
  if (reset !== undefined && /^\d+$/.test(reset.trim())) return clamp(Number(reset) - now / MS_PER_SECOND);
  return null;
}

const SUBSCRIPTION_MESSAGE = /subscription|not entitled|permit/i;

function codeForStatus(status: number, message: string | undefined, orderWrite: boolean): ErrorCode {
  if (status === 429) return 'UPSTREAM_RATE_LIMITED';
  if (status === 401) return 'UPSTREAM_AUTHENTICATION_FAILED';
  if (status === 403) {
    // Alpaca refusing an order (buying power, quantity, not cancelable): only a write can be that.
    if (orderWrite) return 'ORDER_REJECTED';
    // A read's 403, on either host, is a missing plan or refused credentials (docs/alpaca-wire.md "REST refusals").
    if (message !== undefined && SUBSCRIPTION_MESSAGE.test(message)) return 'UPSTREAM_SUBSCRIPTION_REQUIRED';
    return 'UPSTREAM_AUTHENTICATION_FAILED';
  }
  if (status === 400 || status === 422) return 'INVALID_PARAMETER';
  if (status >= 500) return 'UPSTREAM_API_UNAVAILABLE';
  return 'UPSTREAM_INVALID_RESPONSE';
}

/** Maps a non-2xx Alpaca answer onto the catalog. Features may refine 404s (order, position). */
export function failureFromResponse(args: {
  api: UpstreamApi;
  endpoint: string;
  /** The request's HTTP method: on the trading host every write is an order write (submit, replace, cancel, close, exercise). */
  method: string;
  status: number;
  headers: HeaderBag;
  body: string;
}): UpstreamFailure {
  const wire = parseWireError(args.body);
  const code = codeForStatus(args.status, wire.message, args.api === 'trading' && args.method.toUpperCase() !== 'GET');
  const failure: UpstreamFailure = {
    code,
    api: args.api,
    endpoint: args.endpoint,
    upstreamStatus: args.status,
    upstreamCode: wire.code ?? null,
    upstreamMessage: wire.message ?? null,
    upstreamRequestId: args.headers['x-request-id'] ?? null,
    retryAfter: code === 'UPSTREAM_RATE_LIMITED' || args.status >= 500 ? retryAfterSeconds(args.headers) : null,
  };
  if (code === 'INVALID_PARAMETER' && wire.message !== undefined) {
    failure.message = `Alpaca rejected the request: ${wire.message}`;
  }
  if (code === 'UPSTREAM_RATE_LIMITED' && failure.retryAfter === null) {
    // Alpaca's window is one minute; with no header, waiting a full window is the safe answer.
    failure.retryAfter = 60;
  }
  return failure;
}
