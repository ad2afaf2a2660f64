import { ExponentialBackoff, type GeneratorFn, type IBackoff } from 'cockatiel';

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

/**
 * The curve is cockatiel's `ExponentialBackoff` (the library the HTTP reads already retry with);
 * the generator is ours only because cockatiel's jitter generators read Math.random and fix the
 * exponent at 2, while specs draw from an injected `random` and the 406 curve is not base 2.
 */
export class Backoff {
  private readonly curve: ExponentialBackoff<number>;
  /** The step last taken; undefined before the first (cockatiel's `next()` is the first wait). */
  private step: IBackoff<unknown> | undefined = undefined;

  constructor(
    policy: BackoffPolicy,
    /** Uniform in [0, 1), like Math.random. */
    random: () => number,
  ) {
    const generator: GeneratorFn<number> = (attempt = 0, { initialDelay, exponent, maxDelay }) => {
      const ceiling = Math.min(maxDelay, initialDelay * exponent ** attempt);
      const draw = Math.min(Math.max(random(), 0), 1);
      const wait = policy.jitter === 'full' ? ceiling * draw : ceiling / 2 + (ceiling / 2) * draw;
      // Stop growing the exponent once the cap is reached, so it never overflows to Infinity.
      return [Math.round(wait), ceiling < maxDelay ? attempt + 1 : attempt];
    };
    this.curve = new ExponentialBackoff({
      generator,
      initialDelay: policy.baseMs,
      exponent: policy.factor,
      maxDelay: policy.capMs,
    });
  }

  /** The wait before the next attempt; each call moves one step up the curve. */
  next(): number {
    this.step = this.step === undefined ? this.curve.next() : this.step.next(undefined);
    return this.step.duration;
  }

  reset(): void {
    this.step = undefined;
  }
}
