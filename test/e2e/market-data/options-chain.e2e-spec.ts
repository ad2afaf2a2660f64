import type { Response } from 'supertest';
import { expectCatalogError, type Gateway, gatewayPerFile } from '../support/harness.js';
import {
  expectedContract,
  expectNumbersFromFixture,
  newestFixtureTimestamp,
  numericLeaves,
} from '../support/option-expectations.js';

const CHAIN = /^\/v1beta1\/options\/snapshots\/[^/]+$/;
const CONTRACTS = '/v2/options/contracts';
let gw: Gateway;

gatewayPerFile((started) => (gw = started));

const chainCalls = () => gw.emulator.requestsTo(CHAIN, 'data');
const contractCalls = () => gw.emulator.requestsTo(CONTRACTS, 'trading');
const chain = (underlying: string, query: Record<string, string | number> = {}) =>
  gw.http().get(`/api/v1/options/${underlying}/chain`).query(query);
const aaplSymbols = () =>
  Object.keys(gw.emulator.fixtures.optionSnapshots)
    .filter((s) => s.startsWith('AAPL'))
    .sort();

/** Expiration, then strike by value, then calls before puts: computed here independently. */
function chainOrder(symbols: string[]): string[] {
  const key = (s: string) => ({ exp: s.slice(-15, -9), strike: Number(s.slice(-8)), type: s.slice(-9, -8) });
  return [...symbols].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.exp.localeCompare(y.exp) || x.strike - y.strike || x.type.localeCompare(y.type);
  });
}

describe('GET /options/{underlying}/chain', () => {
  it('walks a 3+ page chain with page_token: every contract exactly once, tokens passed back verbatim', async () => {
    const seen: string[] = [];
    const tokens: Array<string | null> = [];
    let token: string | null = null;
    do {
      const res: Response = await chain('AAPL', token === null ? { limit: 5 } : { limit: 5, page_token: token }).expect(
        200,
      );
      const { contracts, page_info, completeness } = res.body.data;
      seen.push(...contracts.map((c: { symbol: string }) => c.symbol));
      expect(page_info.count).toBe(contracts.length);
      expect(completeness.contracts).toBe(contracts.length);
      expect(page_info.has_more).toBe(page_info.next_page_token !== null);
      token = page_info.next_page_token;
      tokens.push(token);
    } while (token !== null && tokens.length < 20);

    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(seen.slice().sort()).toEqual(aaplSymbols());
    expect(new Set(seen).size).toBe(seen.length);
    const calls = chainCalls();
    expect(calls).toHaveLength(tokens.length);
    expect(calls[0]?.query).toEqual({ limit: '5', feed: 'indicative' });
    calls
      .slice(1)
      .forEach((call, i) => expect(call.query).toEqual({ limit: '5', page_token: tokens[i], feed: 'indicative' }));
    expect(calls.every((c) => c.path === '/v1beta1/options/snapshots/AAPL' && c.query['page_token'] !== 'null')).toBe(
      true,
    );
  });

  it('reproduces §7.8: the filters reach Alpaca exactly, 152.5 without greeks then 155 with them', async () => {
    const filters = {
      option_type: 'call',
      min_strike: '151.123',
      max_strike: '155',
      expiration_date_lte: '2024-04-26',
      limit: 1,
    };
    const first = await chain('AAPL', filters).expect(200);
    expect(chainCalls()[0]?.query).toEqual({
      type: 'call',
      strike_price_gte: '151.123',
      strike_price_lte: '155',
      expiration_date_lte: '2024-04-26',
      limit: '1',
      feed: 'indicative',
    });
    expect(first.body.data.contracts.map((c: { symbol: string }) => c.symbol)).toEqual(['AAPL240426C00152500']);
    expect(first.body.data.contracts[0]).toMatchObject({
      greeks: null,
      greeks_available: false,
      implied_volatility: null,
      iv_available: false,
      strike_price: '152.5',
    });
    expect(first.body.data.page_info).toEqual({
      has_more: true,
      next_page_token: 'QUFQTDI0MDQyNkMwMDE1MjUwMA==',
      count: 1,
    });
    expect(first.body.data.completeness).toEqual({
      contracts: 1,
      with_greeks: 0,
      with_implied_volatility: 0,
      with_latest_quote: 1,
      with_latest_trade: 1,
    });

    const second = await chain('AAPL', { ...filters, page_token: 'QUFQTDI0MDQyNkMwMDE1MjUwMA==' }).expect(200);
    expect(chainCalls()[1]?.query['page_token']).toBe('QUFQTDI0MDQyNkMwMDE1MjUwMA==');
    expect(second.body.data.contracts[0]).toMatchObject({ symbol: 'AAPL240426C00155000', greeks_available: true });
    expect(second.body.data.contracts[0].greeks.delta).toBe(0.9567110374646104);
    expect(second.body.data.contracts[0].implied_volatility).toBe(0.9871160931510816);
    expect(second.body.data.page_info).toEqual({ has_more: false, next_page_token: null, count: 1 });
  });

  it.each([
    [{ expiration_date: '2024-05-17' }, { expiration_date: '2024-05-17' }],
    [
      { expiration_date_gte: '2024-05-01', expiration_date_lte: '2024-06-30' },
      { expiration_date_gte: '2024-05-01', expiration_date_lte: '2024-06-30' },
    ],
    [
      { option_type: 'put', min_strike: '150.5' },
      { type: 'put', strike_price_gte: '150.5' },
    ],
    [{ max_strike: '0165.000' }, { strike_price_lte: '0165.000' }],
  ])('passes %j upstream as %j, and returns exactly what Alpaca returned', async (query, upstream) => {
    const res = await chain('aapl', query).expect(200);
    expect(chainCalls()[0]?.path).toBe('/v1beta1/options/snapshots/AAPL');
    expect(chainCalls()[0]?.query).toEqual({ ...upstream, feed: 'indicative' });
    // Same request straight to the emulator: the gateway neither adds nor drops a contract.
    const direct = await fetch(
      `${gw.emulator.dataUrl}${chainCalls()[0]?.path}?${new URLSearchParams(chainCalls()[0]?.query).toString()}`,
      {
        headers: { 'APCA-API-KEY-ID': gw.emulator.keyId, 'APCA-API-SECRET-KEY': gw.emulator.secretKey },
      },
    );
    const body = (await direct.json()) as { snapshots: Record<string, unknown> };
    expect(res.body.data.contracts.map((c: { symbol: string }) => c.symbol).sort()).toEqual(
      Object.keys(body.snapshots).sort(),
    );
  });

  it("sorts the page by expiration, strike (numerically), then type; counts greeks and IV; every number is the fixture's", async () => {
    const res = await chain('AAPL', { limit: 1000 }).expect(200);
    const { contracts, completeness, underlying_symbol } = res.body.data;
    expect(underlying_symbol).toBe('AAPL');
    const fixtures = gw.emulator.fixtures.optionSnapshots;
    expect(contracts.map((c: { symbol: string }) => c.symbol)).toEqual(chainOrder(aaplSymbols()));
    const aapl = aaplSymbols().map((s) => fixtures[s] ?? {});
    expect(completeness).toEqual({
      contracts: aapl.length,
      with_greeks: aapl.filter((f) => f.greeks !== undefined).length,
      with_implied_volatility: aapl.filter((f) => f.impliedVolatility !== undefined).length,
      with_latest_quote: aapl.filter((f) => f.latestQuote !== undefined).length,
      with_latest_trade: aapl.filter((f) => f.latestTrade !== undefined).length,
    });
    expect(completeness.with_greeks).toBeLessThan(completeness.contracts);
    for (const c of contracts) {
      expect(c).toMatchObject(expectedContract(c.symbol, fixtures[c.symbol] ?? {}));
      expectNumbersFromFixture(c, fixtures);
    }
    // Only counts are ours: every other number in the body is a fixture's.
    const ours = [...numericLeaves(res.body.data).keys()].filter((p) => !p.startsWith('contracts['));
    expect(ours.sort()).toEqual([
      'completeness.contracts',
      'completeness.with_greeks',
      'completeness.with_implied_volatility',
      'completeness.with_latest_quote',
      'completeness.with_latest_trade',
      'page_info.count',
    ]);

    const m = res.body.metadata;
    expect(m.data_source).toBe('alpaca_options_chain');
    expect(res.headers['x-data-source']).toBe('alpaca_options_chain');
    expect(m.feed).toBe('indicative');
    expect(m.data_timestamp).toBe(newestFixtureTimestamp(aapl));
    expect(['open', 'closed']).toContain(m.market_status);
  });

  it('decodes adjusted roots in a chain (XOM2 in the XOM chain)', async () => {
    const res = await chain('XOM').expect(200);
    expect(res.body.data.contracts).toEqual([
      expect.objectContaining({
        symbol: 'XOM2241220P00280000',
        root_symbol: 'XOM2',
        strike_price: '280',
        greeks: null,
        greeks_available: false,
      }),
    ]);
  });

  it('an empty first page → 404 OPTIONS_CHAIN_UNAVAILABLE with the filters in details', async () => {
    const res = await chain('AAPL', { min_strike: '900', option_type: 'put' });
    const error = expectCatalogError(res, 404, 'OPTIONS_CHAIN_UNAVAILABLE');
    expect(error['details']).toEqual({
      underlying: 'AAPL',
      filters: { min_strike: '900', option_type: 'put' },
      feed: 'indicative',
    });
    expectCatalogError(await chain('NOPE'), 404, 'OPTIONS_CHAIN_UNAVAILABLE');
  });

  it('an empty later page is a 200 with no contracts (short pages are legitimate)', async () => {
    const last = aaplSymbols().at(-1) ?? '';
    const res = await chain('AAPL', { page_token: Buffer.from(last).toString('base64') }).expect(200);
    expect(res.body.data.contracts).toEqual([]);
    expect(res.body.data.page_info).toEqual({ has_more: false, next_page_token: null, count: 0 });
  });

  it.each([
    [{ expiration_date_gte: '2024-06-01', expiration_date_lte: '2024-05-01' }, 'INVALID_DATE_RANGE'],
    [{ expiration_date: '2024-02-30' }, 'INVALID_DATE_RANGE'],
    [{ expiration_date_gte: '2024-13-01' }, 'INVALID_DATE_RANGE'],
    [{ expiration_date_lte: '2024/04/26' }, 'INVALID_DATE_RANGE'],
    [{ min_strike: '175', max_strike: '151.5' }, 'INVALID_PARAMETER'],
    [{ min_strike: '-5' }, 'INVALID_PARAMETER'],
    [{ max_strike: '0' }, 'INVALID_PARAMETER'],
    [{ min_strike: 'abc' }, 'INVALID_PARAMETER'],
    [{ option_type: 'straddle' }, 'INVALID_PARAMETER'],
    [{ limit: 0 }, 'INVALID_PARAMETER'],
    [{ limit: 1001 }, 'INVALID_PARAMETER'],
    [{ limit: 'ten' }, 'INVALID_PARAMETER'],
    [{ page_token: 'null' }, 'INVALID_PARAMETER'],
    [{ type: 'call' }, 'INVALID_PARAMETER'],
  ])('refuses %j with %s and calls nothing', async (query, code) => {
    expectCatalogError(await chain('AAPL', query), 400, code);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it.each(['TOOLONG', 'A$PL', '1ABC'])('refuses underlying %p with INVALID_SYMBOL_FORMAT', async (underlying) => {
    expectCatalogError(await chain(underlying), 400, 'INVALID_SYMBOL_FORMAT');
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('upstream failures map like every route: 5xx → 503, malformed → 502', async () => {
    // Three attempts (GETs are retried), all failing.
    gw.emulator.injectFault({ path: CHAIN, kind: 'status', status: 500, times: 3 });
    expectCatalogError(await chain('AAPL'), 503, 'UPSTREAM_API_UNAVAILABLE');
    gw.emulator.injectFault({ path: CHAIN, kind: 'malformed', times: 1 });
    expectCatalogError(await chain('AAPL'), 502, 'UPSTREAM_INVALID_RESPONSE');
  });
});

describe('GET /options/contracts', () => {
  const contracts = (query: Record<string, string | number> = {}) =>
    gw.http().get('/api/v1/options/contracts').query(query);
  const fixtureOf = (symbol: string) => {
    const c = gw.emulator.fixtures.optionContracts.find((x) => x.symbol === symbol);
    if (c === undefined) throw new Error(`contract fixture ${symbol} missing`);
    return c;
  };
  const activeSymbols = () =>
    gw.emulator.fixtures.optionContracts.filter((c) => c.status === 'active').map((c) => c.symbol);

  it('passes null open interest and close price through as null, and decimals as the same strings', async () => {
    const res = await contracts({ underlying_symbols: 'TSLA' }).expect(200);
    expect(res.body.data.contracts).toEqual([
      {
        id: '3d6c1f2e-8a7b-4c5d-9e0f-1a2b3c4d5e6f',
        symbol: 'TSLA260116C00400000',
        name: 'TSLA Jan 16 2026 400 Call',
        status: 'active',
        tradable: true,
        expiration_date: '2026-01-16',
        root_symbol: 'TSLA',
        underlying_symbol: 'TSLA',
        underlying_asset_id: fixtureOf('TSLA260116C00400000').underlying_asset_id,
        option_type: 'call',
        style: 'american',
        strike_price: '400',
        multiplier: '100',
        size: '100',
        open_interest: null,
        open_interest_date: null,
        close_price: null,
        close_price_date: null,
      },
    ]);
    const m = res.body.metadata;
    expect(m.data_source).toBe('alpaca_options_contracts');
    expect(res.headers['x-data-source']).toBe('alpaca_options_contracts');
    expect(m.feed).toBeNull();
    expect(m.provider_host).toBe(new URL(gw.emulator.tradingUrl).host);
    expect(m.provider).toBe('non_alpaca_host');
    expect(m.data_timestamp).toBeNull();
  });

  it('keeps every contract field exactly as Alpaca sent it: strings stay strings, no number appears', async () => {
    const res = await contracts({ limit: 100 }).expect(200);
    expect(res.body.data.contracts.map((c: { symbol: string }) => c.symbol)).toEqual(activeSymbols());
    for (const c of res.body.data.contracts) {
      const { type, ...rest } = fixtureOf(c.symbol);
      expect(c).toEqual({ ...rest, option_type: type, root_symbol: rest['root_symbol'] ?? null });
      expect(typeof c.strike_price).toBe('string');
    }
    expect([...numericLeaves(res.body.data.contracts).keys()]).toEqual([]);
    const aapl = res.body.data.contracts.find((c: { symbol: string }) => c.symbol === 'AAPL250620P00100000');
    expect(aapl).toMatchObject({ open_interest: '0', close_price: null, close_price_date: null });
  });

  it('paginates: walking page_token returns every active contract once', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: Response = await contracts(token === null ? { limit: 2 } : { limit: 2, page_token: token }).expect(
        200,
      );
      seen.push(...res.body.data.contracts.map((c: { symbol: string }) => c.symbol));
      expect(res.body.data.page_info.count).toBe(res.body.data.contracts.length);
      token = res.body.data.page_info.next_page_token;
      expect(res.body.data.page_info.has_more).toBe(token !== null);
      pages += 1;
    } while (token !== null && pages < 20);
    expect(seen).toEqual(activeSymbols());
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(contractCalls()[1]?.query).toEqual({ limit: '2', page_token: contractCalls()[1]?.query['page_token'] });
    expect(contractCalls().every((c) => c.query['page_token'] !== 'null')).toBe(true);
  });

  it('sends every filter exactly as given, and nothing when none is given', async () => {
    const filters = {
      underlying_symbols: 'aapl, spx',
      status: 'active',
      expiration_date_gte: '2024-01-01',
      expiration_date_lte: '2025-12-31',
      root_symbol: 'aapl',
      type: 'put',
      style: 'american',
      strike_price_gte: '50',
      strike_price_lte: '160.5',
      limit: 10,
    };
    const res = await contracts(filters).expect(200);
    expect(contractCalls()[0]?.query).toEqual({
      underlying_symbols: 'AAPL,SPX',
      status: 'active',
      expiration_date_gte: '2024-01-01',
      expiration_date_lte: '2025-12-31',
      root_symbol: 'AAPL',
      type: 'put',
      style: 'american',
      strike_price_gte: '50',
      strike_price_lte: '160.5',
      limit: '10',
    });
    expect(res.body.data.contracts.map((c: { symbol: string }) => c.symbol)).toEqual([
      'AAPL250620P00100000',
      'AAPL240426P00160000',
    ]);

    await contracts({ expiration_date: '2025-06-20' }).expect(200);
    expect(contractCalls()[1]?.query).toEqual({ expiration_date: '2025-06-20' });
    await contracts().expect(200);
    // No expiration_date_lte added: Alpaca's own default (next weekend) applies, as documented.
    expect(contractCalls()[2]?.query).toEqual({});
  });

  it('an empty page is a 200 with no contracts', async () => {
    const res = await contracts({ underlying_symbols: 'NOPE' }).expect(200);
    expect(res.body.data).toEqual({ contracts: [], page_info: { has_more: false, next_page_token: null, count: 0 } });
  });

  it.each([
    [{ expiration_date_gte: '2025-01-01', expiration_date_lte: '2024-01-01' }, 'INVALID_DATE_RANGE'],
    [{ expiration_date: '2025-02-29' }, 'INVALID_DATE_RANGE'],
    [{ strike_price_gte: '200', strike_price_lte: '100' }, 'INVALID_PARAMETER'],
    [{ strike_price_lte: '-1' }, 'INVALID_PARAMETER'],
    [{ limit: 10001 }, 'INVALID_PARAMETER'],
    [{ limit: 0 }, 'INVALID_PARAMETER'],
    [{ type: 'both' }, 'INVALID_PARAMETER'],
    [{ style: 'asian' }, 'INVALID_PARAMETER'],
    [{ status: 'expired' }, 'INVALID_PARAMETER'],
    [{ page_token: 'null' }, 'INVALID_PARAMETER'],
    [{ show_deliverables: 'true' }, 'INVALID_PARAMETER'],
    [{ underlying_symbols: 'AAPL,,MSFT' }, 'INVALID_SYMBOL_FORMAT'],
    [{ underlying_symbols: 'AAPL;DROP' }, 'INVALID_SYMBOL_FORMAT'],
    [{ root_symbol: 'AB12' }, 'INVALID_SYMBOL_FORMAT'],
  ])('refuses %j with %s and calls nothing', async (query, code) => {
    expectCatalogError(await contracts(query), 400, code);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('trading-host failures map like every route (500 → 503)', async () => {
    gw.emulator.injectFault({ host: 'trading', path: CONTRACTS, kind: 'status', status: 500 });
    const error = expectCatalogError(await contracts(), 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(error['details']).toMatchObject({ upstream: 'trading', upstream_status: 500 });
  });
});

describe('Swagger', () => {
  it('documents the four options routes with their envelopes and catalog errors', async () => {
    const res = await gw.http().get('/docs-json').expect(200);
    const doc = res.body as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/api/v1/options/{option_symbol}/quote'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/options/quotes/batch'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/v1/options/{underlying}/chain'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/options/contracts'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/options/{option_symbol}/quote']?.['get']?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '404', '502', '503', '504']),
    );
    expect(doc.paths['/api/v1/options/contracts']?.['get']?.description).toContain('next weekend');
    for (const schema of [
      'OptionQuoteResultDto',
      'OptionBatchResultDto',
      'OptionChainResultDto',
      'OptionContractsResultDto',
    ]) {
      expect(doc.components.schemas).toHaveProperty(schema);
    }
  });
});
