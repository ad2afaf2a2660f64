import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';
import type { WireStockQuote, WireStockTrade } from '../../emulator/alpaca-emulator.js';
import type { WireDailyAuctions } from '../../emulator/emulator.types.js';

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

/* Expected answers, written from Alpaca's wire format (not with the gateway's mappers). */
const quoteOut = (q: WireStockQuote) => ({
  timestamp: q.t,
  bid_price: q.bp,
  bid_size: q.bs,
  bid_exchange: q.bx,
  ask_price: q.ap,
  ask_size: q.as,
  ask_exchange: q.ax,
  conditions: q.c,
  tape: q.z ?? null,
});
const tradeOut = (t: WireStockTrade) => ({
  timestamp: t.t,
  price: t.p,
  size: t.s,
  exchange: t.x,
  conditions: t.c,
  tape: t.z,
  trade_id: String(t.i),
  update: t.u ?? null,
});
const auctionsOut = (d: WireDailyAuctions) => {
  const one = (a: WireDailyAuctions['o'][number]) => ({
    timestamp: a.t,
    exchange: a.x,
    price: a.p,
    size: a.s ?? null,
    condition: a.c,
  });
  return { date: d.d, opens: d.o.map(one), closes: d.c.map(one) };
};

interface HistoryCase {
  name: 'quotes' | 'trades' | 'auctions';
  upstream: string;
  feed: string;
  expected: () => unknown[];
  /** A range with items in it. */
  inRange: Record<string, string>;
  /** A page size that takes more than one page for the fixture. */
  pageSize: number;
}

const CASES: HistoryCase[] = [
  {
    name: 'quotes',
    upstream: '/v2/stocks/quotes',
    feed: 'iex',
    expected: () => (gw.emulator.fixtures.stockQuoteHistory['AAPL'] ?? []).map(quoteOut),
    inRange: { start: '2022-01-03', end: '2022-01-03' },
    pageSize: 2,
  },
  {
    name: 'trades',
    upstream: '/v2/stocks/trades',
    feed: 'iex',
    expected: () => (gw.emulator.fixtures.stockTradeHistory['AAPL'] ?? []).map(tradeOut),
    inRange: { start: '2022-01-03', end: '2022-01-03' },
    pageSize: 2,
  },
  {
    name: 'auctions',
    upstream: '/v2/stocks/auctions',
    feed: 'sip',
    expected: () => (gw.emulator.fixtures.stockAuctions['AAPL'] ?? []).map(auctionsOut),
    inRange: { start: '2022-10-12', end: '2022-10-13' },
    pageSize: 1,
  },
];

describe.each(CASES)('GET /stocks/{symbol}/$name', ({ name, upstream, feed, expected, inRange, pageSize }) => {
  const path = `/api/v1/stocks/AAPL/${name}`;
  const calls = () => gw.emulator.requestsTo(upstream, 'data');

  it("answers one page with Alpaca's values in our names, attributed as history", async () => {
    const res = await gw
      .http()
      .get(path)
      .query({ ...inRange, limit: String(pageSize) })
      .expect(200);
    expect(expected().length).toBeGreaterThan(pageSize);
    expect(res.body.data).toEqual({
      symbol: 'AAPL',
      [name]: expected().slice(0, pageSize),
      page_info: { has_more: true, next_page_token: expect.any(String), count: pageSize },
    });
    const m = res.body.metadata;
    expect({ source: m.data_source, provider: m.provider, feed: m.feed, cache: m.cache.status }).toEqual({
      source: 'alpaca_historical',
      provider: 'non_alpaca_host',
      feed,
      cache: 'MISS',
    });
    expect(res.headers['x-data-source']).toBe('alpaca_historical');
    expect(m.upstream_request_ids).toHaveLength(1);
    expect(calls()).toHaveLength(1);
    expect(calls()[0]?.query).toEqual({ symbols: 'AAPL', ...inRange, limit: String(pageSize), feed });
  });

  it('walks every page by following next_page_token: each item once, in order', async () => {
    const seen: unknown[] = [];
    const tokens: string[] = [];
    let token: string | null = null;
    do {
      const query: Record<string, string> = { ...inRange, limit: String(pageSize) };
      if (token !== null) query['page_token'] = token;
      const res = await gw.http().get(path).query(query).expect(200);
      const page = res.body.data as Record<string, unknown[]> & {
        page_info: { has_more: boolean; next_page_token: string | null; count: number };
      };
      expect(page.page_info.count).toBe(page[name]?.length);
      seen.push(...(page[name] ?? []));
      token = page.page_info.next_page_token;
      if (token !== null) tokens.push(token);
    } while (token !== null && tokens.length < 20);
    expect(seen).toEqual(expected());
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    // Alpaca's tokens went back exactly as given; the first call had none.
    expect(calls().map((c) => c.query['page_token'])).toEqual([undefined, ...tokens]);
  });

  it('answers 404 HISTORICAL_DATA_UNAVAILABLE for a range with nothing in it, and 200 for an empty later page', async () => {
    const error = expectCatalogError(
      await gw.http().get(path).query({ start: '1999-01-04', end: '1999-01-05' }),
      404,
      'HISTORICAL_DATA_UNAVAILABLE',
    );
    expect(error['details']).toEqual({ symbol: 'AAPL', start: '1999-01-04', end: '1999-01-05', feed });
    gw.emulator.injectFault({ path: upstream, kind: 'empty', times: 1 });
    const later = await gw.http().get(path).query({ page_token: 'MTA=' }).expect(200);
    expect(later.body.data).toEqual({
      symbol: 'AAPL',
      [name]: [],
      page_info: { has_more: false, next_page_token: null, count: 0 },
    });
  });

  it.each([
    [{ limit: '0' }, 'INVALID_PARAMETER'],
    [{ limit: '10001' }, 'INVALID_PARAMETER'],
    [{ sort: 'newest' }, 'INVALID_PARAMETER'],
    [{ page_token: 'null' }, 'INVALID_PARAMETER'],
    [{ asof: 'yesterday' }, 'INVALID_PARAMETER'],
    [{ feed: 'sip' }, 'INVALID_PARAMETER'],
    [{ start: '2024-02-30' }, 'INVALID_DATE_RANGE'],
    [{ start: '2024-03-02', end: '2024-03-01' }, 'INVALID_DATE_RANGE'],
  ])('refuses %j with %s and no upstream call', async (query, code) => {
    expectCatalogError(await gw.http().get(path).query(query), 400, code);
    expect(calls()).toHaveLength(0);
  });

  it('refuses a bad symbol with INVALID_SYMBOL_FORMAT and no upstream call', async () => {
    expectCatalogError(await gw.http().get(`/api/v1/stocks/AA$PL/${name}`), 400, 'INVALID_SYMBOL_FORMAT');
    expect(calls()).toHaveLength(0);
  });

  it("answers 403 UPSTREAM_SUBSCRIPTION_REQUIRED when Alpaca's plan lacks the feed", async () => {
    gw.emulator.injectFault({
      path: upstream,
      kind: 'status',
      status: 403,
      body: { code: 42210000, message: 'subscription does not permit querying recent SIP data' },
    });
    const error = expectCatalogError(await gw.http().get(path), 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
    expect(error['details']).toMatchObject({
      upstream_status: 403,
      upstream_message: 'subscription does not permit querying recent SIP data',
    });
  });

  it('is premium: a viewer is refused before any upstream call, premium is served', async () => {
    const viewer = await gw
      .anon()
      .get(path)
      .query(inRange)
      .set('Authorization', `Bearer ${tokenFor(['viewer'])}`);
    expect(expectCatalogError(viewer, 403, 'INSUFFICIENT_PERMISSIONS')['details']).toMatchObject({
      required_permission: 'history:read',
    });
    expect(calls()).toHaveLength(0);
    await gw
      .anon()
      .get(path)
      .query(inRange)
      .set('Authorization', `Bearer ${tokenFor(['premium'])}`)
      .expect(200);
  });
});

describe('history cache policy (from the market clock)', () => {
  it('keeps history that ends before today long, and shares it: the second ask is a HIT with no upstream call', async () => {
    const first = await gw
      .http()
      .get('/api/v1/stocks/AAPL/quotes')
      .query({ start: '2022-01-03', end: '2022-01-03' })
      .expect(200);
    expect(first.headers['cache-control']).toBe('private, max-age=86400');
    const second = await gw
      .http()
      .get('/api/v1/stocks/AAPL/quotes')
      .query({ start: '2022-01-03', end: '2022-01-03' })
      .expect(200);
    expect(second.body.metadata.cache.status).toBe('HIT');
    expect(second.body.data).toEqual(first.body.data);
    expect(gw.emulator.requestsTo('/v2/stocks/quotes', 'data')).toHaveLength(1);
  });

  it('keeps history that reaches today (no end) briefly', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/trades').query({ start: '2022-01-03' }).expect(200);
    expect(res.headers['cache-control']).toBe('private, max-age=60');
  });

  it('coalesces concurrent identical requests into one upstream call', async () => {
    const all = await Promise.all(
      [1, 2, 3, 4].map(() =>
        gw.http().get('/api/v1/stocks/AAPL/trades').query({ start: '2022-01-03', end: '2022-01-04' }),
      ),
    );
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(gw.emulator.requestsTo('/v2/stocks/trades', 'data')).toHaveLength(1);
  });
});
