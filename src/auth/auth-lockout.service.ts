import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { WindowCounterStore } from './window-counter.store.js';

const MS_PER_SECOND = 1000;

/**
 * Brute-force protection for API keys: after AUTH_MAX_FAILURES failures for one key id, or from
 * one client IP, further attempts are refused for AUTH_LOCKOUT_SECONDS, before any key is checked.
 */
@Injectable()
export class AuthLockoutService {
  constructor(
    private readonly config: AppConfig,
    private readonly counters: WindowCounterStore,
    private readonly logger: WinstonLogger,
  ) {}

  async assertNotLocked(keyId: string | null, ip: string): Promise<void> {
    const { maxFailures } = this.config.authLockout;
    for (const key of this.keys(keyId, ip)) {
      const { count, resetInMs } = await this.counters.peek(key);
      if (count >= maxFailures) {
        throw new AppError('RATE_LIMIT_EXCEEDED', {
          message: 'Too many failed authentication attempts; try again later.',
          retryAfter: Math.ceil(resetInMs / MS_PER_SECOND),
          details: { reason: 'authentication_lockout' },
        });
      }
    }
  }

  async recordFailure(keyId: string | null, ip: string): Promise<void> {
    const windowMs = this.config.authLockout.lockoutSeconds * MS_PER_SECOND;
    const counts = await Promise.all(this.keys(keyId, ip).map((k) => this.counters.increment(k, windowMs)));
    this.logger.event('warn', 'auth_failure', { key_id: keyId, ip, failures: Math.max(...counts.map((c) => c.count)) });
  }

  private keys(keyId: string | null, ip: string): string[] {
    return keyId === null ? [`authfail:ip:${ip}`] : [`authfail:ip:${ip}`, `authfail:key:${keyId}`];
  }
}
