import { Injectable } from '@nestjs/common';
import type { DataSource, Provenance } from '../../core/attribution/provenance.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AlpacaDataClient, AlpacaTradingClient } from '../http/alpaca-clients.js';
import type { UpstreamResponse } from '../http/upstream-call.js';
import { MarketDataPort, type Sourced, type SymbolMap } from './market-data.port.js';
import { chunk, stampProvenance } from '../http/provenance-stamp.js';
import type { BarsPage, BarsQuery, MarketClock, StockQuote, StockSnapshot, StockTrade } from './market-data.models.js';
import {
  snapshotTimestamps,
  toBar,
  toMarketClock,
  toStockQuote,
  toStockSnapshot,
  toStockTrade,
} from './stock.mapper.js';
import {
  parseBarsPage,
  parseClock,
  parseLatestQuotes,
  parseLatestTrades,
  parseStockSnapshots,
} from './stock-wire-parsers.js';

/** Alpaca documents no maximum for stock multi-symbol calls; 100 matches the options limit. */
export const STOCK_SYMBOLS_PER_CALL = 100;

/** MarketDataPort over Alpaca's REST API (stocks v2 on the data host, clock on the trading host). */
@Injectable()
export class AlpacaMarketDataAdapter extends MarketDataPort {
  constructor(
    private readonly data: AlpacaDataClient,
    private readonly trading: AlpacaTradingClient,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async latestQuotes(symbols: string[]): Promise<Sourced<SymbolMap<StockQuote>>> {
    return this.multiSymbol(
      symbols,
      async (batch) => {
        const res = await this.data.get('/v2/stocks/quotes/latest', {
          endpoint: '/v2/stocks/quotes/latest',
          query: { symbols: batch.join(','), feed: this.config.alpaca.stockFeed },
          parse: parseLatestQuotes,
        });
        return { res, items: Object.entries(res.body.quotes).map(([s, q]) => [s, toStockQuote(q)] as const) };
      },
      (q) => [q.timestamp],
    );
  }

  async latestTrades(symbols: string[]): Promise<Sourced<SymbolMap<StockTrade>>> {
    return this.multiSymbol(
      symbols,
      async (batch) => {
        const res = await this.data.get('/v2/stocks/trades/latest', {
          endpoint: '/v2/stocks/trades/latest',
          query: { symbols: batch.join(','), feed: this.config.alpaca.stockFeed },
          parse: parseLatestTrades,
        });
        return { res, items: Object.entries(res.body.trades).map(([s, t]) => [s, toStockTrade(t)] as const) };
      },
      (t) => [t.timestamp],
    );
  }

  async snapshots(symbols: string[]): Promise<Sourced<SymbolMap<StockSnapshot>>> {
    return this.multiSymbol(
      symbols,
      async (batch) => {
        const res = await this.data.get('/v2/stocks/snapshots', {
          endpoint: '/v2/stocks/snapshots',
          query: { symbols: batch.join(','), feed: this.config.alpaca.stockFeed },
          parse: parseStockSnapshots,
        });
        // A null member means Alpaca knows nothing of the symbol: treat it like an absent one.
        const items = Object.entries(res.body).flatMap(([s, snap]) =>
          snap === null ? [] : [[s, toStockSnapshot(snap)] as const],
        );
        return { res, items };
      },
      snapshotTimestamps,
    );
  }

  async bars(q: BarsQuery): Promise<Sourced<BarsPage>> {
    const res = await this.data.get('/v2/stocks/bars', {
      endpoint: '/v2/stocks/bars',
      priority: 'bulk',
      query: {
        symbols: q.symbol,
        timeframe: q.timeframe,
        start: q.start,
        end: q.end,
        limit: q.limit,
        page_token: q.pageToken,
        adjustment: q.adjustment,
        sort: q.sort,
        asof: q.asof,
        feed: this.config.alpaca.stockFeed,
      },
      parse: parseBarsPage,
    });
    const bars = (res.body.bars[q.symbol] ?? []).map(toBar);
    const value: BarsPage = { bars, next_page_token: res.body.next_page_token };
    return {
      value,
      provenance: this.provenance(
        'alpaca_historical',
        [res],
        bars.map((b) => b.timestamp),
      ),
    };
  }

  async clock(): Promise<Sourced<MarketClock>> {
    const res = await this.trading.get('/v2/clock', { endpoint: '/v2/clock', parse: parseClock });
    const value = toMarketClock(res.body);
    return { value, provenance: this.provenance('alpaca_trading', [res], [value.timestamp], null) };
  }

  /** Calls a multi-symbol endpoint once per chunk of symbols and merges the per-symbol results. */
  private async multiSymbol<T>(
    symbols: string[],
    call: (batch: string[]) => Promise<{ res: UpstreamResponse<unknown>; items: ReadonlyArray<readonly [string, T]> }>,
    timestampsOf: (item: T) => string[],
  ): Promise<Sourced<SymbolMap<T>>> {
    const results = await Promise.all(chunk(symbols, STOCK_SYMBOLS_PER_CALL).map(call));
    const value: SymbolMap<T> = new Map();
    for (const { items } of results) for (const [symbol, item] of items) value.set(symbol, item);
    const timestamps = [...value.values()].flatMap(timestampsOf);
    return {
      value,
      provenance: this.provenance(
        'alpaca_real_time',
        results.map((r) => r.res),
        timestamps,
      ),
    };
  }

  private provenance(
    dataSource: DataSource,
    responses: Array<UpstreamResponse<unknown>>,
    timestamps: string[],
    feed: string | null = this.config.alpaca.stockFeed,
  ): Provenance {
    const api = dataSource === 'alpaca_trading' ? 'trading' : 'data';
    return stampProvenance(this.config, { dataSource, api, responses, timestamps, feed });
  }
}
