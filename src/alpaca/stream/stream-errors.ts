/**
 * What each of Alpaca's stream error codes (docs/alpaca-wire.md "Stream errors") and upgrade refusals means for
 * the client: reconnect (with which backoff), give up until the long retry, or refuse only the
 * subscription change in flight while the socket stays up.
 */
import type { UpstreamStreamProblem } from './market-stream.port.js';
import type { StreamRetryReason } from './stream-observer.js';

export type ProblemCode = UpstreamStreamProblem['code'];

/** Why a socket is being ended, decided once (the first cause wins). */
export interface Interruption {
  reason: StreamRetryReason;
  /** `connection_limit`: the slow 406/429 curve; `reconnect`: the quick one. Unused when fatal. */
  backoff: 'reconnect' | 'connection_limit';
  /** Set for refusals retrying cannot fix: status `failed` with this catalog code. */
  fatal?: ProblemCode;
  /** Send a close frame first (the socket is healthy enough to carry one). */
  clean: boolean;
  retryAfterMs?: number;
  upstreamCode?: number;
  upstreamMessage?: string;
}

export type ErrorVerdict =
  | { kind: 'interrupt'; interruption: Interruption }
  /** 400, 405, 410, 413 while a change is in flight: that change was rejected whole (docs/alpaca-wire.md "Stream errors"), the socket stays. */
  | { kind: 'refusal' }
  /** 403: a second auth on an authenticated session; C# treats it as authorized (docs/alpaca-wire.md "Stream errors"). */
  | { kind: 'already_authenticated' };

const REFUSALS: ReadonlySet<number> = new Set([400, 405, 410, 413]);

function fatal(
  reason: StreamRetryReason,
  code: ProblemCode,
  upstreamCode: number,
  upstreamMessage: string,
): ErrorVerdict {
  return {
    kind: 'interrupt',
    interruption: { reason, backoff: 'reconnect', fatal: code, clean: true, upstreamCode, upstreamMessage },
  };
}

export function verdictForError(code: number, msg: string): ErrorVerdict {
  if (REFUSALS.has(code)) return { kind: 'refusal' };
  switch (code) {
    case 403:
      return { kind: 'already_authenticated' };
    case 402:
    case 411:
      return fatal('auth_failed', 'UPSTREAM_AUTHENTICATION_FAILED', code, msg);
    case 409:
      return fatal('subscription_required', 'UPSTREAM_SUBSCRIPTION_REQUIRED', code, msg);
    case 408:
    case 412:
      return fatal('stream_unavailable', 'UPSTREAM_STREAM_UNAVAILABLE', code, msg);
    case 406:
      return {
        kind: 'interrupt',
        interruption: {
          reason: 'connection_limit',
          backoff: 'connection_limit',
          clean: true,
          upstreamCode: code,
          upstreamMessage: msg,
        },
      };
    default:
      // 500 internal error, 407 slow client, 404 auth timeout, 401, and codes Alpaca adds later.
      return {
        kind: 'interrupt',
        interruption: {
          reason: 'upstream_error',
          backoff: 'reconnect',
          clean: true,
          upstreamCode: code,
          upstreamMessage: msg,
        },
      };
  }
}

/** An HTTP status in place of the 101 (docs/alpaca-wire.md "Stream errors"): 429 and 5xx are retried; any other answer is fatal (Go: any 4xx). */
export function interruptionForUpgrade(status: number, retryAfterMs: number | undefined): Interruption {
  const base = { clean: false, upstreamCode: status, upstreamMessage: `HTTP ${status} at the upgrade`, retryAfterMs };
  if (status === 429) return { ...base, reason: 'upgrade_rate_limited', backoff: 'connection_limit' };
  if (status >= 500) return { ...base, reason: 'upgrade_server_error', backoff: 'reconnect' };
  return { ...base, reason: 'stream_unavailable', backoff: 'reconnect', fatal: 'UPSTREAM_STREAM_UNAVAILABLE' };
}

const PROBLEM_MESSAGES: Readonly<Record<ProblemCode, string>> = {
  UPSTREAM_AUTHENTICATION_FAILED: "Alpaca refused the gateway's credentials on the market-data stream.",
  UPSTREAM_SUBSCRIPTION_REQUIRED: "The gateway's Alpaca plan does not include this stream's feed.",
  UPSTREAM_STREAM_UNAVAILABLE: "Alpaca's market-data stream refused the connection.",
  STREAM_SYMBOL_LIMIT: 'The subscription would exceed the symbol limit; nothing was changed.',
  UPSTREAM_INVALID_RESPONSE: "Alpaca's market-data stream sent frames the gateway could not read.",
};

/** The problem passed with status `failed` or `reconnecting`. */
export function interruptionProblem(interruption: Interruption, retryInMs: number): UpstreamStreamProblem {
  const code = interruption.fatal ?? 'UPSTREAM_STREAM_UNAVAILABLE';
  const message =
    interruption.fatal === undefined
      ? "Alpaca's market-data stream was interrupted; reconnecting."
      : PROBLEM_MESSAGES[code];
  const details: UpstreamStreamProblem['details'] = { reason: interruption.reason, retry_in_ms: retryInMs };
  if (interruption.upstreamCode !== undefined) details.upstream_code = interruption.upstreamCode;
  if (interruption.upstreamMessage !== undefined) details.upstream_message = interruption.upstreamMessage;
  return { code, message, details };
}

/** The problem passed to `refused` for a rejected change. */
export function refusalProblem(
  upstreamCode: number,
  upstreamMessage: string,
  change: Record<string, unknown> | undefined,
): UpstreamStreamProblem {
  const details: UpstreamStreamProblem['details'] = { upstream_code: upstreamCode, upstream_message: upstreamMessage };
  if (change !== undefined) details.change = change;
  if (upstreamCode === 405)
    return { code: 'STREAM_SYMBOL_LIMIT', message: PROBLEM_MESSAGES.STREAM_SYMBOL_LIMIT, details };
  return {
    code: 'UPSTREAM_STREAM_UNAVAILABLE',
    message: 'Alpaca refused the subscription change; nothing was changed.',
    details,
  };
}
