import { Tracing } from '../core/telemetry/tracing.js';
import { Writable } from 'node:stream';
import { Test } from '@nestjs/testing';
import type { Provenance } from '../core/attribution/provenance.js';
import { MarketCache } from '../core/cache/market-cache.js';
import { AppConfig } from '../core/config/app-config.js';
import { validateConfig } from '../core/config/validate-config.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { RedisService } from '../core/redis/redis.service.js';
import { Clock } from '../core/time/clock.js';
import { MarketDataPort, type Sourced, type SymbolMap } from '../alpaca/stocks/market-data.port.js';
import type {
  BarsPage,
  MarketClock,
  StockQuote,
  StockSnapshot,
  StockTrade,
} from '../alpaca/stocks/market-data.models.js';
import { BarsQueryDto } from './dto/bars-query.dto.js';
import { MarketClockService } from './market-clock.service.js';
import { StockBarsService } from './stock-bars.service.js';

const RECENT_S = 60;
const PAST_S = 86_400;
const config = validateConfig({
  APCA_API_KEY_ID: 'key',
  APCA_API_SECRET_KEY: 'secret',
  JWT_SECRET: 'unit-test-secret-0123456789abcdefghij',
  CACHE_TTL_BARS_RECENT_S: String(RECENT_S),
  CACHE_TTL_BARS_PAST_S: String(PAST_S),
});
const PROVENANCE: Provenance = {
  dataSource: 'alpaca_historical',
  provider: 'alpaca',
  providerHost: 'data.alpaca.markets',
  feed: 'iex',
  dataTimestamp: null,
  upstreamRequestIds: [],
  fetchedAt: 0,
};

/** "Now" is whatever the test says. */
class FixedClock extends Clock {
  constructor(private readonly at: number) {
    super();
  }

  now(): number {
    return this.at;
  }
}

/** Answers every bars call with one daily bar; nothing else is used. */
class FakeGateway extends MarketDataPort {
  bars(): Promise<Sourced<BarsPage>> {
    const bar = {
      timestamp: '2024-01-08T05:00:00Z',
      open: 1,
      high: 2,
      low: 1,
      close: 2,
      volume: 10,
      trade_count: 1,
      vwap: 1.5,
    };
    return Promise.resolve({ value: { bars: [bar], next_page_token: null }, provenance: PROVENANCE });
  }
  latestQuotes(): Promise<Sourced<SymbolMap<StockQuote>>> {
    throw new Error('not used');
  }
  latestTrades(): Promise<Sourced<SymbolMap<StockTrade>>> {
    throw new Error('not used');
  }
  snapshots(): Promise<Sourced<SymbolMap<StockSnapshot>>> {
    throw new Error('not used');
  }
  clock(): Promise<Sourced<MarketClock>> {
    throw new Error('not used');
  }
}

/** The service at one instant, with a real cache (no Redis) of its own. */
async function serviceAt(iso: string): Promise<StockBarsService> {
  const time = new FixedClock(Date.parse(iso));
  const quiet = new WinstonLogger(config, new Writable({ write: (_c, _e, done) => done() }));
  const module = await Test.createTestingModule({
    providers: [
      StockBarsService,
      { provide: MarketDataPort, useValue: new FakeGateway() },
      { provide: MarketClockService, useValue: { status: () => Promise.resolve('closed' as const) } },
      { provide: AppConfig, useValue: config },
      {
        provide: MarketCache,
        useValue: new MarketCache(
          config,
          new RedisService(config, quiet, new Tracing(config.telemetry)),
          quiet,
          new GatewayMetrics(),
          time,
        ),
      },
      { provide: DataQualityService, useValue: new DataQualityService(config, time, new GatewayMetrics()) },
      { provide: Clock, useValue: time },
    ],
  }).compile();
  return module.get(StockBarsService);
}

/** How long the answer for a range ending on `end` is cached, asked at `now`. */
async function ttlFor(now: string, end: string | undefined): Promise<number | null> {
  const svc = await serviceAt(now);
  const res = await svc.bars(
    'AAPL',
    Object.assign(new BarsQueryDto(), { timeframe: '1Day', start: '2024-01-02', end }),
  );
  return res.cache.maxAgeSeconds;
}

describe('StockBarsService cache lifetime', () => {
  it("keeps a range ending on New York's today short even after midnight UTC (01:00 UTC is 21:00 the day before in New York)", async () => {
    expect(await ttlFor('2024-06-04T01:00:00Z', '2024-06-03')).toBe(RECENT_S);
    expect(await ttlFor('2024-06-04T01:00:00Z', '2024-06-03T23:59:59-04:00')).toBe(RECENT_S);
    // In winter New York is UTC-5: 04:30 UTC is still 23:30 the day before.
    expect(await ttlFor('2024-01-10T04:30:00Z', '2024-01-09')).toBe(RECENT_S);
  });

  it("keeps a range ending before New York's today long, and one with no end short", async () => {
    // 05:00 UTC in June is 01:00 in New York: the 3rd is over there too.
    expect(await ttlFor('2024-06-04T05:00:00Z', '2024-06-03')).toBe(PAST_S);
    expect(await ttlFor('2024-06-04T01:00:00Z', '2024-06-02')).toBe(PAST_S);
    expect(await ttlFor('2024-06-04T05:00:00Z', undefined)).toBe(RECENT_S);
  });
});
