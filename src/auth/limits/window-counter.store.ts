import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { RedisService } from '../../core/redis/redis.service.js';
import { Clock } from '../../core/time/clock.js';

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetInMs: number;
}

export interface CounterWindow {
  key: string;
  windowMs: number;
}

/**
 * For each key: INCR, and set the expiry on the first hit, atomically, so every instance sees one
 * count. Several windows of one caller go in one call (one round trip); on Redis Cluster their
 * keys must share a hash tag, e.g. `hour:{key:abc}` and `second:{key:abc}`.
 */
const INCREMENT_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local window = ARGV[i]
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = tonumber(window) end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;
const KEY_PREFIX = 'opitios:rl:';
const SWEEP_EVERY = 1000;

/**
 * Fixed-window counters for rate limits and lockouts. With Redis every instance shares the
 * counts; when Redis fails, counting goes on in memory (so no request is ever unlimited or
 * refused with a 500) and the switch is logged both ways.
 */
@Injectable()
export class WindowCounterStore {
  private readonly memory = new Map<string, { count: number; expiresAt: number }>();
  private degraded = false;
  private calls = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly logger: WinstonLogger,
    private readonly clock: Clock,
  ) {}

  /** `redis` when counts are shared, `memory` when local (no Redis, or Redis unreachable). */
  mode(): 'redis' | 'memory' {
    return this.redis.client() === null || this.degraded ? 'memory' : 'redis';
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const [count] = await this.hit([{ key, windowMs }]);
    if (count === undefined) throw new Error('window counter returned no count');
    return count;
  }

  /**
   * Adds one hit to each window and returns the counts, in order. Without Redis the answer is
   * synchronous (a rate-limit check then costs no promise); with Redis it is one script call for
   * all the windows, falling back to memory when Redis fails.
   */
  hit(windows: readonly CounterWindow[]): WindowCount[] | Promise<WindowCount[]> {
    const client = this.redis.client();
    return client === null ? this.hitInMemory(windows) : this.hitShared(client, windows);
  }

  private async hitShared(client: Redis, windows: readonly CounterWindow[]): Promise<WindowCount[]> {
    try {
      const keys = windows.map((w) => KEY_PREFIX + w.key);
      const reply = (await client.eval(
        INCREMENT_SCRIPT,
        keys.length,
        ...keys,
        ...windows.map((w) => String(w.windowMs)),
      )) as number[];
      this.markHealthy();
      return windows.map((_, i) => ({ count: Number(reply[2 * i]), resetInMs: Number(reply[2 * i + 1]) }));
    } catch (e: unknown) {
      this.markDegraded(e);
      return this.hitInMemory(windows);
    }
  }

  private hitInMemory(windows: readonly CounterWindow[]): WindowCount[] {
    return windows.map((w) => this.incrementInMemory(w.key, w.windowMs));
  }

  /** The current count without adding a hit (0 when the window is over). */
  async peek(key: string): Promise<WindowCount> {
    const client = this.redis.client();
    if (client !== null) {
      try {
        const [count, ttl] = await Promise.all([client.get(KEY_PREFIX + key), client.pttl(KEY_PREFIX + key)]);
        this.markHealthy();
        return { count: count === null ? 0 : Number(count), resetInMs: Math.max(0, ttl) };
      } catch (e: unknown) {
        this.markDegraded(e);
      }
    }
    const entry = this.memory.get(key);
    const now = this.clock.now();
    return entry === undefined || entry.expiresAt <= now
      ? { count: 0, resetInMs: 0 }
      : { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  private incrementInMemory(key: string, windowMs: number): WindowCount {
    const now = this.clock.now();
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);
    let entry = this.memory.get(key);
    if (entry === undefined || entry.expiresAt <= now) {
      entry = { count: 0, expiresAt: now + windowMs };
      this.memory.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  private sweep(now: number): void {
    for (const [k, v] of this.memory) if (v.expiresAt <= now) this.memory.delete(k);
  }

  private markDegraded(e: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.event('warn', 'rate_limit_store_degraded', {
      store: 'memory',
      reason: e instanceof Error ? e.message : String(e),
      note: 'Redis unreachable: counting per instance until it returns',
    });
  }

  private markHealthy(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.event('info', 'rate_limit_store_restored', { store: 'redis' });
  }
}
