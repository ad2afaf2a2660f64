import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { GatewayMetrics } from '../../core/metrics/gateway-metrics.js';
import { WindowCounterStore } from './window-counter.store.js';

const MS_PER_SECOND = 1000;
/** Lockouts within this long count as repeats, each doubling the next one. */
const STRIKE_MEMORY_MS = 86_400_000;

/** What to answer a refused request: its own error, or 429 because its client is locked out. */
export interface RefusalDecision {
  locked: boolean;
  /** Seconds until the lockout ends (locked only). */
  retryAfterSeconds: number;
}

/**
 * Throttles refused requests per client address (as seen through TRUST_PROXY), never per key id:
 * key ids are not secret, so counting by them would let anyone lock out a key's owner.
 *
 * Only refusals are counted and only refusals are locked out: a request whose credentials and
 * permissions are good is served whatever its address did before, so a client behind the same
 * proxy address as an attacker keeps working. After AUTH_MAX_FAILURES refusals within
 * AUTH_FAILURE_WINDOW_SECONDS, the client's further refusals are answered 429 with Retry-After
 * (cheaper than a 401 and never audited one by one) for AUTH_LOCKOUT_SECONDS, doubling with each
 * lockout within a day up to AUTH_LOCKOUT_MAX_SECONDS. Guessing is not what this stops (keys
 * carry 256 random bits, tokens are signed): it stops a flood of refusals from costing work.
 */
@Injectable()
export class AuthLockoutService {
  constructor(
    private readonly config: AppConfig,
    private readonly counters: WindowCounterStore,
    private readonly metrics: GatewayMetrics,
    private readonly logger: WinstonLogger,
  ) {}

  /** Counts one refusal of `client` and says whether it is (now) locked out. */
  async recordRefusal(client: string): Promise<RefusalDecision> {
    const { maxFailures, failureWindowSeconds } = this.config.authLockout;
    const lock = await this.counters.peek(`authlock:{${client}}`);
    if (lock.count > 0 && lock.resetInMs > 0)
      return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(lock.resetInMs / MS_PER_SECOND)) };
    const failures = await this.counters.increment(`authfail:{${client}}`, failureWindowSeconds * MS_PER_SECOND);
    // Every AUTH_MAX_FAILURES-th refusal locks (INCR gives each concurrent refusal its own count,
    // so exactly one of them does); refusals while locked are not counted.
    if (failures.count % maxFailures !== 0) return { locked: false, retryAfterSeconds: 0 };
    return this.lockOut(client, failures.count);
  }

  /** The 429 a locked-out client's refused request gets instead of its 401/403. */
  lockoutError(decision: RefusalDecision, code: string): AppError {
    return new AppError('RATE_LIMIT_EXCEEDED', {
      message: 'Too many refused requests from this client; requests with valid credentials still pass.',
      retryAfter: decision.retryAfterSeconds,
      details: { reason: 'authentication_lockout', refused_as: code },
    });
  }

  private async lockOut(client: string, failures: number): Promise<RefusalDecision> {
    const { lockoutSeconds, lockoutMaxSeconds } = this.config.authLockout;
    const strikes = await this.counters.increment(`authstrike:{${client}}`, STRIKE_MEMORY_MS);
    const seconds = Math.min(lockoutMaxSeconds, lockoutSeconds * 2 ** Math.min(strikes.count - 1, 20));
    await this.counters.increment(`authlock:{${client}}`, seconds * MS_PER_SECOND);
    this.metrics.observeAuthLockout();
    this.logger.event('warn', 'auth_lockout', {
      client_ip: client,
      failures,
      lockout_seconds: seconds,
      lockout_number: strikes.count,
    });
    // The refusal that reached the limit is still answered as what it was; the next ones get 429.
    return { locked: false, retryAfterSeconds: seconds };
  }
}
