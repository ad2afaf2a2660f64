import type { Redis } from 'ioredis';

/**
 * Keyv's Map-like store interface over our ioredis connection, so the shared layer uses the one
 * Redis client the gateway already manages. Redis errors never reach callers: a failed read is a
 * miss, a failed write is skipped, and `onError` lets the cache log the degradation once.
 */
export class RedisKeyvStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: (e: unknown) => void,
    private readonly onSuccess: () => void,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      const v = await this.redis.get(this.prefix + key);
      this.onSuccess();
      return v ?? undefined;
    } catch (e: unknown) {
      this.onError(e);
      return undefined;
    }
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    try {
      if (ttl !== undefined && ttl > 0) await this.redis.set(this.prefix + key, value, 'PX', Math.ceil(ttl));
      else await this.redis.set(this.prefix + key, value);
      this.onSuccess();
      return true;
    } catch (e: unknown) {
      this.onError(e);
      return false;
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.redis.del(this.prefix + key)) > 0;
    } catch (e: unknown) {
      this.onError(e);
      return false;
    }
  }

  /** Never flushes Redis wholesale: other data may live there. Entries expire by TTL. */
  clear(): Promise<void> {
    return Promise.resolve();
  }
}
