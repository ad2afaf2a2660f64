import type { Provenance } from '../../core/attribution/provenance.js';
import { cacheKeys, type MarketCache } from '../../core/cache/market-cache.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { DataQuality } from '../../core/quality/data-quality.js';
import type { FeedStream, FeedSubscription } from '../feed/stream-feed.js';

const OFFICIAL_STREAM_HOSTS = new Set(['stream.data.alpaca.markets', 'stream.data.sandbox.alpaca.markets']);

/**
 * The stream-fed cache: while a stock symbol's quotes or trades are streamed (by this instance's
 * clients, or in a fleet by anyone's), the cache answers REST reads of it from the stream
 * (`STREAM`). A symbol no longer streamed, or a stream interrupted, goes back to Alpaca.
 */
export class StreamCacheWriter {
  /** Who serves the stream, as provenance and the clients' messages name it. */
  readonly provider: 'alpaca' | 'non_alpaca_host';
  readonly providerHost: string;
  /** Stock symbols whose quotes/trades the cache holds from the stream, per kind. */
  private readonly streamedKeys = { quote: new Set<string>(), trade: new Set<string>() };

  constructor(
    private readonly cache: MarketCache,
    private readonly config: AppConfig,
  ) {
    this.providerHost = new URL(config.stream.url).host;
    this.provider = OFFICIAL_STREAM_HOSTS.has(this.providerHost) ? 'alpaca' : 'non_alpaca_host';
  }

  /** A streamed stock quote or trade: the cache's answer for the symbol from now on. */
  write(
    kind: 'quote' | 'trade',
    feed: string,
    symbol: string,
    value: object,
    tick: { timestamp: string; receivedMs: number; quality: DataQuality },
  ): void {
    const provenance: Provenance = {
      dataSource: 'alpaca_real_time',
      provider: this.provider,
      providerHost: this.providerHost,
      feed,
      dataTimestamp: tick.timestamp,
      upstreamRequestIds: [],
      fetchedAt: tick.receivedMs,
      quality: tick.quality,
    };
    this.streamedKeys[kind].add(symbol);
    this.cache.setStreamed(cacheKeys.stock(kind, feed, symbol), { value, provenance });
  }

  /** A symbol no longer streamed (by anyone) loses its STREAM answer: REST goes back to Alpaca. */
  keepOnly(endpoint: FeedStream, union: FeedSubscription): void {
    if (endpoint !== 'stocks') return;
    for (const kind of ['quote', 'trade'] as const) {
      const still = union[kind === 'quote' ? 'quotes' : 'trades'];
      for (const symbol of [...this.streamedKeys[kind]])
        if (still === undefined || !still.has(symbol)) this.unset(kind, symbol);
    }
  }

  /** After an interruption the kept values are no longer the latest: REST goes back to Alpaca until ticks flow. */
  clear(endpoint: FeedStream): void {
    if (endpoint !== 'stocks') return;
    for (const kind of ['quote', 'trade'] as const)
      for (const symbol of [...this.streamedKeys[kind]]) this.unset(kind, symbol);
  }

  private unset(kind: 'quote' | 'trade', symbol: string): void {
    this.streamedKeys[kind].delete(symbol);
    this.cache.unsetStreamed(cacheKeys.stock(kind, this.config.alpaca.stockFeed, symbol));
  }
}
