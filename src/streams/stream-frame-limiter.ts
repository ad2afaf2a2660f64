import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import type { Principal } from '../core/identity/principal.js';
import { Clock } from '../core/time/clock.js';
import { CLOSE_CODES } from './stream-protocol.js';
import type { StreamSession } from './hub/stream-session.js';

/** Refused frames a connection may send without a REFUSAL_QUIET_MS pause before it is closed (4429). */
export const REFUSALS_BEFORE_CLOSE = 10;
const REFUSAL_QUIET_MS = 1000;
/** Bursts of this many seconds' worth of frames. */
const BURST_SECONDS = 2;
/** Idle principals' buckets (refilled to full, so equal to a fresh one) are forgotten past this many. */
const SWEEP_AT = 10_000;

export type FrameVerdict = 'accept' | 'refuse' | 'close';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The client frame rate (STREAM_CLIENT_FRAMES_PER_SECOND): a token bucket per principal (API key,
 * else token subject) over all its stream connections, so that opening more sockets buys no more
 * frames. Every frame of an authenticated connection counts, good or bad, before it is parsed:
 * each one can cost a parse, a reply and a change to the upstream union. A refused frame gets
 * RATE_LIMIT_EXCEEDED; a connection that goes on being refused is closed with 4429.
 */
@Injectable()
export class StreamFrameLimiter {
  readonly perSecond: number;
  readonly burst: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly refusals = new WeakMap<StreamSession, { count: number; lastAt: number }>();

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.perSecond = config.stream.clientFramesPerSecond;
    this.burst = this.perSecond * BURST_SECONDS;
  }

  /** Counts one frame of `session` (authenticated as `principal`) and says what to do with it. */
  take(session: StreamSession, principal: Principal): FrameVerdict {
    const now = this.clock.now();
    const key = principal.keyId ?? principal.sub;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= SWEEP_AT) this.sweep(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) * this.perSecond) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'accept';
    }
    const last = this.refusals.get(session);
    const count = last !== undefined && now - last.lastAt < REFUSAL_QUIET_MS ? last.count + 1 : 1;
    this.refusals.set(session, { count, lastAt: now });
    return count > REFUSALS_BEFORE_CLOSE ? 'close' : 'refuse';
  }

  /**
   * Counts one frame of an authenticated session (before it is parsed: every frame may cost a
   * parse, a reply and an upstream change). True when it may be handled; otherwise `refuse` sends
   * the session's protocol's refusal and, after refusals without a pause, the session is closed
   * (4429). Frames before authentication are not counted here (they are the auth timeout's).
   */
  admit(session: StreamSession, refuse: () => void): boolean {
    if (session.principal === null) return true;
    const verdict = this.take(session, session.principal);
    if (verdict === 'accept') return true;
    refuse();
    if (verdict === 'close') session.close(CLOSE_CODES.rateLimited, 'frame rate limit exceeded');
    return false;
  }

  /** The catalog error a refused frame gets. */
  refusal(): AppError {
    return new AppError('RATE_LIMIT_EXCEEDED', {
      message: `At most ${this.perSecond} stream frames per second per principal (bursts of ${this.burst}); this frame was not handled.`,
      details: {
        reason: 'stream_frames',
        limit_per_second: this.perSecond,
        burst: this.burst,
        refusals_before_close: REFUSALS_BEFORE_CLOSE,
      },
    });
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
  }
}
