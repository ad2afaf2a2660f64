import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { WinstonLogger } from '../logging/winston-logger.js';
import { Tracing } from '../telemetry/tracing.js';
import { TracedRedis } from './traced-redis.js';

/** A command that takes longer is treated as Redis being unavailable. */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1000;
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * The one Redis connection (when REDIS_URL is set). Commands fail fast instead of queueing while
 * Redis is away, and the client keeps reconnecting in the background, so callers can fall back to
 * local state and pick Redis up again when it returns. With tracing on, the client is a
 * TracedRedis (a span per command made for a request); off, the plain client, so the hot path pays
 * nothing for tracing.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis | null;

  constructor(
    config: AppConfig,
    private readonly logger: WinstonLogger,
    tracing: Tracing,
  ) {
    if (config.redisUrl === undefined) {
      this.redis = null;
      return;
    }
    const Client = tracing.enabled ? TracedRedis : Redis;
    this.redis = new Client(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      // Connected in onModuleInit, so the first requests do not race the connection.
      lazyConnect: true,
    });
    // Without a listener ioredis prints every connection error; state changes are logged by users.
    this.redis.on('error', (e: Error) => logger.event('debug', 'redis_error', { error: e.message }));
  }

  /**
   * Waits for the first connection. If Redis is down at boot the gateway still starts (users fall
   * back to local state) and the client keeps trying in the background.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis === null) return;
    try {
      await this.redis.connect();
      this.logger.event('info', 'redis_connected', {});
    } catch (e: unknown) {
      this.logger.event('warn', 'redis_unavailable_at_boot', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** The client, or null when no REDIS_URL is configured. */
  client(): Redis | null {
    return this.redis;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis === null) return;
    try {
      await this.redis.quit();
    } catch {
      // Already disconnected: nothing left to close.
      this.redis.disconnect();
    }
  }
}
