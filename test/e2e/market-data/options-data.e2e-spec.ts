import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';
import type { WireBar, WireOptionTrade } from '../../emulator/alpaca-emulator.js';

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

const fx = () => gw.emulator.fixtures;
const barOut = (b: WireBar) => ({
  timestamp: b.t,
  open: b.o,
  high: b.h,
  low: b.l,
  close: b.c,
  volume: b.v,
  trade_count: b.n,
  vwap: b.vw,
});
const tradeOut = (t: WireOptionTrade) => ({ timestamp: t.t, price: t.p, size: t.s, exchange: t.x, condition: t.c });

const HISTORY: Array<{
  name: string;
  contract: string;
  upstream: string;
  extra: Record<string, string>;
  expected: () => unknown[];
}> = [
  {
    name: 'bars',
    contract: 'AAPL240419P00140000',
    upstream: '/v1beta1/options/bars',
    extra: { timeframe: '1Day' },
    expected: () => (fx().optionBars['AAPL240419P00140000'] ?? []).map(barOut),
  },
  {
    name: 'trades',
    contract: 'AAPL240112C00182500',
    upstream: '/v1beta1/options/trades',
    extra: {},
    expected: () => (fx().optionTrades['AAPL240112C00182500'] ?? []).map(tradeOut),
  },
];

describe.each(HISTORY)('GET /options/{option_symbol}/$name', ({ name, contract, upstream, extra, expected }) => {
  const path = `/api/v1/options/${contract.toLowerCase()}/${name}`;
  const calls = () => gw.emulator.requestsTo(upstream, 'data');

  it('walks every page to the end: values as Alpaca sent them, attributed as history, no feed', async () => {
    const seen: unknown[] = [];
    const tokens: string[] = [];
    let token: string | null = null;
    do {
      const query: Record<string, string> = { ...extra, start: '2024-01-01', end: '2024-01-31', limit: '1' };
      if (token !== null) query['page_token'] = token;
      const res = await gw.http().get(path).query(query).expect(200);
      expect(res.body.data.option_symbol).toBe(contract);
      expect({ source: res.body.metadata.data_source, feed: res.body.metadata.feed }).toEqual({
        source: 'alpaca_historical',
        feed: null,
      });
      seen.push(...res.body.data[name]);
      token = res.body.data.page_info.next_page_token;
      if (token !== null) tokens.push(token);
    } while (token !== null && tokens.length < 20);
    expect(seen).toEqual(expected());
    expect(calls().map((c) => c.query)).toEqual(
      [undefined, ...tokens].map((t) => ({
        symbols: contract,
        ...extra,
        start: '2024-01-01',
        end: '2024-01-31',
        limit: '1',
        ...(t === undefined ? {} : { page_token: t }),
      })),
    );
  });

  it('answers 404 HISTORICAL_DATA_UNAVAILABLE when the first page is empty', async () => {
    gw.emulator.injectFault({ path: upstream, kind: 'empty', times: 1 });
    const error = expectCatalogError(await gw.http().get(path).query(extra), 404, 'HISTORICAL_DATA_UNAVAILABLE');
    expect(error['details']).toMatchObject({ option_symbol: contract });
  });

  it.each([
    [{ limit: '0' }, 'INVALID_PARAMETER'],
    [{ sort: 'up' }, 'INVALID_PARAMETER'],
    [{ start: 'today' }, 'INVALID_DATE_RANGE'],
    [{ start: '2024-02-01', end: '2024-01-01' }, 'INVALID_DATE_RANGE'],
    [{ asof: '-' }, 'INVALID_PARAMETER'],
  ])('refuses %j with %s and no upstream call', async (query, code) => {
    expectCatalogError(
      await gw
        .http()
        .get(path)
        .query({ ...extra, ...query }),
      400,
      code,
    );
    expect(calls()).toHaveLength(0);
  });

  it('refuses a malformed contract with INVALID_OPTION_SYMBOL and no upstream call', async () => {
    const error = expectCatalogError(
      await gw.http().get(`/api/v1/options/AAPL241399C00100000/${name}`).query(extra),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    expect(error['details']).toMatchObject({ option_symbol: 'AAPL241399C00100000' });
    expect(calls()).toHaveLength(0);
  });

  it("answers 403 UPSTREAM_SUBSCRIPTION_REQUIRED when Alpaca's plan lacks OPRA history", async () => {
    gw.emulator.injectFault({
      path: upstream,
      kind: 'status',
      status: 403,
      body: { message: 'subscription does not permit querying recent OPRA data' },
    });
    expectCatalogError(await gw.http().get(path).query(extra), 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
  });

  it('is premium: a viewer is refused before any upstream call', async () => {
    expectCatalogError(
      await gw
        .anon()
        .get(path)
        .query(extra)
        .set('Authorization', `Bearer ${tokenFor(['viewer'])}`),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expect(calls()).toHaveLength(0);
    await gw
      .anon()
      .get(path)
      .query({ ...extra, start: '2024-01-01' })
      .set('Authorization', `Bearer ${tokenFor(['premium'])}`)
      .expect(200);
  });
});

describe.each([
  { key: 'quotes', upstream: '/v1beta1/options/quotes/latest' },
  { key: 'trades', upstream: '/v1beta1/options/trades/latest' },
])('GET /options/$key/latest', ({ key, upstream }) => {
  const path = `/api/v1/options/${key}/latest`;
  const calls = () => gw.emulator.requestsTo(upstream, 'data');

  it('answers per contract in one upstream call; a contract Alpaca has nothing for is OPTION_DATA_UNAVAILABLE', async () => {
    const res = await gw.http().get(path).query({ symbols: 'aapl240426c00162500,AAPL240419P00140000' }).expect(200);
    const snap = fx().optionSnapshots['AAPL240426C00162500'];
    const wire = key === 'quotes' ? snap?.latestQuote : snap?.latestTrade;
    if (wire === undefined) throw new Error('fixture');
    const expected =
      'bp' in wire
        ? {
            timestamp: wire.t,
            bid_price: wire.bp,
            bid_size: wire.bs,
            bid_exchange: wire.bx,
            ask_price: wire.ap,
            ask_size: wire.as,
            ask_exchange: wire.ax,
            condition: wire.c,
          }
        : tradeOut(wire);
    const items = res.body.data[key];
    expect(items[0]).toEqual({
      symbol: 'AAPL240426C00162500',
      status: 'success',
      data: { symbol: 'AAPL240426C00162500', ...expected },
      error: null,
    });
    // AAPL240419P00140000 has a quote but no trade in the fixtures.
    expect(items[1].status).toBe(key === 'quotes' ? 'success' : 'error');
    if (key === 'trades') expect(items[1].error).toMatchObject({ code: 'OPTION_DATA_UNAVAILABLE' });
    expect(res.body.metadata).toMatchObject({ data_source: 'alpaca_options_real_time', feed: 'indicative' });
    expect(calls().map((c) => c.query)).toEqual([
      { symbols: 'AAPL240426C00162500,AAPL240419P00140000', feed: 'indicative' },
    ]);
  });

  it('answers every contract unavailable when Alpaca has none of them', async () => {
    gw.emulator.injectFault({ path: upstream, kind: 'empty', times: 1 });
    const res = await gw.http().get(path).query({ symbols: 'AAPL240426C00162500' }).expect(200);
    expect(res.body.data.summary).toEqual({ total_requested: 1, successful: 0, failed: 1 });
  });

  it.each([
    [{ symbols: 'AAPL240426C00162500,AAPL' }, 'INVALID_OPTION_SYMBOL'],
    [{}, 'INVALID_OPTION_SYMBOL'],
    [
      {
        symbols: Array.from(
          { length: 101 },
          (_, i) => `AAPL2404${String(10 + (i % 18)).padStart(2, '0')}C${String(10000 + i * 500).padStart(8, '0')}`,
        ).join(','),
      },
      'REQUEST_SIZE_EXCEEDED',
    ],
  ])('refuses %j before any upstream call', async (query, code) => {
    expectCatalogError(await gw.http().get(path).query(query), 400, code);
    expect(calls()).toHaveLength(0);
  });

  it("answers 403 UPSTREAM_SUBSCRIPTION_REQUIRED when Alpaca's plan lacks the OPRA feed", async () => {
    gw.emulator.injectFault({
      path: upstream,
      kind: 'status',
      status: 403,
      body: { message: 'subscription does not permit querying OPRA data' },
    });
    expectCatalogError(
      await gw.http().get(path).query({ symbols: 'AAPL240426C00162500' }),
      403,
      'UPSTREAM_SUBSCRIPTION_REQUIRED',
    );
  });

  it('is premium (options): a viewer is refused', async () => {
    expectCatalogError(
      await gw
        .anon()
        .get(path)
        .query({ symbols: 'AAPL240426C00162500' })
        .set('Authorization', `Bearer ${tokenFor(['viewer'])}`),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expect(calls()).toHaveLength(0);
  });
});

describe('option condition and exchange codes (viewer)', () => {
  it.each([
    [
      '/api/v1/options/meta/conditions/trade',
      '/v1beta1/options/meta/conditions/trade',
      () => ({ ticktype: 'trade', tape: null, conditions: fx().codes.optionConditions.trade }),
    ],
    [
      '/api/v1/options/meta/conditions/quote',
      '/v1beta1/options/meta/conditions/quote',
      () => ({ ticktype: 'quote', tape: null, conditions: fx().codes.optionConditions.quote }),
    ],
    [
      '/api/v1/options/meta/exchanges',
      '/v1beta1/options/meta/exchanges',
      () => ({ exchanges: fx().codes.optionExchanges }),
    ],
  ])("%s answers Alpaca's codes, cached for hours", async (path, upstream, expected) => {
    const res = await gw
      .anon()
      .get(path)
      .set('Authorization', `Bearer ${tokenFor(['viewer'])}`)
      .expect(200);
    expect(res.body.data).toEqual(expected());
    expect(res.body.metadata).toMatchObject({ data_source: 'alpaca_reference', feed: null });
    expect(res.headers['cache-control']).toBe('private, max-age=21600');
    gw.emulator.injectFault({ path: upstream, kind: 'empty', times: 1 });
    await gw.http().get(path).expect(200);
    expect(gw.emulator.requestsTo(upstream, 'data')).toHaveLength(1);
  });

  it('refuses an unknown tick type, and passes a 403 on as UPSTREAM_SUBSCRIPTION_REQUIRED', async () => {
    expectCatalogError(await gw.http().get('/api/v1/options/meta/conditions/bar'), 400, 'INVALID_PARAMETER');
    expect(gw.emulator.requests.filter((r) => r.path.startsWith('/v1beta1'))).toHaveLength(0);
    gw.emulator.injectFault({
      path: '/v1beta1/options/meta/exchanges',
      kind: 'status',
      status: 403,
      body: { message: 'subscription does not permit this' },
    });
    expectCatalogError(await gw.http().get('/api/v1/options/meta/exchanges'), 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
  });

  it('an empty code table is an empty map, not an error', async () => {
    gw.emulator.injectFault({ path: '/v1beta1/options/meta/exchanges', kind: 'empty', times: 1 });
    expect((await gw.http().get('/api/v1/options/meta/exchanges').expect(200)).body.data).toEqual({ exchanges: {} });
  });
});
