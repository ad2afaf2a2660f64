import type { Provenance } from '../core/attribution/provenance.js';
import { AppError } from '../core/errors/app-error.js';
import { validateConfig } from '../core/config/validate-config.js';
import type { Sourced, SymbolMap } from '../alpaca/stocks/market-data.port.js';
import { OptionsDataPort } from '../alpaca/options/options-data.port.js';
import type {
  OptionChainPage,
  OptionChainQuery,
  OptionContractsPage,
  OptionSnapshot,
} from '../alpaca/options/options.models.js';
import type { MarketClockService } from '../market-data/market-clock.service.js';
import { ChainQueryDto } from './dto/chain-query.dto.js';
import { OptionChainService } from './option-chain.service.js';
import { RedisService } from '../core/redis/redis.service.js';
import { Tracing } from '../core/telemetry/tracing.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { MarketCache } from '../core/cache/market-cache.js';
import { SystemClock } from '../core/time/clock.js';
import { DataQualityService } from '../core/quality/data-quality.service.js';
import { Writable } from 'node:stream';

const PROVENANCE: Provenance = {
  dataSource: 'alpaca_options_chain',
  provider: 'alpaca',
  providerHost: 'data.alpaca.markets',
  feed: 'indicative',
  dataTimestamp: null,
  upstreamRequestIds: [],
  fetchedAt: 0,
};
const BARE: OptionSnapshot = {
  latest_quote: null,
  latest_trade: null,
  greeks: null,
  implied_volatility: null,
  latest_quote_available: false,
  latest_trade_available: false,
  greeks_available: false,
  iv_available: false,
};

/** Answers every chain call with one prepared page and remembers the queries. */
class FakeGateway extends OptionsDataPort {
  readonly queries: OptionChainQuery[] = [];
  constructor(private readonly page: OptionChainPage) {
    super();
  }
  chain(q: OptionChainQuery): Promise<Sourced<OptionChainPage>> {
    this.queries.push(q);
    return Promise.resolve({ value: this.page, provenance: PROVENANCE });
  }
  snapshots(): Promise<Sourced<SymbolMap<OptionSnapshot>>> {
    throw new Error('not used');
  }
  contracts(): Promise<Sourced<OptionContractsPage>> {
    throw new Error('not used');
  }
}

const clock = { status: () => Promise.resolve('open' as const) } as Pick<
  MarketClockService,
  'status'
> as MarketClockService;
const config = validateConfig({
  APCA_API_KEY_ID: 'key',
  APCA_API_SECRET_KEY: 'secret',
  JWT_SECRET: 'unit-test-secret-0123456789abcdefghij',
});
/** A real cache with no Redis, fresh per service so no test sees another's entries. */
function cache(): MarketCache {
  const quiet = new WinstonLogger(config, new Writable({ write: (_c, _e, done) => done() }));
  return new MarketCache(
    config,
    new RedisService(config, quiet, new Tracing(config.telemetry)),
    quiet,
    new GatewayMetrics(),
    new SystemClock(),
  );
}
const query = (fields: Partial<ChainQueryDto> = {}): ChainQueryDto => Object.assign(new ChainQueryDto(), fields);

function service(symbols: string[], next: string | null = null): { svc: OptionChainService; gateway: FakeGateway } {
  const gateway = new FakeGateway({
    snapshots: symbols.map((symbol) => ({ symbol, snapshot: BARE })),
    next_page_token: next,
  });
  return {
    svc: new OptionChainService(
      gateway,
      clock,
      config,
      cache(),
      new DataQualityService(config, new SystemClock(), new GatewayMetrics()),
    ),
    gateway,
  };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describe('OptionChainService', () => {
  it('sorts by expiration, then strike by value (95 before 100 before 1000), then calls before puts', async () => {
    const { svc } = service([
      'AAPL240517C00100000',
      'AAPL240426P01000000',
      'AAPL240426P00100000',
      'AAPL240426C00100000',
      'AAPL240426C00095000',
    ]);
    const res = await svc.chain('AAPL', query());
    expect(res.data.contracts.map((c) => c.symbol)).toEqual([
      'AAPL240426C00095000',
      'AAPL240426C00100000',
      'AAPL240426P00100000',
      'AAPL240426P01000000',
      'AAPL240517C00100000',
    ]);
    expect(res.data.contracts.map((c) => c.strike_price)).toEqual(['95', '100', '100', '1000', '100']);
  });

  it("maps the caller's filters onto Alpaca's names without touching the values", async () => {
    const { svc, gateway } = service(['AAPL240426C00100000']);
    const q = query({
      option_type: 'put',
      min_strike: '0150.50',
      max_strike: '175',
      expiration_date_gte: '2024-04-01',
      limit: 7,
      page_token: 'abc=',
    });
    await svc.chain('AAPL', q);
    expect(gateway.queries).toEqual([
      {
        underlying: 'AAPL',
        type: 'put',
        strikePriceGte: '0150.50',
        strikePriceLte: '175',
        expirationDate: undefined,
        expirationDateGte: '2024-04-01',
        expirationDateLte: undefined,
        limit: 7,
        pageToken: 'abc=',
      },
    ]);
  });

  it('refuses inverted ranges before calling Alpaca', async () => {
    const { svc, gateway } = service([]);
    expect((await failure(svc.chain('AAPL', query({ min_strike: '175', max_strike: '151.5' })))).code).toBe(
      'INVALID_PARAMETER',
    );
    expect(
      (
        await failure(
          svc.chain('AAPL', query({ expiration_date_gte: '2024-05-02', expiration_date_lte: '2024-05-01' })),
        )
      ).code,
    ).toBe('INVALID_DATE_RANGE');
    expect(gateway.queries).toHaveLength(0);
  });

  it('is 404 for an empty first page, but an empty later page or one with more to come is an answer', async () => {
    expect((await failure(service([]).svc.chain('AAPL', query()))).code).toBe('OPTIONS_CHAIN_UNAVAILABLE');
    expect((await service([]).svc.chain('AAPL', query({ page_token: 'abc=' }))).data.contracts).toEqual([]);
    expect((await service([], 'more=').svc.chain('AAPL', query())).data.page_info).toEqual({
      has_more: true,
      next_page_token: 'more=',
      count: 0,
    });
  });

  it('treats a chain key that is not an OCC symbol as an invalid upstream response', async () => {
    const err = await failure(service(['AAPL']).svc.chain('AAPL', query()));
    expect(err.code).toBe('UPSTREAM_INVALID_RESPONSE');
  });
});
