import { Injectable } from '@nestjs/common';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import type { CacheState, MarketStatus, Provenance } from '../attribution/provenance.js';
import { AppConfig } from '../config/app-config.js';
import { WinstonLogger } from '../logging/winston-logger.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { RedisService } from '../redis/redis.service.js';
import { SingleFlight } from './single-flight.js';
import { RedisKeyvStore } from './stores.js';
import { Clock } from '../time/clock.js';
import { currentScope, type RequestScope } from '../telemetry/request-scope.js';
import { ATTR, childSpan, SpanKind } from '../telemetry/spans.js';
import type { Span } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';

export interface SourcedValue<T> {
  value: T;
  provenance: Provenance;
}

export interface CacheResult<T> {
  sourced: SourcedValue<T>;
  cache: CacheState;
}

const MS_PER_SECOND = 1000;
const REDIS_PREFIX = 'opitios:cache:';

/**
 * What a cached answer is, for its lifetime: latest market data, chains, history (wholly in the
 * past, or reaching today), news, screeners, or reference data. Trading data is never cached.
 */
export type CacheKind =
  | 'quote'
  | 'snapshot'
  | 'option_quote'
  | 'chain'
  | 'history_past'
  | 'history_recent'
  | 'news'
  | 'screener'
  | 'reference';

/**
 * Real Alpaca answers, kept with their upstream timestamp and fetch time: an in-process layer
 * (bounded) and, with REDIS_URL, a Redis layer shared by all instances (Keyv over our Redis store).
 * `through` is cache-aside plus single-flight: concurrent misses for one key share one load, and a
 * failed load is never stored. A Redis outage only costs the shared layer.
 */
@Injectable()
export class MarketCache {
  private readonly l1: Cache;
  /**
   * Keyv itself rather than cache-manager over it: cache-manager's `get` drops the entry's expiry
   * and its `ttl` reads the whole entry again, so an L2 hit would cost two Redis GETs.
   */
  private readonly l2: Keyv<SourcedValue<unknown>> | null;
  private readonly flights = new SingleFlight();
  /** Latest values from Alpaca's streams, per key, while the symbol is streamed (set by the stream hub). */
  private readonly streamed = new Map<string, SourcedValue<unknown>>();
  private l2Degraded = false;

  constructor(
    private readonly config: AppConfig,
    redis: RedisService,
    private readonly logger: WinstonLogger,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {
    // In process there is nothing to serialize: entries are kept as objects (never mutated by readers),
    // which saves a JSON round trip on every hit.
    const local = new Keyv({ store: new LRUCache<string, object>({ max: config.cache.l1MaxEntries }) });
    local.serialize = undefined;
    local.deserialize = undefined;
    this.l1 = createCache({ stores: [local] });
    const client = redis.client();
    this.l2 =
      client === null
        ? null
        : new Keyv<SourcedValue<unknown>>({
            store: new RedisKeyvStore(
              client,
              REDIS_PREFIX,
              (e) => this.degraded(e),
              () => this.restored(),
            ),
          });
  }

  /** TTL for an answer of this kind, from the market clock's status (unknown: the open, shorter one). */
  ttlSeconds(kind: CacheKind, market: MarketStatus): number {
    const t = this.config.cache.ttlSeconds;
    const open = market !== 'closed';
    switch (kind) {
      case 'quote':
        return open ? t.quoteOpen : t.quoteClosed;
      case 'snapshot':
        return open ? t.snapshotOpen : t.quoteClosed;
      case 'option_quote':
        return open ? t.optionQuoteOpen : t.quoteClosed;
      case 'chain':
        return open ? t.chainOpen : t.chainClosed;
      case 'history_past':
        return t.barsPast;
      case 'history_recent':
        return t.barsRecent;
      case 'news':
        return t.news;
      case 'screener':
        return open ? t.screenerOpen : t.quoteClosed;
      case 'reference':
        return t.reference;
    }
  }

  /**
   * The cached answer when there is one no older than `maxAgeSeconds` (if given), else a load
   * shared with any concurrent caller of the same key, stored for `ttlSeconds` (0: not stored).
   */
  async through<T>({ key, ttl, maxAgeSeconds }: Lookup, load: () => Promise<SourcedValue<T>>): Promise<CacheResult<T>> {
    // The request asking (none for a background refresh); a shared load runs in the first asker's.
    const scope = currentScope();
    // The lookup's span (tracing on) and the request's record of it (for an aborted request's line).
    const span = childSpan('cache.lookup', SpanKind.INTERNAL, { [ATTR.cacheKey]: key }, scope);
    const live = this.streamed.get(key) as SourcedValue<T> | undefined;
    if (live !== undefined) {
      const age = (this.clock.now() - live.provenance.fetchedAt) / MS_PER_SECOND;
      if (maxAgeSeconds === undefined || age <= maxAgeSeconds) {
        noteLookup(scope, span, 'STREAM');
        return { sourced: live, cache: { status: 'STREAM', ageSeconds: age, maxAgeSeconds: await ttl } };
      }
    }
    // The TTL may still be on its way (it depends on the market clock): the lookup does not need it.
    const hit = ttl === 0 ? undefined : await this.lookup<T>(key);
    if (hit !== undefined) {
      const age = (this.clock.now() - hit.provenance.fetchedAt) / MS_PER_SECOND;
      if (maxAgeSeconds === undefined || age <= maxAgeSeconds) {
        noteLookup(scope, span, 'HIT');
        return { sourced: hit, cache: { status: 'HIT', ageSeconds: age, maxAgeSeconds: await ttl } };
      }
    }
    noteLookup(scope, span, ttl === 0 ? 'BYPASS' : 'MISS');
    const sourced = await this.flights.run(`${key}|${maxAgeSeconds ?? ''}`, async () => {
      const loaded = await load();
      const seconds = await ttl;
      if (seconds > 0) await this.store(key, loaded, seconds);
      return loaded;
    });
    const seconds = await ttl;
    return {
      sourced,
      cache:
        seconds > 0
          ? { status: 'MISS', ageSeconds: 0, maxAgeSeconds: seconds }
          : { status: 'BYPASS', ageSeconds: 0, maxAgeSeconds: null },
    };
  }

  /** Drops the in-process layer (Redis entries simply expire). */
  async clear(): Promise<void> {
    this.streamed.clear();
    await this.l1.clear();
  }

  /**
   * The stream hub's latest value for a key (a streamed quote or trade): answered as `STREAM`
   * without any upstream call until `unsetStreamed` (the symbol left the stream, or the stream was
   * interrupted and the value can no longer be called the latest).
   */
  setStreamed<T>(key: string, value: SourcedValue<T>): void {
    this.streamed.set(key, value);
  }

  unsetStreamed(key: string): void {
    this.streamed.delete(key);
  }

  private async lookup<T>(key: string): Promise<SourcedValue<T> | undefined> {
    const local = await this.l1.get<SourcedValue<T>>(key);
    this.metrics.observeCacheLookup('l1', local === undefined ? 'miss' : 'hit');
    if (local !== undefined || this.l2 === null) return local;
    // One read gives the value and its expiry (Keyv treats an expired entry as absent).
    // bench: one Redis round trip per L2 hit instead of two (Keyv get + TTL), counted with MONITOR in cache-l2-round-trips.int-spec.
    const entry = await this.l2.getRaw<SourcedValue<T>>(key);
    const shared = entry?.value;
    this.metrics.observeCacheLookup('l2', shared === undefined ? 'miss' : 'hit');
    if (entry === undefined || shared === undefined) return undefined;
    // Keep it locally for what is left of its life, so the next lookup stays in process.
    // Keyv's expiry is an instant in real time, whatever the gateway's clock says.
    const left = typeof entry.expires === 'number' ? entry.expires - Date.now() : 0;
    if (left > 0) await this.l1.set(key, shared, left);
    return shared;
  }

  /** Stores an answer fetched alongside another (a refresh-ahead), exactly as `through` would. */
  async put<T>(key: string, value: SourcedValue<T>, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.store(key, value, ttlSeconds);
  }

  private async store<T>(key: string, value: SourcedValue<T>, ttlSeconds: number): Promise<void> {
    const ttlMs = ttlSeconds * MS_PER_SECOND;
    await this.l1.set(key, value, ttlMs);
    if (this.l2 !== null) await this.l2.set(key, value, ttlMs);
  }

  private degraded(e: unknown): void {
    if (this.l2Degraded) return;
    this.l2Degraded = true;
    this.logger.event('warn', 'cache_l2_degraded', {
      reason: e instanceof Error ? e.message : String(e),
      note: 'serving from the in-process layer only',
    });
  }

  private restored(): void {
    if (!this.l2Degraded) return;
    this.l2Degraded = false;
    this.logger.event('info', 'cache_l2_restored', {});
  }
}

/** One cache lookup: what is asked for, and how long an answer may live and be. */
export interface Lookup {
  key: string;
  /** Seconds an answer loaded now is kept (0: not stored); may still be on its way (it depends on the market clock). */
  ttl: number | Promise<number>;
  /** The client's `max_age_seconds`: an older cached answer is not good enough. */
  maxAgeSeconds: number | undefined;
}

/** Ends a lookup's span with its result, and records the result on the request (and its server span). */
function noteLookup(scope: RequestScope | undefined, span: Span | null, result: string): void {
  if (scope !== undefined) scope.cache = result;
  if (span === null) return;
  span.setAttribute(ATTR.cacheResult, result);
  span.end();
}

/** Cache keys, built in one place: every parameter that changes the answer is in the key. */
export const cacheKeys = {
  stock: (kind: 'quote' | 'trade' | 'snapshot', feed: string, symbol: string): string =>
    `stock:${kind}:${feed}:${symbol}`,
  option: (feed: string, symbol: string): string => `option:snapshot:${feed}:${symbol}`,
  /** Any query-shaped request: parameters sorted, undefined ones left out. */
  query: (name: string, params: Record<string, string | number | boolean | undefined>): string =>
    `${name}:${Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('&')}`,
};
