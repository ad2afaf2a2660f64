import { Injectable, OnModuleInit } from '@nestjs/common';
import { MarketDataPort } from '../alpaca/stocks/market-data.port.js';
import { AppError } from '../core/errors/app-error.js';
import { ReadinessRegistry, type ReadinessCheck } from '../core/readiness/readiness.registry.js';

/** Probes run every few seconds on every pod; Alpaca's quota is shared, so ask at most this often. */
export const ALPACA_CHECK_CACHE_MS = 30_000;
const ALPACA_CHECK_TIMEOUT_MS = 2500;

/**
 * Alpaca is reachable with our credentials: GET /v2/clock on the trading host, the cheapest call
 * that needs them and carries no account data. The result (up or down) is reused for 30 s. Down
 * on network errors, timeouts, 5xx and refused credentials; a 429 still counts as reachable.
 */
@Injectable()
export class AlpacaReadiness implements ReadinessCheck, OnModuleInit {
  readonly name = 'alpaca';
  readonly cacheMs = ALPACA_CHECK_CACHE_MS;
  readonly timeoutMs = ALPACA_CHECK_TIMEOUT_MS;

  constructor(
    private readonly gateway: MarketDataPort,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<Record<string, unknown>> {
    try {
      const clock = await this.gateway.clock();
      return { provider: clock.provenance.provider };
    } catch (e: unknown) {
      const code = e instanceof AppError ? e.code : 'INTERNAL_SERVICE_ERROR';
      // Alpaca answered and knows our keys; an exhausted quota must not take every pod out of
      // service at once (cached answers can still be served), so it counts as reachable.
      if (code === 'UPSTREAM_RATE_LIMITED') return { rate_limited: true };
      throw new Error(`Alpaca clock call failed: ${code}`, { cause: e });
    }
  }
}
