/**
 * The gateway's notion of "now" in epoch milliseconds, for everything that ages: cache entries,
 * freshness, token expiry, refresh-ahead. Injected so that tests move time forward instead of
 * sleeping; timers (setTimeout) and stores with their own expiry (Keyv, Redis) keep real time.
 */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
