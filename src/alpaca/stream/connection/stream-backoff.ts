/**
 * Time and retry pacing for the upstream stream client. Everything that waits goes through a
 * `StreamScheduler`, so specs drive time by hand (the emulator's ManualClock fits this interface)
 * and never sleep.
 */

/** A clock plus one-shot timers; the returned function cancels the timer. */
export interface StreamScheduler {
  now(): number;
  schedule(ms: number, callback: () => void): () => void;
}

export const systemScheduler: StreamScheduler = {
  now: () => Date.now(),
  schedule(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    // A retry timer must not keep a process alive that is otherwise shutting down.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Exponential backoff: attempt n waits up to min(cap, base × factor^n). `full` jitter draws the
 * whole wait at random (spreads a reconnect storm best); `equal` keeps half of it fixed, for waits
 * that must not be short (a held 406 slot is not freed by retrying sooner).
 */
export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
  jitter: 'full' | 'equal';
}

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    /** Uniform in [0, 1), like Math.random. */
    private readonly random: () => number,
  ) {}

  /** The wait before the next attempt; each call moves one step up the curve. */
  next(): number {
    const { baseMs, factor, capMs, jitter } = this.policy;
    const ceiling = Math.min(capMs, baseMs * factor ** this.attempt);
    // Stop growing the exponent once the cap is reached, so it never overflows to Infinity.
    if (ceiling < capMs) this.attempt += 1;
    const draw = Math.min(Math.max(this.random(), 0), 1);
    const wait = jitter === 'full' ? ceiling * draw : ceiling / 2 + (ceiling / 2) * draw;
    return Math.round(wait);
  }

  reset(): void {
    this.attempt = 0;
  }
}
