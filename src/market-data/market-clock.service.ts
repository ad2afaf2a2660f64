import { Injectable } from '@nestjs/common';
import type { CacheState, MarketStatus } from '../core/attribution/provenance.js';
import { parseUpstreamTimestamp } from '../core/attribution/timestamps.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { Clock } from '../core/time/clock.js';
import { MarketDataPort, type Sourced } from '../alpaca/stocks/market-data.port.js';
import type { MarketClock } from '../alpaca/stocks/market-data.models.js';
import { runOutsideScope } from '../core/telemetry/request-scope.js';

interface CachedClock {
  clock: Sourced<MarketClock>;
  /** Local time at which Alpaca's clock says the market next opens or closes. */
  validUntil: number;
}

const MS_PER_SECOND = 1000;

/**
 * Market status from Alpaca's own clock, never a hard-coded schedule. The clock is cached until
 * its next open/close (measured from Alpaca's timestamp, so local clock skew does not matter);
 * concurrent misses share one upstream call.
 */
@Injectable()
export class MarketClockService {
  private cached: CachedClock | null = null;
  private inflight: Promise<CachedClock> | null = null;

  constructor(
    private readonly gateway: MarketDataPort,
    private readonly logger: WinstonLogger,
    private readonly time: Clock,
  ) {}

  async clock(): Promise<{ clock: Sourced<MarketClock>; cache: CacheState }> {
    const now = this.time.now();
    const hit = this.cached !== null && now < this.cached.validUntil ? this.cached : null;
    const entry = hit ?? (await this.refresh());
    return {
      clock: entry.clock,
      cache: {
        status: hit === null ? 'MISS' : 'HIT',
        ageSeconds: hit === null ? 0 : (now - entry.clock.provenance.fetchedAt) / MS_PER_SECOND,
        maxAgeSeconds: Math.max(0, (entry.validUntil - entry.clock.provenance.fetchedAt) / MS_PER_SECOND),
      },
    };
  }

  /** `open`/`closed` per Alpaca's clock; `unknown` (and a warning) when the clock cannot be had. */
  async status(): Promise<MarketStatus> {
    try {
      const { clock } = await this.clock();
      return clock.value.is_open ? 'open' : 'closed';
    } catch (e: unknown) {
      this.logger.event('warn', 'market_clock_unavailable', { error: e instanceof Error ? e.message : String(e) });
      return 'unknown';
    }
  }

  /**
   * Today's date in New York (YYYY-MM-DD), read from Alpaca's clock timestamp (which carries the
   * New-York offset); null when the clock cannot be had.
   */
  async today(): Promise<string | null> {
    try {
      const { clock } = await this.clock();
      return /^\d{4}-\d{2}-\d{2}/.exec(clock.value.timestamp)?.[0] ?? null;
    } catch (e: unknown) {
      this.logger.event('warn', 'market_clock_unavailable', { error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  /**
   * One refresh shared by every request that needs the clock meanwhile: it names none of them
   * (run outside the scope of the request that happened to start it), so its upstream line and
   * span are not charged to that one request.
   */
  private refresh(): Promise<CachedClock> {
    this.inflight ??= runOutsideScope(() => this.fetch()).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async fetch(): Promise<CachedClock> {
    const clock = await this.gateway.clock();
    const entry = { clock, validUntil: this.validUntil(clock) };
    this.cached = entry;
    return entry;
  }

  private validUntil(clock: Sourced<MarketClock>): number {
    const c = clock.value;
    const at = parseUpstreamTimestamp(c.timestamp);
    const next = parseUpstreamTimestamp(c.is_open ? c.next_close : c.next_open);
    // Without readable times there is no safe lifetime: do not cache.
    if (at === null || next === null || next <= at) return clock.provenance.fetchedAt;
    return clock.provenance.fetchedAt + (next - at);
  }
}
