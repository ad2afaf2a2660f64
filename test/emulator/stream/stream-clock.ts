/**
 * Clocks for the stream side. The system clock is the default; ManualClock lets a test jump past
 * the 10 s auth timeout or the 90 s slot hold without sleeping.
 */
import type { StreamClock } from './stream.types.js';

export const systemClock: StreamClock = {
  now: () => Date.now(),
  schedule(ms: number, callback: () => void): () => void {
    const timer = setTimeout(callback, ms);
    // A timer left behind (a socket the test forgot) must not keep Jest or a script alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface ManualTimer {
  due: number;
  order: number;
  callback: () => void;
}

/** Time moves only when advance() is called; due callbacks run inside advance(), in due order. */
export class ManualClock implements StreamClock {
  private current: number;
  private readonly timers = new Set<ManualTimer>();
  private scheduled = 0;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer: ManualTimer = { due: this.current + Math.max(0, ms), order: this.scheduled++, callback };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time forward by `ms`, running every callback that falls due, including ones they schedule. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.timers.delete(next);
      this.current = next.due;
      next.callback();
    }
    this.current = target;
  }

  /** Callbacks still waiting. */
  get pending(): number {
    return this.timers.size;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    let first: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (timer.due > limit) continue;
      if (first === undefined || timer.due < first.due || (timer.due === first.due && timer.order < first.order))
        first = timer;
    }
    return first;
  }
}
