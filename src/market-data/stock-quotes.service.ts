import { Injectable } from '@nestjs/common';
import { Attributed, type CacheState, type Provenance } from '../core/attribution/provenance.js';
import { newestTimestamp } from '../core/attribution/timestamps.js';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { catalogEntry } from '../core/errors/error-catalog.js';
import { MarketDataGateway, type Sourced, type SymbolMap } from '../alpaca/market-data.gateway.js';
import type { StockQuote, StockSnapshot, StockTrade } from '../alpaca/market-data.models.js';
import { snapshotTimestamps } from '../alpaca/stock.mapper.js';
import { MarketClockService } from './market-clock.service.js';
import { normalizeStockSymbols } from './stock-symbol.js';

/** Nothing is cached yet: every answer comes straight from Alpaca. */
const NOT_CACHED: CacheState = { status: 'BYPASS', ageSeconds: 0, maxAgeSeconds: null };

export type Symbolled<T> = { symbol: string } & T;

export interface BatchItem {
  symbol: string;
  status: 'success' | 'error';
  data: Symbolled<StockQuote> | null;
  error: { code: 'SYMBOL_NOT_FOUND'; message: string; type: string } | null;
}

export interface BatchResult {
  quotes: BatchItem[];
  summary: { total_requested: number; successful: number; failed: number; duplicates_removed: number };
}

/** Latest quote / trade / snapshot for one symbol, and quotes for many in one upstream call. */
@Injectable()
export class StockQuotesService {
  constructor(
    private readonly gateway: MarketDataGateway,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
  ) {}

  async quote(symbol: string): Promise<Attributed<Symbolled<StockQuote>>> {
    return this.single(symbol, this.gateway.latestQuotes([symbol]), (q) => [q.timestamp]);
  }

  async trade(symbol: string): Promise<Attributed<Symbolled<StockTrade>>> {
    return this.single(symbol, this.gateway.latestTrades([symbol]), (t) => [t.timestamp]);
  }

  async snapshot(symbol: string): Promise<Attributed<Symbolled<StockSnapshot>>> {
    return this.single(symbol, this.gateway.snapshots([symbol]), snapshotTimestamps);
  }

  async batch(rawSymbols: string[]): Promise<Attributed<BatchResult>> {
    const max = this.config.stockBatchMaxSymbols;
    if (rawSymbols.length > max) {
      throw new AppError('REQUEST_SIZE_EXCEEDED', {
        message: `At most ${max} symbols per batch; ${rawSymbols.length} were sent.`,
        details: { max, requested: rawSymbols.length },
      });
    }
    const symbols = normalizeStockSymbols(rawSymbols);
    const [quotes, marketStatus] = await Promise.all([this.gateway.latestQuotes(symbols), this.clock.status()]);
    const notFound = catalogEntry('SYMBOL_NOT_FOUND');
    const items: BatchItem[] = symbols.map((symbol) => {
      const q = quotes.value.get(symbol);
      return q === undefined
        ? { symbol, status: 'error', data: null, error: { code: 'SYMBOL_NOT_FOUND', message: notFound.message, type: notFound.type } }
        : { symbol, status: 'success', data: { symbol, ...q }, error: null };
    });
    const successful = items.filter((i) => i.status === 'success').length;
    return new Attributed(
      {
        quotes: items,
        summary: {
          total_requested: symbols.length,
          successful,
          failed: symbols.length - successful,
          duplicates_removed: rawSymbols.length - symbols.length,
        },
      },
      quotes.provenance,
      NOT_CACHED,
      marketStatus,
    );
  }

  private async single<T extends object>(
    symbol: string,
    call: Promise<Sourced<SymbolMap<T>>>,
    timestampsOf: (item: T) => string[],
  ): Promise<Attributed<Symbolled<T>>> {
    const [result, marketStatus] = await Promise.all([call, this.clock.status()]);
    const item = result.value.get(symbol);
    if (item === undefined) {
      throw new AppError('SYMBOL_NOT_FOUND', {
        message: `Alpaca returned no data for ${symbol} on the ${this.config.alpaca.stockFeed} feed.`,
        details: { symbol, feed: this.config.alpaca.stockFeed },
      });
    }
    const provenance: Provenance = { ...result.provenance, dataTimestamp: newestTimestamp(timestampsOf(item)) };
    return new Attributed({ symbol, ...item }, provenance, NOT_CACHED, marketStatus);
  }
}
