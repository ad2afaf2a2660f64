import { Injectable } from '@nestjs/common';
import { Attributed, type MarketStatus, type Provenance } from '../core/attribution/provenance.js';
import { newestTimestamp } from '../core/attribution/timestamps.js';
import {
  dedupedBatchItems,
  type BatchItem as GenericBatchItem,
  type DedupedBatchSummary,
} from '../core/attribution/batch-result.js';
import { cacheKeys, MarketCache, type CacheResult } from '../core/cache/market-cache.js';
import { settleBatch } from '../core/cache/merge.js';
import { MicroBatcher } from '../core/cache/micro-batcher.js';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { Clock } from '../core/time/clock.js';
import {
  batchQuality,
  stockSnapshotFlags,
  type QualityFlag,
  type QualityMoment,
} from '../core/quality/data-quality.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { MarketDataPort, type Sourced, type SymbolMap } from '../alpaca/stocks/market-data.port.js';
import type { StockQuote, StockSnapshot, StockTrade } from '../alpaca/stocks/market-data.models.js';
import { snapshotTimestamps } from '../alpaca/stocks/stock.mapper.js';
import { MarketClockService } from './market-clock.service.js';
import { normalizeStockSymbols } from '../core/validation/stock-symbol.js';
import { HotSet } from './stock-hot-set.js';

export type Symbolled<T> = { symbol: string } & T;

export type BatchItem = GenericBatchItem<Symbolled<StockQuote>, 'SYMBOL_NOT_FOUND'>;

export interface BatchResult {
  quotes: BatchItem[];
  summary: DedupedBatchSummary;
}

type Kind = 'quote' | 'trade' | 'snapshot';
interface KindValue {
  quote: StockQuote;
  trade: StockTrade;
  snapshot: StockSnapshot;
}

/** Latest values of one kind for several symbols: the ones Alpaca had (in the order asked), and the rest. */
export interface LatestMany<T> {
  found: Map<string, T>;
  missing: string[];
  /** Quality flags per found symbol. */
  flags: Record<string, QualityFlag[]>;
}

/** A multi-symbol call of one kind (made in the scope of the request that opened the batch). */
type Loader<T> = (symbols: string[]) => Promise<Sourced<SymbolMap<T>>>;

/** One symbol's value of one kind, as a client asked for it. */
interface SymbolLoad {
  kind: Kind;
  symbol: string;
  market: Promise<MarketStatus>;
  maxAgeSeconds: number | undefined;
}

/** What a kind of value means for freshness and quality: its timestamps, and the checks that apply. */
interface Meaning<T> {
  timestamps: (item: T) => string[];
  flags: (item: T, at: QualityMoment) => QualityFlag[];
}
const SYMBOLS_PER_CALL = 100;

/** Alpaca had nothing for the symbol; carries the provenance of the call that said so. */
class SymbolMissing extends AppError {
  constructor(
    symbol: string,
    feed: string,
    readonly provenance: Provenance,
  ) {
    super('SYMBOL_NOT_FOUND', {
      message: `Alpaca returned no data for ${symbol} on the ${feed} feed.`,
      details: { symbol, feed },
    });
  }
}

/**
 * Latest quote / trade / snapshot for one symbol or many. Cache first; misses for different
 * symbols that arrive together merge into one multi-symbol call (MicroBatcher), and concurrent
 * misses for one symbol share one load (MarketCache.through).
 */
@Injectable()
export class StockQuotesService {
  private readonly batchers: {
    quote: MicroBatcher<StockQuote>;
    trade: MicroBatcher<StockTrade>;
    snapshot: MicroBatcher<StockSnapshot>;
  };
  private readonly hot: Record<Kind, HotSet>;

  constructor(
    private readonly gateway: MarketDataPort,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
    private readonly cache: MarketCache,
    time: Clock,
    private readonly quality: DataQualityService,
  ) {
    this.hot = { quote: new HotSet(time), trade: new HotSet(time), snapshot: new HotSet(time) };
    const windowMs = config.resilience.batchWindowMs;
    const batcher = <T extends object>(kind: Kind, load: Loader<T>, meaning: Meaning<T>): MicroBatcher<T> =>
      new MicroBatcher((symbols) => this.loadWithRefresh(kind, symbols, load, meaning), windowMs, SYMBOLS_PER_CALL);
    this.batchers = {
      quote: batcher('quote', (s) => this.gateway.latestQuotes(s), this.quoteMeaning),
      trade: batcher('trade', (s) => this.gateway.latestTrades(s), this.tradeMeaning),
      snapshot: batcher('snapshot', (s) => this.gateway.snapshots(s), this.snapshotMeaning),
    };
  }

  async quote(symbol: string, maxAgeSeconds?: number): Promise<Attributed<Symbolled<StockQuote>>> {
    const market = this.clock.status();
    const r = await this.load({ kind: 'quote', symbol, market, maxAgeSeconds }, this.quoteMeaning);
    return this.answer(symbol, await market, r);
  }

  async trade(symbol: string, maxAgeSeconds?: number): Promise<Attributed<Symbolled<StockTrade>>> {
    const market = this.clock.status();
    const r = await this.load({ kind: 'trade', symbol, market, maxAgeSeconds }, this.tradeMeaning);
    return this.answer(symbol, await market, r);
  }

  async snapshot(symbol: string, maxAgeSeconds?: number): Promise<Attributed<Symbolled<StockSnapshot>>> {
    const market = this.clock.status();
    const r = await this.load({ kind: 'snapshot', symbol, market, maxAgeSeconds }, this.snapshotMeaning);
    return this.answer(symbol, await market, r);
  }

  async batch(rawSymbols: string[], maxAgeSeconds?: number): Promise<Attributed<BatchResult>> {
    this.assertBatchSize(rawSymbols.length);
    const symbols = normalizeStockSymbols(rawSymbols);
    const many = await this.latestMany('quote', symbols, maxAgeSeconds);
    const { found } = many.data;
    const { items, summary } = dedupedBatchItems(symbols, rawSymbols.length, 'SYMBOL_NOT_FOUND', (symbol) => {
      const value = found.get(symbol);
      return value === undefined ? undefined : { symbol, ...value };
    });
    return new Attributed({ quotes: items, summary }, many.provenance, many.cache, many.marketStatus);
  }

  /**
   * Latest values of one kind for several (normalized, distinct) symbols, each through its own
   * cache entry (so one symbol asked alone and in a list is one entry); the misses of the moment
   * merge into one multi-symbol call per 100. At most STOCK_BATCH_MAX_SYMBOLS symbols.
   */
  async latestMany<K extends Kind>(
    kind: K,
    symbols: string[],
    maxAgeSeconds?: number,
  ): Promise<Attributed<LatestMany<KindValue[K]>>> {
    this.assertBatchSize(symbols.length);
    const marketP = this.clock.status();
    const meaning = this.meanings[kind] as Meaning<KindValue[K]>;
    const batch = await settleBatch(
      symbols,
      (symbol) => this.load({ kind, symbol, market: marketP, maxAgeSeconds }, meaning),
      (e): e is SymbolMissing => e instanceof SymbolMissing,
    );
    const found = new Map<string, KindValue[K]>();
    const missing: string[] = [];
    const flags: Record<string, QualityFlag[]> = {};
    for (const { key, result } of batch.results) {
      if (result === null) {
        missing.push(key);
        continue;
      }
      found.set(key, result.sourced.value);
      flags[key] = result.sourced.provenance.quality?.flags ?? [];
    }
    return new Attributed(
      { found, missing, flags },
      { ...batch.provenance, quality: batchQuality(flags) },
      batch.cache,
      await marketP,
    );
  }

  /** One multi-symbol call for the requested symbols plus due hot ones; the extras go straight to the cache. */
  private async loadWithRefresh<T extends object>(
    kind: Kind,
    requested: string[],
    load: (s: string[]) => Promise<Sourced<SymbolMap<T>>>,
    meaning: Meaning<T>,
  ): Promise<Sourced<SymbolMap<T>>> {
    const market = await this.clock.status();
    const ttl = this.cache.ttlSeconds(kind === 'snapshot' ? 'snapshot' : 'quote', market);
    const extra = ttl > 0 ? this.hot[kind].dueFor(requested, ttl, SYMBOLS_PER_CALL - requested.length) : [];
    const result = await load([...requested, ...extra]);
    for (const symbol of requested) this.hot[kind].fetchedNow(symbol);
    const feed = this.config.alpaca.stockFeed;
    await Promise.all(
      extra.map(async (symbol) => {
        const item = result.value.get(symbol);
        if (item === undefined) return;
        this.hot[kind].fetchedNow(symbol);
        const provenance = this.stamped(result.provenance, item, meaning, market);
        await this.cache.put(cacheKeys.stock(kind, feed, symbol), { value: item, provenance }, ttl);
      }),
    );
    return result;
  }

  private load<T extends object>(
    { kind, symbol, market, maxAgeSeconds }: SymbolLoad,
    meaning: Meaning<T>,
  ): Promise<CacheResult<T>> {
    const feed = this.config.alpaca.stockFeed;
    const ttl = market.then((m) => this.cache.ttlSeconds(kind === 'snapshot' ? 'snapshot' : 'quote', m));
    const batcher = this.batchers[kind] as unknown as MicroBatcher<T>;
    this.hot[kind].touch(symbol);
    return this.cache.through({ key: cacheKeys.stock(kind, feed, symbol), ttl, maxAgeSeconds }, async () => {
      const { item, provenance } = await batcher.load(symbol);
      if (item === undefined) throw new SymbolMissing(symbol, feed, { ...provenance, dataTimestamp: null });
      return { value: item, provenance: this.stamped(provenance, item, meaning, await market) };
    });
  }

  /** The value's newest timestamp and what the meaning checks found, once, as it enters the cache. */
  private stamped<T>(provenance: Provenance, item: T, meaning: Meaning<T>, market: MarketStatus): Provenance {
    const at = this.quality.moment(market === 'open');
    return {
      ...provenance,
      dataTimestamp: newestTimestamp(meaning.timestamps(item)),
      quality: this.quality.of(meaning.flags(item, at)),
    };
  }

  private readonly quoteMeaning: Meaning<StockQuote> = {
    timestamps: (q) => [q.timestamp],
    flags: (q, at) => this.quality.checks.quote(q, at),
  };
  private readonly tradeMeaning: Meaning<StockTrade> = {
    timestamps: (t) => [t.timestamp],
    flags: (t, at) => this.quality.checks.trade(t, at),
  };
  private readonly snapshotMeaning: Meaning<StockSnapshot> = {
    timestamps: snapshotTimestamps,
    flags: (s, at) => stockSnapshotFlags(this.quality.checks, s, at),
  };

  private assertBatchSize(requested: number): void {
    const max = this.config.stockBatchMaxSymbols;
    if (requested > max) {
      throw new AppError('REQUEST_SIZE_EXCEEDED', {
        message: `At most ${max} symbols per batch; ${requested} were sent.`,
        details: { max, requested },
      });
    }
  }

  private readonly meanings: { [K in Kind]: Meaning<KindValue[K]> } = {
    quote: this.quoteMeaning,
    trade: this.tradeMeaning,
    snapshot: this.snapshotMeaning,
  };

  private answer<T extends object>(symbol: string, market: MarketStatus, r: CacheResult<T>): Attributed<Symbolled<T>> {
    return new Attributed({ symbol, ...r.sourced.value }, r.sourced.provenance, r.cache, market);
  }
}
