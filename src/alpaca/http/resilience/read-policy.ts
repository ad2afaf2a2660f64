import {
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type IBackoff,
  type TimeoutPolicy,
} from 'cockatiel';
import { UpstreamError } from '../upstream.error.js';

/** Statuses worth another try on a GET (docs/alpaca-wire.md "Retries"); everything else is final. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 1000;
/** An attempt with less time than this left is not worth starting. */
export const MIN_ATTEMPT_MS = 50;

export interface ReadPolicyOptions {
  /** Attempts per read, the first included (ALPACA_RETRY_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** A read, retries included, never takes longer (ALPACA_REQUEST_DEADLINE_MS). */
  deadlineMs: number;
}

/** A retry about to wait: the attempt that failed, the wait, and why. */
export interface RetryNotice {
  attempt: number;
  waitMs: number;
  error: UpstreamError;
}

/** One attempt: its number (1-based), the time left before the deadline, and the deadline's signal. */
export interface ReadAttempt {
  attempt: number;
  leftMs: number;
  signal: AbortSignal;
}

/** Whether a failed read is worth another attempt at all (the deadline aside). */
export function isRetryable(e: unknown): e is UpstreamError {
  if (!(e instanceof UpstreamError) || e.code === 'UPSTREAM_INVALID_RESPONSE') return false;
  return e.upstreamStatus === null || RETRYABLE_STATUS.has(e.upstreamStatus);
}

/**
 * How reads go to Alpaca, as one cockatiel policy: a deadline over the whole read (timeout,
 * cooperative: the attempt in flight is aborted through its signal), and retries on network errors,
 * timeouts, 429 and 5xx with exponential backoff and full jitter (100 ms doubling to 1 s), or
 * Alpaca's Retry-After on a 429. A retry whose wait would end past the deadline is not made: the
 * client hears the real error at once. Writes never come here (never retried).
 */
export class ReadPolicy {
  private readonly deadline: TimeoutPolicy;
  private readonly jitter = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: BACKOFF_BASE_MS,
    maxDelay: BACKOFF_CAP_MS,
  });

  constructor(private readonly options: ReadPolicyOptions) {
    this.deadline = timeout(options.deadlineMs, TimeoutStrategy.Cooperative);
  }

  /** Runs one read; `onRetry` is told before each retry's wait (the caller's log line names its request). */
  execute<T>(attempt: (a: ReadAttempt) => Promise<T>, onRetry?: (retry: RetryNotice) => void): Promise<T> {
    // System time on purpose: the deadline races real timers (cockatiel's timeout, the backoff's sleeps).
    const deadlineAt = Date.now() + this.options.deadlineMs;
    // cockatiel's exponential backoff starts with a 0 ms step: the first retry waits one base step.
    let backoff: IBackoff<unknown> = this.jitter.next();
    let attempts = 0;
    let wait = 0;
    const worthRetrying = (e: unknown): boolean => {
      if (!isRetryable(e) || attempts >= this.options.maxAttempts) return false;
      backoff = backoff.next(undefined);
      wait = e.upstreamStatus === 429 && e.retryAfter !== null ? e.retryAfter * 1000 : backoff.duration;
      if (Date.now() + wait + MIN_ATTEMPT_MS > deadlineAt) return false;
      onRetry?.({ attempt: attempts, waitMs: Math.round(wait), error: e });
      return true;
    };
    // The wait was decided with the retry (it depends on the error and the deadline): hand it over.
    const decided: IBackoff<unknown> = {
      get duration(): number {
        return wait;
      },
      next: () => decided,
    };
    const retries = retry(handleWhen(worthRetrying), { maxAttempts: this.options.maxAttempts - 1, backoff: decided });
    return wrap(this.deadline, retries).execute(({ signal }) => {
      attempts += 1;
      return attempt({ attempt: attempts, leftMs: deadlineAt - Date.now(), signal });
    });
  }
}
