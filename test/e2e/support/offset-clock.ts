import { Clock } from '../../../src/core/time/clock.js';

/**
 * Real time plus an offset the test moves forward: what the gateway measures with its Clock
 * (ages, expiry) jumps ahead at once, while its timers and stores keep running in real time.
 */
export class OffsetClock extends Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
