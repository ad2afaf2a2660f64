import type { WinstonLogger } from '../core/logging/winston-logger.js';
import type { RedisService } from '../core/redis/redis.service.js';
import { Clock } from '../core/time/clock.js';
import type { Principal } from '../core/identity/principal.js';
import { counterSubject, RiskCounters } from './risk-counters.js';

class ManualClock extends Clock {
  constructor(private t: number) {
    super();
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const noRedis = { client: () => null } as unknown as RedisService;
const quiet = { event: () => undefined } as unknown as WinstonLogger;
// 2026-03-02 15:00 UTC is 10:00 in New York.
const MORNING = Date.UTC(2026, 2, 2, 15, 0, 0);

describe('RiskCounters without Redis (one instance)', () => {
  it('max_orders_per_minute: a sliding minute; a given-back reservation frees its place', async () => {
    const clock = new ManualClock(MORNING);
    const counters = new RiskCounters(noRedis, clock, quiet);
    const ask = { subject: 'key:a', perMinuteLimit: 2, daily: null };
    const first = await counters.reserve(ask);
    clock.advance(30_000);
    const second = await counters.reserve(ask);
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(await counters.reserve(ask)).toEqual({ ok: false, rule: 'max_orders_per_minute', count: 2 });
    // Another principal has its own count.
    expect((await counters.reserve({ ...ask, subject: 'key:b' })).ok).toBe(true);
    // Nothing was placed for the second: it is given back.
    if (second.ok) await second.reservation.release();
    expect((await counters.reserve(ask)).ok).toBe(true);
    expect((await counters.reserve(ask)).ok).toBe(false);
    // 60 s after the first, it has left the window.
    clock.advance(30_001);
    expect((await counters.reserve(ask)).ok).toBe(true);
  });

  it('max_daily_notional: cents of the New York day; a new day starts at 0', async () => {
    const clock = new ManualClock(MORNING);
    const counters = new RiskCounters(noRedis, clock, quiet);
    const ask = (cents: bigint) => ({ subject: 'key:a', perMinuteLimit: null, daily: { limitCents: 100_000n, cents } });
    expect((await counters.reserve(ask(60_000n))).ok).toBe(true);
    const second = await counters.reserve(ask(40_000n));
    expect(second.ok).toBe(true);
    expect(await counters.reserve(ask(1n))).toEqual({ ok: false, rule: 'max_daily_notional', usedCents: 100_000n });
    if (second.ok) await second.reservation.release();
    expect((await counters.reserve(ask(40_000n))).ok).toBe(true);
    // 23:59 New York is still the same day; 00:00 the next is a new one.
    clock.advance(13 * 3_600_000 + 59 * 60_000);
    expect((await counters.reserve(ask(1n))).ok).toBe(false);
    clock.advance(60_000);
    expect((await counters.reserve(ask(100_000n))).ok).toBe(true);
  });

  it('both limits at once: refused by either, counted in both or neither', async () => {
    const counters = new RiskCounters(noRedis, new ManualClock(MORNING), quiet);
    const ask = { subject: 'key:a', perMinuteLimit: 5, daily: { limitCents: 1000n, cents: 600n } };
    expect((await counters.reserve(ask)).ok).toBe(true);
    expect(await counters.reserve(ask)).toEqual({ ok: false, rule: 'max_daily_notional', usedCents: 600n });
    // The refused one took no place in the minute: four more small orders fit.
    for (let i = 0; i < 4; i += 1)
      expect((await counters.reserve({ ...ask, daily: { limitCents: 1000n, cents: 100n } })).ok).toBe(true);
    expect(await counters.reserve({ ...ask, daily: { limitCents: 1000n, cents: 0n } })).toEqual({
      ok: false,
      rule: 'max_orders_per_minute',
      count: 5,
    });
  });
});

describe('counterSubject: whose counts an order joins', () => {
  const key = { keyId: 'k1', sub: 'apikey:k1' } as Principal;
  const token = { keyId: null, sub: 'alice' } as Principal;

  it('on the account named default, the subject written before accounts existed (a fleet keeps its counts)', () => {
    expect(counterSubject(key, 'default')).toBe('key:k1');
    expect(counterSubject(token, 'default')).toBe('sub:alice');
    expect(counterSubject(undefined, 'default')).toBe('anonymous');
  });

  it('on another account, its own subject, apart from every other account', () => {
    expect(counterSubject(key, 'live')).toBe('acct:live/key:k1');
    expect(counterSubject(key, 'paper')).toBe('acct:paper/key:k1');
    expect(counterSubject(token, 'live')).toBe('acct:live/sub:alice');
    // A token subject that looks like an account's cannot meet one: only accounts prefix `acct:`.
    expect(counterSubject({ keyId: null, sub: 'x@live' } as Principal, 'default')).toBe('sub:x@live');
  });

  it("keeps one account's counts apart from another's", async () => {
    const counters = new RiskCounters(noRedis, new ManualClock(MORNING), quiet);
    const ask = (account: string) => ({ subject: counterSubject(key, account), perMinuteLimit: 1, daily: null });
    expect((await counters.reserve(ask('live'))).ok).toBe(true);
    expect(await counters.reserve(ask('live'))).toEqual({ ok: false, rule: 'max_orders_per_minute', count: 1 });
    expect((await counters.reserve(ask('paper'))).ok).toBe(true);
    expect((await counters.reserve(ask('default'))).ok).toBe(true);
  });
});
