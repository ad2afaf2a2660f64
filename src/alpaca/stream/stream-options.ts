/**
 * Timings and pacing of the upstream stream client, with the defaults production uses. Specs pass
 * their own (a manual clock, fixed randomness, small values) to the gateway's constructor.
 */
import { systemScheduler, type BackoffPolicy, type StreamScheduler } from './connection/stream-backoff.js';

/** Each handshake step (upgrade + `connected`, `authenticated`, first ack) and each later ack. Go uses 3 s. */
export const STEP_TIMEOUT_MS = 5_000;
/** Keep-alive as the Go and JS SDKs do it (docs/alpaca-wire.md "Keep-alive and reconnection"): a ping every 10 s, dead without a pong or frame 5 s later, so a stall shows within 15 s. */
export const PING_INTERVAL_MS = 10_000;
export const PONG_TIMEOUT_MS = 5_000;
/** How long a clean close waits for Alpaca's echo (it may never come) before cutting the TCP connection. */
export const CLOSE_GRACE_MS = 2_000;
/** Drops, stalls, 5xx, 500 frames: retry soon, spread by full jitter. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, capMs: 30_000, jitter: 'full' };
/**
 * 406 and HTTP 429: Alpaca holds a slot ~90 s after an unclean drop (docs/alpaca-wire.md "Keep-alive and reconnection"), so retrying
 * sooner only opens sockets that are refused. Waits 2.5-5 s, 5-10 s, 10-20 s, then 15-30 s each:
 * about eight attempts across a 90 s hold, and the stream is back within 30 s of its end.
 */
export const CONNECTION_LIMIT_BACKOFF: BackoffPolicy = { baseMs: 5_000, factor: 2, capMs: 30_000, jitter: 'equal' };
/** Live this long, the reconnect backoff starts over at its base on the next interruption. */
export const STABLE_AFTER_MS = 60_000;
/**
 * 402/409/411/412 are not fixed by retrying soon, but an operator may fix the keys or the plan:
 * one quiet attempt every 5 minutes spares a restart.
 */
export const FAILED_RETRY_MS = 300_000;
/**
 * Subscription changes while live are collected this long, then the net difference goes out (at
 * most one unsubscribe and one subscribe per window): client churn never reaches Alpaca as churn.
 * The gateway sets it from STREAM_UPSTREAM_COALESCE_MS.
 */
export const SUBSCRIPTION_WINDOW_MS = 100;
/** A Retry-After longer than this is not honoured as such. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Optional tuning, also a class token: bind it in a module to override defaults. Every field
 * falls back to the constant of the same meaning above.
 */
export abstract class StreamClientOptions {
  scheduler?: StreamScheduler;
  /** Uniform in [0, 1); jitter for the backoffs. */
  random?: () => number;
  stepTimeoutMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  closeGraceMs?: number;
  reconnectBackoff?: BackoffPolicy;
  connectionLimitBackoff?: BackoffPolicy;
  stableAfterMs?: number;
  failedRetryMs?: number;
  subscriptionWindowMs?: number;
}

export type ResolvedStreamOptions = Required<StreamClientOptions>;

export function resolveStreamOptions(options: StreamClientOptions = {}): ResolvedStreamOptions {
  return {
    scheduler: options.scheduler ?? systemScheduler,
    random: options.random ?? Math.random,
    stepTimeoutMs: options.stepTimeoutMs ?? STEP_TIMEOUT_MS,
    pingIntervalMs: options.pingIntervalMs ?? PING_INTERVAL_MS,
    pongTimeoutMs: options.pongTimeoutMs ?? PONG_TIMEOUT_MS,
    closeGraceMs: options.closeGraceMs ?? CLOSE_GRACE_MS,
    reconnectBackoff: options.reconnectBackoff ?? RECONNECT_BACKOFF,
    connectionLimitBackoff: options.connectionLimitBackoff ?? CONNECTION_LIMIT_BACKOFF,
    stableAfterMs: options.stableAfterMs ?? STABLE_AFTER_MS,
    failedRetryMs: options.failedRetryMs ?? FAILED_RETRY_MS,
    subscriptionWindowMs: options.subscriptionWindowMs ?? SUBSCRIPTION_WINDOW_MS,
  };
}
