import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DEFAULT_ACCOUNT } from '../core/config/alpaca-accounts.js';
import type { Principal } from '../core/identity/principal.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { RedisService } from '../core/redis/redis.service.js';
import { Clock } from '../core/time/clock.js';
import { newYorkDate } from '../core/time/new-york-date.js';

const MINUTE_MS = 60_000;
/** A day's notional key outlives its New York day by a day (a reservation given back late still finds it). */
const DAY_TTL_SECONDS = 2 * 86_400;
const KEY_PREFIX = 'opitios:risk:';

/**
 * Whose counts an order joins: the API key (and the tokens issued from it), else the token's
 * subject, on one account. The account named `default` keeps the subject it had before accounts
 * existed (`key:ID`), so a running fleet's counts survive the upgrade; another account prefixes it
 * (`acct:live/key:ID`: account names have no `/`, and no principal's subject starts with `acct:`).
 */
export function counterSubject(p: Principal | undefined, account: string): string {
  const principal = p === undefined ? 'anonymous' : p.keyId !== null ? `key:${p.keyId}` : `sub:${p.sub}`;
  return account === DEFAULT_ACCOUNT ? principal : `acct:${account}/${principal}`;
}

/** What one order asks of the counters: one more order this minute, and/or this many cents today. */
export interface CounterAsk {
  /** Whose counts: one principal on one account, fleet-wide (counterSubject). */
  subject: string;
  /** max_orders_per_minute, or null when the policy has none. */
  perMinuteLimit: number | null;
  /** max_daily_notional in cents and this order's notional in cents (rounded up), or null. */
  daily: { limitCents: bigint; cents: bigint } | null;
}

/** An order's place in the counts, held from the check until Alpaca's answer; given back when nothing was placed. */
export interface Reservation {
  release(): Promise<void>;
}

export type ReserveOutcome =
  | { ok: true; reservation: Reservation }
  /** Orders already counted in the last minute (this one not included). */
  | { ok: false; rule: 'max_orders_per_minute'; count: number }
  /** Cents already counted today (this order not included). */
  | { ok: false; rule: 'max_daily_notional'; usedCents: bigint }
  /** REDIS_URL is set and Redis did not answer: trading fails closed. */
  | { ok: false; rule: 'store_unavailable'; error: string };

/**
 * Checks both limits and, only when both hold, counts the order in both, atomically, so that two
 * instances sending at once cannot both take the last place. The minute is a sliding window
 * (a sorted set of reservations scored by time); the day is the New York calendar day's cents.
 * KEYS: minute set, day counter. ARGV: now, window, per-minute limit (-1: none), member, cents,
 * daily limit in cents (-1: none), day TTL. Cents stay far below 2^53 (limits ≤ 10^14 cents).
 */
const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[3])
local dailyLimit = tonumber(ARGV[6])
local count = 0
local used = 0
if perMinute >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
  count = redis.call('ZCARD', KEYS[1])
  if count + 1 > perMinute then return {1, count, 0} end
end
if dailyLimit >= 0 then
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used + tonumber(ARGV[5]) > dailyLimit then return {2, 0, string.format('%.0f', used)} end
end
if perMinute >= 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if dailyLimit >= 0 then
  redis.call('INCRBY', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return {0, count, string.format('%.0f', used)}`;

/** Gives a reservation back: its place in the minute, its cents in the day (only while the day's key exists). */
const RELEASE_SCRIPT = `
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[1], ARGV[1]) end
if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECRBY', KEYS[2], ARGV[2]) end
return 1`;

const NOTHING_HELD: Reservation = { release: () => Promise.resolve() };

/**
 * The fleet-wide counts behind max_orders_per_minute and max_daily_notional, per principal. With
 * REDIS_URL every instance shares them, and while Redis does not answer the orders that need them
 * are refused (fail closed: a limit the fleet cannot count is no limit). Without REDIS_URL they
 * are this instance's own.
 */
@Injectable()
export class RiskCounters {
  private readonly minutes = new Map<string, Map<string, number>>();
  private readonly days = new Map<string, { day: string; cents: bigint }>();
  private degraded = false;

  constructor(
    private readonly redis: RedisService,
    private readonly clock: Clock,
    private readonly logger: WinstonLogger,
  ) {}

  /** `redis` when the counts are the fleet's, `memory` when this instance's (no REDIS_URL). */
  mode(): 'redis' | 'memory' {
    return this.redis.client() === null ? 'memory' : 'redis';
  }

  async reserve(ask: CounterAsk): Promise<ReserveOutcome> {
    if (ask.perMinuteLimit === null && ask.daily === null) return { ok: true, reservation: NOTHING_HELD };
    const now = this.clock.now();
    const day = newYorkDate(now);
    const client = this.redis.client();
    return client === null ? this.reserveInMemory(ask, now, day) : this.reserveShared(client, ask, now, day);
  }

  private keys(subject: string, day: string): [string, string] {
    // The subject is hash-tagged (Redis Cluster keeps both keys of a principal on one node).
    const tag = `{${encodeURIComponent(subject)}}`;
    return [`${KEY_PREFIX}${tag}:minute`, `${KEY_PREFIX}${tag}:day:${day}`];
  }

  private async reserveShared(client: Redis, ask: CounterAsk, now: number, day: string): Promise<ReserveOutcome> {
    const [minuteKey, dayKey] = this.keys(ask.subject, day);
    const member = ask.perMinuteLimit === null ? '' : randomUUID();
    const cents = ask.daily?.cents ?? 0n;
    let reply: [number, number, string];
    try {
      reply = (await client.eval(
        RESERVE_SCRIPT,
        2,
        minuteKey,
        dayKey,
        String(now),
        String(MINUTE_MS),
        String(ask.perMinuteLimit ?? -1),
        member,
        cents.toString(),
        (ask.daily?.limitCents ?? -1n).toString(),
        String(DAY_TTL_SECONDS),
      )) as [number, number, string];
      this.markHealthy();
    } catch (e: unknown) {
      const error = e instanceof Error ? e.message : String(e);
      this.markDegraded(error);
      return { ok: false, rule: 'store_unavailable', error };
    }
    const [status, count, used] = reply;
    if (status === 1) return { ok: false, rule: 'max_orders_per_minute', count: Number(count) };
    if (status === 2) return { ok: false, rule: 'max_daily_notional', usedCents: BigInt(used) };
    return {
      ok: true,
      reservation: {
        release: async () => {
          try {
            await client.eval(RELEASE_SCRIPT, 2, minuteKey, dayKey, member, cents.toString());
          } catch (e: unknown) {
            // The order stays counted: the limit errs on the safe side until the window passes.
            this.logger.event('warn', 'risk_counter_release_failed', {
              subject: ask.subject,
              error: e instanceof Error ? e.message : String(e),
            });
          }
        },
      },
    };
  }

  private reserveInMemory(ask: CounterAsk, now: number, day: string): ReserveOutcome {
    let minute = this.minutes.get(ask.subject);
    if (minute === undefined) {
      minute = new Map();
      this.minutes.set(ask.subject, minute);
    }
    for (const [id, at] of minute) if (at <= now - MINUTE_MS) minute.delete(id);
    if (ask.perMinuteLimit !== null && minute.size + 1 > ask.perMinuteLimit)
      return { ok: false, rule: 'max_orders_per_minute', count: minute.size };
    let today = this.days.get(ask.subject);
    if (today === undefined || today.day !== day) {
      today = { day, cents: 0n };
      this.days.set(ask.subject, today);
    }
    if (ask.daily !== null && today.cents + ask.daily.cents > ask.daily.limitCents)
      return { ok: false, rule: 'max_daily_notional', usedCents: today.cents };
    const id = randomUUID();
    if (ask.perMinuteLimit !== null) minute.set(id, now);
    const cents = ask.daily?.cents ?? 0n;
    const held = today;
    held.cents += cents;
    return {
      ok: true,
      reservation: {
        release: () => {
          minute.delete(id);
          if (held === this.days.get(ask.subject)) held.cents -= cents;
          return Promise.resolve();
        },
      },
    };
  }

  private markDegraded(error: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.event('warn', 'risk_counters_unavailable', {
      error,
      note: 'Redis unreachable: orders under max_orders_per_minute or max_daily_notional are refused until it returns',
    });
  }

  private markHealthy(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.event('info', 'risk_counters_restored', {});
  }
}
