import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { clientIp, type Principal } from '../../core/identity/principal.js';
import { isPremiumTier } from '../../core/identity/roles.js';
import { isAlpacaFacePath } from '../../core/http/face-paths.js';
import { GatewayMetrics } from '../../core/metrics/gateway-metrics.js';
import { Clock } from '../../core/time/clock.js';
import { WindowCounterStore, type WindowCount } from './window-counter.store.js';

const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;

/** Who a limit applies to: the API key id or token `sub`; the client address only for anonymous callers. */
export function trackerOf(principal: Principal | undefined, req: Request): string {
  if (principal === undefined || principal.kind === 'anonymous') return `ip:${clientIp(req)}`;
  return principal.keyId !== null ? `key:${principal.keyId}` : `sub:${principal.sub}`;
}

/** The hourly tier a principal is counted in (a metric label). */
function tierOf(principal: Principal | undefined): 'anonymous' | 'authenticated' | 'premium' {
  if (principal === undefined || principal.kind === 'anonymous') return 'anonymous';
  return isPremiumTier(principal.roles) ? 'premium' : 'authenticated';
}

/**
 * Per-principal rate limits: an hourly tier (anonymous 100, authenticated 1000, premium and up
 * 5000 by default) plus a per-second burst limit, counted in WindowCounterStore (Redis when
 * configured, so instances share one limit). Used for every request the rate-limit guard sees, and
 * for requests the roles guard refuses (403s count too, so probing routes costs the same quota).
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly counters: WindowCounterStore,
    private readonly config: AppConfig,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * Counts one request and sets X-RateLimit-*; throws 429 RATE_LIMIT_EXCEEDED past a limit.
   * Synchronous when counting in memory; one Redis round trip for both windows otherwise.
   */
  hit(req: Request, res: Response, principal: Principal | undefined): true | Promise<true> {
    const tracker = trackerOf(principal, req);
    // Both windows of one caller share a hash tag, so that Redis Cluster can count them in one script.
    const counts = this.counters.hit([
      { key: `hour:{${tracker}}`, windowMs: HOUR_MS },
      { key: `second:{${tracker}}`, windowMs: SECOND_MS },
    ]);
    return counts instanceof Promise
      ? counts.then((c) => this.decide(req, res, principal, c))
      : this.decide(req, res, principal, counts);
  }

  private decide(req: Request, res: Response, principal: Principal | undefined, [hourly, burst]: WindowCount[]): true {
    if (hourly === undefined || burst === undefined) throw new Error('rate limit counters returned no count');
    const hourlyLimit = this.hourlyLimit(principal);
    const resetSeconds = Math.max(1, Math.ceil(hourly.resetInMs / SECOND_MS));
    res.setHeader('X-RateLimit-Limit', String(hourlyLimit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, hourlyLimit - hourly.count)));
    // Seconds until the window resets; on the Alpaca-compatible face, the Unix time it resets at, as Alpaca (and its SDKs) count.
    const reset = isAlpacaFacePath(req.originalUrl || req.url)
      ? Math.ceil((this.clock.now() + hourly.resetInMs) / SECOND_MS)
      : resetSeconds;
    res.setHeader('X-RateLimit-Reset', String(reset));

    if (hourly.count > hourlyLimit) {
      this.metrics.observeRateLimitRefusal(tierOf(principal), 'hour');
      throw this.exceeded(hourlyLimit, 'hour', resetSeconds);
    }
    const burstLimit = this.config.rateLimits.burstPerSecond;
    if (burst.count > burstLimit) {
      this.metrics.observeRateLimitRefusal(tierOf(principal), 'second');
      throw this.exceeded(burstLimit, 'second', Math.max(1, Math.ceil(burst.resetInMs / SECOND_MS)));
    }
    return true;
  }

  private hourlyLimit(principal: Principal | undefined): number {
    const tiers = this.config.rateLimits;
    return tiers[`${tierOf(principal)}PerHour`];
  }

  private exceeded(limit: number, window: 'hour' | 'second', retryAfter: number): AppError {
    return new AppError('RATE_LIMIT_EXCEEDED', {
      message: `Rate limit of ${limit} requests per ${window} exceeded.`,
      retryAfter,
      details: { limit, window },
    });
  }
}
