import { Injectable } from '@nestjs/common';
import { Attributed } from '../core/attribution/provenance.js';
import { cacheKeys, MarketCache } from '../core/cache/market-cache.js';
import { AppConfig } from '../core/config/app-config.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { AppError } from '../core/errors/app-error.js';
import { MarketDataPort } from '../alpaca/stocks/market-data.port.js';
import type { Bar, BarsPage } from '../alpaca/stocks/market-data.models.js';
import type { BarsQueryDto } from './dto/bars-query.dto.js';
import { MarketClockService } from './market-clock.service.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import { Clock } from '../core/time/clock.js';
import { newYorkDate } from '../core/time/new-york-date.js';

export interface BarsResult {
  symbol: string;
  timeframe: string;
  bars: Bar[];
  page_info: { has_more: boolean; next_page_token: string | null; count: number };
}

/** Historical bars for one symbol, one Alpaca page per request; the caller walks the pages. */
@Injectable()
export class StockBarsService {
  constructor(
    private readonly gateway: MarketDataPort,
    private readonly clock: MarketClockService,
    private readonly config: AppConfig,
    private readonly cache: MarketCache,
    private readonly quality: DataQualityService,
    private readonly time: Clock,
  ) {}

  /**
   * Bars that may still change (the range reaches today, or has no end) live briefly; history
   * long. "Today" is the trading day, New York's: from 20:00 or 19:00 New York time on, the UTC
   * date is already tomorrow's.
   */
  private ttlSeconds(end: string | undefined): number {
    const t = this.config.cache.ttlSeconds;
    const today = newYorkDate(this.time.now());
    return end === undefined || end.slice(0, 10) >= today ? t.barsRecent : t.barsPast;
  }

  /**
   * One Alpaca page of bars for one symbol as Alpaca sent it (an empty page included), through the
   * cache; both faces read the same entry.
   */
  async page(symbol: string, q: BarsQueryDto): Promise<Attributed<BarsPage>> {
    assertOrderedRange(q.start, q.end);
    const query = {
      symbol,
      timeframe: q.timeframe,
      start: q.start,
      end: q.end,
      limit: q.limit,
      pageToken: q.page_token,
      adjustment: q.adjustment,
      sort: q.sort,
      asof: q.asof,
    };
    const feed = this.config.alpaca.stockFeed;
    const [{ sourced: page, cache }, marketStatus] = await Promise.all([
      this.cache.through(
        {
          key: cacheKeys.query('stock:bars', { ...query, feed }),
          ttl: this.ttlSeconds(q.end),
          maxAgeSeconds: q.max_age_seconds,
        },
        async () => {
          const loaded = await this.gateway.bars(query);
          // Bars are history: checked once per page fetched (prices, future timestamps), cached with it.
          const at = this.quality.moment(false);
          const quality = this.quality.of(...loaded.value.bars.map((b) => this.quality.checks.bar(b, at)));
          return { ...loaded, provenance: { ...loaded.provenance, quality } };
        },
      ),
      this.clock.status(),
    ]);
    return new Attributed(page.value, page.provenance, cache, marketStatus);
  }

  async bars(symbol: string, q: BarsQueryDto): Promise<Attributed<BarsResult>> {
    const page = await this.page(symbol, q);
    const { bars, next_page_token } = page.data;
    // A first page with nothing and nowhere to go means there is no data for the request. Later
    // pages (the caller sent page_token) may legitimately be empty: Alpaca can return short pages.
    if (bars.length === 0 && next_page_token === null && q.page_token === undefined) {
      throw new AppError('HISTORICAL_DATA_UNAVAILABLE', {
        message: `Alpaca returned no ${q.timeframe} bars for ${symbol} in the requested range.`,
        details: {
          symbol,
          timeframe: q.timeframe,
          start: q.start ?? null,
          end: q.end ?? null,
          feed: this.config.alpaca.stockFeed,
        },
      });
    }
    return new Attributed(
      {
        symbol,
        timeframe: q.timeframe,
        bars,
        page_info: { has_more: next_page_token !== null, next_page_token, count: bars.length },
      },
      page.provenance,
      page.cache,
      page.marketStatus,
    );
  }
}
