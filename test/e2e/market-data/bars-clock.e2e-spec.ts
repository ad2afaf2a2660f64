import { startGateway, expectCatalogError, type Gateway, gatewayPerFile } from '../support/harness.js';

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

function barCalls() {
  return gw.emulator.requestsTo('/v2/stocks/bars', 'data');
}

interface BarOut {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trade_count: number | null;
  vwap: number | null;
}

describe('GET /stocks/{symbol}/bars', () => {
  it('walks every page by following next_page_token: each bar once, in order, values untouched', async () => {
    const fixture = gw.emulator.fixtures.stockBars['AAPL'] ?? [];
    expect(fixture.length).toBeGreaterThan(20);
    const seen: BarOut[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { timeframe: '1Day', limit: '10' };
      if (token !== null) query['page_token'] = token;
      const res = await gw.http().get('/api/v1/stocks/AAPL/bars').query(query).expect(200);
      const data = res.body.data as {
        bars: BarOut[];
        page_info: { has_more: boolean; next_page_token: string | null; count: number };
      };
      expect(data.page_info.count).toBe(data.bars.length);
      expect(data.page_info.has_more).toBe(data.page_info.next_page_token !== null);
      expect(res.body.metadata.data_source).toBe('alpaca_historical');
      seen.push(...data.bars);
      token = data.page_info.next_page_token;
      pages += 1;
    } while (token !== null && pages < 100);

    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(
      fixture.map((b) => ({
        timestamp: b.t,
        open: b.o,
        high: b.h,
        low: b.l,
        close: b.c,
        volume: b.v,
        trade_count: b.n ?? null,
        vwap: b.vw ?? null,
      })),
    );
    const calls = barCalls();
    expect(calls).toHaveLength(pages);
    // The first call carries no page_token at all (never "null"); each later one the token we were given.
    expect(calls[0]?.query).not.toHaveProperty('page_token');
    for (const c of calls) {
      expect(c.query['page_token']).not.toBe('null');
      expect(c.query).toMatchObject({ symbols: 'AAPL', timeframe: '1Day', limit: '10', feed: 'iex' });
    }
  });

  it('passes the range and options through to Alpaca exactly', async () => {
    await gw
      .http()
      .get('/api/v1/stocks/aapl/bars')
      .query({
        timeframe: '1Day',
        start: '2022-02-01',
        end: '2022-02-02T23:59:59Z',
        limit: '2',
        adjustment: 'split,dividend',
        sort: 'asc',
        asof: '-',
      })
      .expect(200);
    expect(barCalls()[0]?.query).toEqual({
      symbols: 'AAPL',
      timeframe: '1Day',
      start: '2022-02-01',
      end: '2022-02-02T23:59:59Z',
      limit: '2',
      adjustment: 'split,dividend',
      sort: 'asc',
      asof: '-',
      feed: 'iex',
    });
  });

  it('answers 404 HISTORICAL_DATA_UNAVAILABLE for a range with no bars', async () => {
    const res = await gw
      .http()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', start: '1999-01-01', end: '1999-01-31' });
    const error = expectCatalogError(res, 404, 'HISTORICAL_DATA_UNAVAILABLE');
    expect(error['details']).toMatchObject({
      symbol: 'AAPL',
      timeframe: '1Day',
      start: '1999-01-01',
      end: '1999-01-31',
    });
  });

  it('returns an empty later page as 200 with has_more false', async () => {
    gw.emulator.injectFault({ path: '/v2/stocks/bars', kind: 'empty', times: 1 });
    const res = await gw
      .http()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', page_token: 'QUFQTHwxMA==' })
      .expect(200);
    expect(res.body.data.bars).toEqual([]);
    expect(res.body.data.page_info).toEqual({ has_more: false, next_page_token: null, count: 0 });
  });

  it.each([
    [{ timeframe: '30Sec' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1day' }, 'INVALID_PARAMETER'],
    [{}, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', limit: '0' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', limit: '10001' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', limit: 'ten' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', page_token: 'null' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', sort: 'up' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', adjustment: 'everything' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Day', start: '2024-02-30' }, 'INVALID_DATE_RANGE'],
    [{ timeframe: '1Day', end: 'yesterday' }, 'INVALID_DATE_RANGE'],
    [{ timeframe: '1Day', start: '2024-03-02', end: '2024-03-01' }, 'INVALID_DATE_RANGE'],
    [{ timeframe: '1Day', bogus: '1' }, 'INVALID_PARAMETER'],
  ])('refuses %j with %s and no upstream call', async (query, code) => {
    expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/bars').query(query), 400, code);
    expect(barCalls()).toHaveLength(0);
  });

  it("passes Alpaca's own 400 on to the client as INVALID_PARAMETER with its message", async () => {
    gw.emulator.injectFault({
      path: '/v2/stocks/bars',
      kind: 'status',
      status: 400,
      body: { message: 'invalid page_token' },
    });
    const res = await gw.http().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day', page_token: 'AAAA' });
    const error = expectCatalogError(res, 400, 'INVALID_PARAMETER');
    expect(error['message']).toContain('invalid page_token');
    expect(error['details']).toMatchObject({ upstream_status: 400, upstream_message: 'invalid page_token' });
  });
});

describe('GET /market/clock and market_status', () => {
  it("returns Alpaca's clock and caches it until the next open/close", async () => {
    const first = await gw.http().get('/api/v1/market/clock').expect(200);
    const clock = gw.emulator.fixtures.clock;
    expect(first.body.data).toEqual({
      timestamp: clock.timestamp,
      is_open: clock.is_open,
      next_open: clock.next_open,
      next_close: clock.next_close,
    });
    expect(first.body.metadata.market_status).toBe(clock.is_open ? 'open' : 'closed');
    expect(first.body.metadata.data_source).toBe('alpaca_trading');
    expect(first.body.metadata.provider_host).toBe(new URL(gw.emulator.tradingUrl).host);

    const second = await gw.http().get('/api/v1/market/clock').expect(200);
    expect(second.body.metadata.cache.status).toBe('HIT');
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    // The fixture's next transition is hours after its timestamp: the clock is not asked again.
    expect(gw.emulator.requestsTo('/v2/clock', 'trading').length).toBeLessThanOrEqual(1);
  });

  it('serves the clock from the trading host only', async () => {
    await gw.http().get('/api/v1/market/clock').expect(200);
    expect(gw.emulator.requests.filter((r) => r.path === '/v2/clock' && r.host === 'data')).toHaveLength(0);
  });
});

describe('market status when the clock is unavailable', () => {
  it('still serves the quote, with market_status unknown', async () => {
    const fresh = await startGateway();
    try {
      fresh.emulator.injectFault({ host: 'trading', path: '/v2/clock', kind: 'status', status: 500 });
      const res = await fresh.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(res.body.metadata.market_status).toBe('unknown');
      expect(fresh.logs.some((l) => l['message'] === 'market_clock_unavailable')).toBe(true);
      const clock = await fresh.http().get('/api/v1/market/clock');
      expectCatalogError(clock, 503, 'UPSTREAM_API_UNAVAILABLE');
    } finally {
      await fresh.close();
    }
  });

  it('follows the clock: a closed market is reported closed', async () => {
    const fresh = await startGateway();
    try {
      fresh.emulator.fixtures.clock = {
        timestamp: '2025-06-28T10:00:00-04:00',
        is_open: false,
        next_open: '2025-06-30T09:30:00-04:00',
        next_close: '2025-06-30T16:00:00-04:00',
      };
      const res = await fresh.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(res.body.metadata.market_status).toBe('closed');
    } finally {
      await fresh.close();
    }
  });
});
