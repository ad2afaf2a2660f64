import { Injectable } from '@nestjs/common';
import { Attributed, type MarketStatus } from '../../core/attribution/provenance.js';
import { cacheKeys, MarketCache } from '../../core/cache/market-cache.js';
import { AppConfig } from '../../core/config/app-config.js';
import { DataQualityService } from '../../core/quality/data-quality.service.js';
import { Clock } from '../../core/time/clock.js';
import { newYorkDate } from '../../core/time/new-york-date.js';
import { feedFor } from '../../alpaca/reference/market-operations.js';
import { PassThroughPort, type UpstreamCall } from '../../alpaca/reference/pass-through.port.js';
import { MarketClockService } from '../market-clock.service.js';
import type { CachePolicy, PassThroughRoute, RouteInput, RouteSource } from './pass-through-route.js';

/** The cache key of a call: every path value and query parameter that changes the answer, and the feed. */
function keyOf(name: string, call: UpstreamCall, feed: string | null): string {
  const path = Object.fromEntries(Object.entries(call.path ?? {}).map(([k, v]) => [`path.${k}`, v]));
  return cacheKeys.query(`pass:${name}`, { ...path, ...call.query, feed: feed ?? undefined });
}

/**
 * Serves any pass-through route: cache first (concurrent misses share one upstream call), one
 * Alpaca call through the budget and circuit breaker otherwise, then the route's answer with the
 * provenance the adapter stamped. One page per request: a next_page_token is handed to the client,
 * never followed here.
 */
@Injectable()
export class PassThroughService {
  constructor(
    private readonly gateway: PassThroughPort,
    private readonly clock: MarketClockService,
    private readonly cache: MarketCache,
    private readonly config: AppConfig,
    private readonly quality: DataQualityService,
    private readonly time: Clock,
  ) {}

  /** One route's answer. */
  async serve<Q extends RouteInput, M, D>(route: PassThroughRoute<Q, M, D>, q: Q): Promise<Attributed<D>> {
    const { page, feed } = await this.load(route, q);
    return new Attributed(route.answer(page.data, q, feed), page.provenance, page.cache, page.marketStatus);
  }

  /**
   * One route's upstream answer as our model, before the route's own answer: another face (the
   * Alpaca-compatible one) renders it in its own body from the same call and cache entry.
   */
  async model<Q extends RouteInput, M>(route: RouteSource<Q, M>, q: Q): Promise<Attributed<M>> {
    return (await this.load(route, q)).page;
  }

  private async load<Q extends RouteInput, M>(
    route: RouteSource<Q, M>,
    q: Q,
  ): Promise<{ page: Attributed<M>; feed: string | null }> {
    const call = route.call(q);
    const market = this.clock.status();
    const feed = feedFor(route.operation, this.config);
    const key = keyOf(route.name, call, feed);
    const check = route.operation.quality;
    const lookup = { key, ttl: this.ttl(route.cache, q.end, market), maxAgeSeconds: q.max_age_seconds };
    const { sourced, cache } = await this.cache.through(lookup, async () => {
      const loaded = await this.gateway.call(route.operation, call);
      if (check === undefined) return loaded;
      // Market data is checked once per answer fetched, per symbol; the flags are cached with it.
      const perSymbol = check(loaded.value, this.quality.checks, this.quality.moment((await market) === 'open'));
      return { ...loaded, provenance: { ...loaded.provenance, quality: this.quality.ofEach(perSymbol) } };
    });
    return { page: new Attributed(sourced.value, sourced.provenance, cache, await market), feed };
  }

  private async ttl(policy: CachePolicy, end: string | undefined, market: Promise<MarketStatus>): Promise<number> {
    if (policy !== 'history') return this.cache.ttlSeconds(policy, await market);
    // History ending before today (New York, per Alpaca's clock, else the gateway's) will not change: keep it long.
    const today = (await this.clock.today()) ?? newYorkDate(this.time.now());
    const past = end !== undefined && end.slice(0, 10) < today;
    return this.cache.ttlSeconds(past ? 'history_past' : 'history_recent', await market);
  }
}
