import { Injectable, OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry, type ReadinessCheck } from '../core/readiness/readiness.registry.js';
import { RedisService } from '../core/redis/redis.service.js';

/**
 * Redis answers PING on the gateway's one connection; registered only when REDIS_URL is set. Not a
 * readiness condition: without Redis every instance keeps serving (limits, cache and budget fall
 * back to memory), so its loss is `degraded`, not unready.
 */
@Injectable()
export class RedisReadiness implements ReadinessCheck, OnModuleInit {
  readonly name = 'redis';
  readonly affectsReadiness = false;

  constructor(
    private readonly redis: RedisService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    if (this.redis.client() !== null) this.registry.register(this);
  }

  async check(): Promise<void> {
    const client = this.redis.client();
    if (client === null) return;
    try {
      await client.ping();
    } catch {
      // The client's own error text names the host; the connection state is enough to act on.
      throw new Error(`Redis does not answer PING (connection ${client.status})`);
    }
  }
}
