import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';
import type { EmulatorHost, WireBar } from '../../emulator/alpaca-emulator.js';

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

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
type Obj = Record<string, unknown>;
const fx = () => gw.emulator.fixtures;
/** A wire record with the optional members it lacks set to null (what "null where Alpaca omits" means). */
const withNulls = (record: Obj, optional: string[]): Obj => ({
  ...Object.fromEntries(optional.map((k) => [k, null])),
  ...record,
});
const ASSET_OPTIONAL = [
  'cusip',
  'attributes',
  'borrow_status',
  'margin_requirement_long',
  'margin_requirement_short',
  'maintenance_margin_requirement',
  'min_order_size',
  'min_trade_increment',
  'price_increment',
];
const assetOut = (a: Obj): Obj => {
  const { class: assetClass, ...rest } = withNulls(a, ASSET_OPTIONAL);
  return { asset_class: assetClass, ...rest };
};

interface RouteCase {
  route: string;
  path: string;
  query: Record<string, string>;
  upstream: string;
  host: EmulatorHost;
  dataSource: string;
  feed: string | null;
  role: 'viewer' | 'premium';
  cacheControl: string;
  expected: () => unknown;
  /** The answer when Alpaca has nothing (the emulator's empty fault). */
  empty: unknown;
}

const CASES: RouteCase[] = [
  {
    route: 'latest bar',
    path: '/api/v1/stocks/aapl/bar',
    query: {},
    upstream: '/v2/stocks/bars/latest',
    host: 'data',
    dataSource: 'alpaca_real_time',
    feed: 'iex',
    role: 'viewer',
    cacheControl: 'private, max-age=5',
    expected: () => ({ symbol: 'AAPL', ...barOut(fx().stockLatestBars['AAPL']) }),
    empty: 'SYMBOL_NOT_FOUND',
  },
  {
    route: 'stock condition codes',
    path: '/api/v1/stocks/meta/conditions/trade',
    query: { tape: 'A' },
    upstream: '/v2/stocks/meta/conditions/trade',
    host: 'data',
    dataSource: 'alpaca_reference',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=21600',
    expected: () => ({ ticktype: 'trade', tape: 'A', conditions: fx().codes.stockConditions.trade }),
    empty: { ticktype: 'trade', tape: 'A', conditions: {} },
  },
  {
    route: 'stock exchange codes',
    path: '/api/v1/stocks/meta/exchanges',
    query: {},
    upstream: '/v2/stocks/meta/exchanges',
    host: 'data',
    dataSource: 'alpaca_reference',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=21600',
    expected: () => ({ exchanges: fx().codes.stockExchanges }),
    empty: { exchanges: {} },
  },
  {
    route: 'news',
    path: '/api/v1/news',
    query: { symbols: 'aapl', limit: '50' },
    upstream: '/v1beta1/news',
    host: 'data',
    dataSource: 'alpaca_news',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=60',
    expected: () => ({
      news: fx()
        .news.filter((a) => (a['symbols'] as string[]).includes('AAPL'))
        .map((a) => ({ ...a, content: '' })),
      page_info: { has_more: false, next_page_token: null, count: 2 },
    }),
    empty: { news: [], page_info: { has_more: false, next_page_token: null, count: 0 } },
  },
  {
    route: 'corporate actions',
    path: '/api/v1/corporate-actions',
    query: { start: '2023-05-01', end: '2023-08-31' },
    upstream: '/v1/corporate-actions',
    host: 'data',
    dataSource: 'alpaca_corporate_actions',
    feed: null,
    role: 'premium',
    cacheControl: 'private, max-age=86400',
    expected: () => ({
      corporate_actions: expect.objectContaining({ cash_dividends: expect.any(Array), reverse_splits: null }),
      page_info: { has_more: false, next_page_token: null, count: 3 },
    }),
    empty: {
      corporate_actions: expect.objectContaining({ cash_dividends: null, forward_splits: null, name_changes: null }),
      page_info: { has_more: false, next_page_token: null, count: 0 },
    },
  },
  {
    route: 'most actives',
    path: '/api/v1/screener/most-actives',
    query: { by: 'trades', top: '2' },
    upstream: '/v1beta1/screener/stocks/most-actives',
    host: 'data',
    dataSource: 'alpaca_screener',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=60',
    expected: () => ({
      most_actives: (fx().mostActives['most_actives'] as Obj[]).slice(0, 2),
      last_updated: fx().mostActives['last_updated'],
    }),
    empty: { most_actives: [], last_updated: '2022-03-10T17:53:30.088309839Z' },
  },
  {
    route: 'movers',
    path: '/api/v1/screener/movers',
    query: { top: '5' },
    upstream: '/v1beta1/screener/stocks/movers',
    host: 'data',
    dataSource: 'alpaca_screener',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=60',
    expected: () => fx().movers,
    empty: { gainers: [], losers: [], market_type: 'stocks', last_updated: '2022-03-10T17:53:30.088309839Z' },
  },
  {
    route: 'assets',
    path: '/api/v1/assets',
    query: { status: 'active' },
    upstream: '/v2/assets',
    host: 'trading',
    dataSource: 'alpaca_reference',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=21600',
    expected: () => ({
      assets: fx()
        .assets.filter((a) => a['status'] === 'active')
        .map(assetOut),
      count: 2,
    }),
    empty: { assets: [], count: 0 },
  },
  {
    route: 'one asset',
    path: '/api/v1/assets/tsla',
    query: {},
    upstream: '/v2/assets/TSLA',
    host: 'trading',
    dataSource: 'alpaca_reference',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=21600',
    expected: () => assetOut(fx().assets[1]),
    empty: 'UPSTREAM_INVALID_RESPONSE',
  },
  {
    route: 'calendar',
    path: '/api/v1/market/calendar',
    query: { start: '2025-01-01', end: '2025-01-31' },
    upstream: '/v2/calendar',
    host: 'trading',
    dataSource: 'alpaca_reference',
    feed: null,
    role: 'viewer',
    cacheControl: 'private, max-age=21600',
    expected: () => ({ days: fx().calendar.map((d) => withNulls(d, ['settlement_date'])) }),
    empty: { days: [] },
  },
];

describe.each(CASES)('$route: GET $path', (c) => {
  const calls = () => gw.emulator.requestsTo(c.upstream, c.host);

  it("answers with Alpaca's values in our names, attributed, cached per its family", async () => {
    const res = await gw.http().get(c.path).query(c.query).expect(200);
    expect(res.body.data).toEqual(c.expected());
    const m = res.body.metadata;
    expect({
      source: m.data_source,
      provider: m.provider,
      feed: m.feed,
      cache: m.cache.status,
      ids: m.upstream_request_ids.length,
    }).toEqual({
      source: c.dataSource,
      provider: 'non_alpaca_host',
      feed: c.feed,
      cache: 'MISS',
      ids: 1,
    });
    expect(res.headers['x-data-source']).toBe(c.dataSource);
    expect(res.headers['cache-control']).toBe(c.cacheControl);
    const again = await gw.http().get(c.path).query(c.query).expect(200);
    expect(again.body.metadata.cache.status).toBe('HIT');
    expect(calls()).toHaveLength(1);
  });

  it('answers what Alpaca had when it had nothing: an empty answer or a catalog error, never made-up data', async () => {
    gw.emulator.injectFault({ path: c.upstream, kind: 'empty', times: 1 });
    const res = await gw.http().get(c.path).query(c.query);
    if (typeof c.empty === 'string') expectCatalogError(res, c.empty === 'SYMBOL_NOT_FOUND' ? 404 : 502, c.empty);
    else expect({ status: res.status, data: res.body.data }).toEqual({ status: 200, data: c.empty });
  });

  it("answers 403 UPSTREAM_SUBSCRIPTION_REQUIRED when Alpaca's plan does not cover it", async () => {
    gw.emulator.injectFault({
      path: c.upstream,
      kind: 'status',
      status: 403,
      body: { code: 42210000, message: 'subscription does not permit querying recent SIP data' },
    });
    expectCatalogError(await gw.http().get(c.path).query(c.query), 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
  });

  it(`needs the ${c.role} role`, async () => {
    const below = c.role === 'premium' ? ['viewer'] : [];
    for (const roles of below) {
      expectCatalogError(
        await gw
          .anon()
          .get(c.path)
          .query(c.query)
          .set('Authorization', `Bearer ${tokenFor([roles])}`),
        403,
        'INSUFFICIENT_PERMISSIONS',
      );
    }
    expect(calls()).toHaveLength(0);
    await gw
      .anon()
      .get(c.path)
      .query(c.query)
      .set('Authorization', `Bearer ${tokenFor([c.role])}`)
      .expect(200);
    expectCatalogError(await gw.anon().get(c.path).query(c.query), 401, 'AUTHENTICATION_REQUIRED');
  });
});

describe('bad parameters: 400 catalog error, no upstream call', () => {
  it.each([
    ['/api/v1/stocks/AA$PL/bar', {}, 'INVALID_SYMBOL_FORMAT'],
    ['/api/v1/stocks/meta/conditions/auction', { tape: 'A' }, 'INVALID_PARAMETER'],
    ['/api/v1/stocks/meta/conditions/trade', {}, 'INVALID_PARAMETER'],
    ['/api/v1/stocks/meta/conditions/trade', { tape: 'D' }, 'INVALID_PARAMETER'],
    ['/api/v1/stocks/meta/exchanges', { bogus: '1' }, 'INVALID_PARAMETER'],
    ['/api/v1/news', { limit: '51' }, 'INVALID_PARAMETER'],
    ['/api/v1/news', { include_content: 'yes' }, 'INVALID_PARAMETER'],
    ['/api/v1/news', { symbols: 'AAPL,,MSFT' }, 'INVALID_SYMBOL_FORMAT'],
    ['/api/v1/news', { start: '2022-01-05', end: '2022-01-04' }, 'INVALID_DATE_RANGE'],
    ['/api/v1/news', { page_token: 'not a token' }, 'INVALID_PARAMETER'],
    ['/api/v1/corporate-actions', { types: 'dividend' }, 'INVALID_PARAMETER'],
    ['/api/v1/corporate-actions', { start: '2023-05-01T00:00:00Z' }, 'INVALID_DATE_RANGE'],
    ['/api/v1/corporate-actions', { limit: '1001' }, 'INVALID_PARAMETER'],
    ['/api/v1/screener/most-actives', { by: 'price' }, 'INVALID_PARAMETER'],
    ['/api/v1/screener/most-actives', { top: '101' }, 'INVALID_PARAMETER'],
    ['/api/v1/screener/movers', { top: '0' }, 'INVALID_PARAMETER'],
    ['/api/v1/assets', { attributes: 'has_options,shiny' }, 'INVALID_PARAMETER'],
    ['/api/v1/assets', { exchange: 'LSE' }, 'INVALID_PARAMETER'],
    ['/api/v1/assets/not$asset', {}, 'INVALID_SYMBOL_FORMAT'],
    ['/api/v1/market/calendar', { start: '2025-02-30' }, 'INVALID_DATE_RANGE'],
    ['/api/v1/market/calendar', { start: '2025-02-01', end: '2025-01-01' }, 'INVALID_DATE_RANGE'],
    ['/api/v1/market/calendar', { date_type: 'trading' }, 'INVALID_PARAMETER'],
  ])('%s %j → %s', async (path, query, code) => {
    expectCatalogError(await gw.http().get(path).query(query), 400, code);
    expect(gw.emulator.requests.filter((r) => r.path !== '/v2/clock')).toEqual([]);
  });
});

describe('multi-symbol latest data, per symbol like the quote batch', () => {
  it.each([
    ['bars', '/v2/stocks/bars/latest', () => barOut(fx().stockLatestBars['AAPL'])],
    [
      'trades',
      '/v2/stocks/trades/latest',
      () => {
        const t = fx().stockTrades['AAPL'];
        if (t === undefined) throw new Error('fixture');
        return {
          timestamp: t.t,
          price: t.p,
          size: t.s,
          exchange: t.x,
          conditions: t.c,
          tape: t.z,
          trade_id: String(t.i),
          update: null,
        };
      },
    ],
  ])(
    'GET /stocks/%s/latest: one upstream call for all symbols; a symbol Alpaca lacks is SYMBOL_NOT_FOUND',
    async (key, upstream, aapl) => {
      const res = await gw.http().get(`/api/v1/stocks/${key}/latest`).query({ symbols: 'aapl,ZZZZ,AAPL' }).expect(200);
      expect(res.body.data).toEqual({
        [key]: [
          { symbol: 'AAPL', status: 'success', data: { symbol: 'AAPL', ...aapl() }, error: null },
          {
            symbol: 'ZZZZ',
            status: 'error',
            data: null,
            error: { code: 'SYMBOL_NOT_FOUND', message: expect.any(String), type: 'data_unavailable' },
          },
        ],
        summary: { total_requested: 2, successful: 1, failed: 1 },
      });
      expect(gw.emulator.requestsTo(upstream, 'data').map((r) => r.query)).toEqual([
        { symbols: 'AAPL,ZZZZ', feed: 'iex' },
      ]);
    },
  );

  it('GET /stocks/snapshots: snapshots with null members and availability flags, as the single route', async () => {
    const res = await gw.http().get('/api/v1/stocks/snapshots').query({ symbols: 'TSLA,ZZZZ' }).expect(200);
    const single = await gw.http().get('/api/v1/stocks/TSLA/snapshot').expect(200);
    expect(res.body.data.snapshots[0]).toEqual({
      symbol: 'TSLA',
      status: 'success',
      data: single.body.data,
      error: null,
    });
    expect(res.body.data.snapshots[0].data.prev_daily_bar).toBeNull();
    expect(res.body.data.snapshots[1]).toMatchObject({
      symbol: 'ZZZZ',
      status: 'error',
      error: { code: 'SYMBOL_NOT_FOUND' },
    });
  });

  it.each([
    [{ symbols: 'AAPL,$$' }, 400, 'INVALID_SYMBOL_FORMAT'],
    [{}, 400, 'INVALID_SYMBOL_FORMAT'],
    [
      {
        symbols: Array.from(
          { length: 101 },
          (_, i) => `S${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`,
        ).join(','),
      },
      400,
      'REQUEST_SIZE_EXCEEDED',
    ],
  ])('refuses %j before any upstream call', async (query, status, code) => {
    expectCatalogError(await gw.http().get('/api/v1/stocks/trades/latest').query(query), status, code);
    expect(gw.emulator.requestsTo('/v2/stocks/trades/latest')).toHaveLength(0);
  });
});

describe('paging to the end', () => {
  async function walk(
    path: string,
    query: Record<string, string>,
    key: string,
  ): Promise<{ items: unknown[]; tokens: string[] }> {
    const items: unknown[] = [];
    const tokens: string[] = [];
    let token: string | null = null;
    do {
      const res = await gw
        .http()
        .get(path)
        .query(token === null ? query : { ...query, page_token: token })
        .expect(200);
      const data = res.body.data as Obj & { page_info: { next_page_token: string | null; count: number } };
      const page = data[key];
      items.push(
        ...(Array.isArray(page) ? page : Object.values(page as Obj).flatMap((l) => (Array.isArray(l) ? l : []))),
      );
      token = data.page_info.next_page_token;
      if (token !== null) tokens.push(token);
    } while (token !== null && tokens.length < 20);
    return { items, tokens };
  }

  it('news: every article once, newest first, tokens passed back exactly', async () => {
    const { items, tokens } = await walk('/api/v1/news', { limit: '1', include_content: 'true' }, 'news');
    expect(items).toEqual(fx().news);
    expect(tokens).toHaveLength(fx().news.length - 1);
    expect(gw.emulator.requestsTo('/v1beta1/news', 'data').map((r) => r.query['page_token'])).toEqual([
      undefined,
      ...tokens,
    ]);
    expect(gw.emulator.requestsTo('/v1beta1/news', 'data')[0]?.query).toEqual({ limit: '1', include_content: 'true' });
  });

  it('corporate actions: every action once, each member of its type, null where Alpaca left one out', async () => {
    const { items, tokens } = await walk(
      '/api/v1/corporate-actions',
      { start: '2023-01-01', end: '2023-12-31', limit: '1' },
      'corporate_actions',
    );
    expect(tokens).toHaveLength(2);
    const dividend = fx().corporateActions['cash_dividends']?.[0];
    expect(items).toContainEqual({
      ...dividend,
      currency: null,
      isin: null,
      due_bill_on_date: null,
      due_bill_off_date: null,
      sub_type: null,
    });
    expect(items).toContainEqual({
      ...fx().corporateActions['name_changes']?.[0],
      currency: null,
      old_isin: null,
      new_isin: null,
    });
    expect(items).toHaveLength(3);
  });
});

describe('one asset', () => {
  it('an asset Alpaca does not know is 404 SYMBOL_NOT_FOUND', async () => {
    expectCatalogError(await gw.http().get('/api/v1/assets/ZZZZ'), 404, 'SYMBOL_NOT_FOUND');
    expect(gw.emulator.requestsTo('/v2/assets/ZZZZ', 'trading')).toHaveLength(1);
  });

  it('is found by asset id too', async () => {
    const id = fx().assets[0]?.['id'] as string;
    const res = await gw.http().get(`/api/v1/assets/${id.toUpperCase()}`).expect(200);
    expect(res.body.data).toEqual(assetOut(fx().assets[0] as Obj));
  });
});
