/**
 * The time-keeping of a stream across its sockets: how long to wait after each interruption
 * (docs/alpaca-wire.md "Keep-alive and reconnection") and the gap a client may have missed between two live sessions.
 */
import type { StreamRetryReason } from '../stream-observer.js';
import { Backoff } from './stream-backoff.js';
import type { Interruption } from '../stream-errors.js';
import { MAX_RETRY_AFTER_MS, type ResolvedStreamOptions } from '../stream-options.js';

export interface StreamGap {
  from: string;
  to: string;
  reason: string;
}

export class RetryPlanner {
  private readonly quick: Backoff;
  private readonly slow: Backoff;
  private liveSince: number | undefined;
  private lastFrameAt: number | undefined;
  /** Open from the end of a live session until the next one starts. */
  private gapStart: { at: number; reason: StreamRetryReason } | undefined;

  constructor(private readonly options: ResolvedStreamOptions) {
    this.quick = new Backoff(options.reconnectBackoff, options.random);
    this.slow = new Backoff(options.connectionLimitBackoff, options.random);
  }

  frameRead(): void {
    this.lastFrameAt = this.options.scheduler.now();
  }

  /** Authenticated: the 406 slot is ours, so a later 406 is a new episode on a fresh curve. */
  authenticated(): void {
    this.slow.reset();
  }

  /** Data flows again; returns the gap since the last live session, if there was one. */
  live(): StreamGap | undefined {
    const now = this.options.scheduler.now();
    this.liveSince = now;
    const start = this.gapStart;
    this.gapStart = undefined;
    if (start === undefined) return undefined;
    return { from: new Date(start.at).toISOString(), to: new Date(now).toISOString(), reason: start.reason };
  }

  /** A socket's session ended: opens the gap at the last frame read (the first cause names it) and draws the wait. */
  interrupted(interruption: Interruption): number {
    if (this.liveSince !== undefined) {
      this.gapStart ??= { at: this.lastFrameAt ?? this.liveSince, reason: interruption.reason };
      // A session that lasted is not part of a flapping run: the quick curve starts over.
      if (this.options.scheduler.now() - this.liveSince >= this.options.stableAfterMs) this.quick.reset();
      this.liveSince = undefined;
    }
    let delayMs: number;
    if (interruption.fatal !== undefined) delayMs = this.options.failedRetryMs;
    else delayMs = (interruption.backoff === 'connection_limit' ? this.slow : this.quick).next();
    if (interruption.retryAfterMs !== undefined)
      delayMs = Math.max(delayMs, Math.min(interruption.retryAfterMs, MAX_RETRY_AFTER_MS));
    return delayMs;
  }
}
