import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import { expectCatalogError, startGateway, type Gateway } from '../support/harness.js';
import { expectedContract, expectNumbersFromFixture, newestFixtureTimestamp } from '../support/option-expectations.js';

const TIMEOUT_MS = 400;
const SNAPSHOTS = '/v1beta1/options/snapshots';
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ ALPACA_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

const snapshotCalls = () => gw.emulator.requestsTo(SNAPSHOTS, 'data');
const fixture = (symbol: string) => {
  const fx = gw.emulator.fixtures.optionSnapshots[symbol];
  if (fx === undefined) throw new Error(`fixture ${symbol} missing`);
  return fx;
};

describe('GET /options/{option_symbol}/quote', () => {
  it('§7.7 with greeks: decoded terms, values exactly as Alpaca sent them, options provenance', async () => {
    const res = await gw.http().get('/api/v1/options/AAPL240426C00162500/quote').expect(200);
    expect(res.body.data).toEqual({
      ...expectedContract('AAPL240426C00162500', fixture('AAPL240426C00162500')),
      root_symbol: 'AAPL',
      expiration_date: '2024-04-26',
      option_type: 'call',
      strike_price: '162.5',
    });
    expect(res.body.data.greeks).toEqual({
      delta: 0.7521304109871954,
      gamma: 0.06241426404871288,
      theta: -0.2847623059595503,
      vega: 0.047540520834498785,
      rho: 0.009910739032549095,
    });
    expect(res.body.data.implied_volatility).toBe(0.3372405712050441);

    const m = res.body.metadata;
    expect(m.data_source).toBe('alpaca_options_real_time');
    expect(m.feed).toBe('indicative');
    expect(m.provider).toBe('non_alpaca_host');
    expect(m.provider_host).toBe(new URL(gw.emulator.dataUrl).host);
    // The quote (19:59:59.99) is newer than the trade (19:57:32): the newest wins.
    expect(m.data_timestamp).toBe('2024-04-22T19:59:59.992734208Z');
    expect(m.data_freshness_seconds).toBeGreaterThan(0);
    expect(['open', 'closed']).toContain(m.market_status);
    expect(m.cache).toEqual({ status: 'MISS', age_seconds: 0 });
    expect(m.upstream_request_ids).toHaveLength(1);
    expect(res.headers['x-data-source']).toBe('alpaca_options_real_time');
    expect(res.headers['x-cache-status']).toBe('MISS');

    expect(snapshotCalls()).toHaveLength(1);
    expect(snapshotCalls()[0]?.query).toEqual({ symbols: 'AAPL240426C00162500', feed: 'indicative' });
  });

  it('§7.8 without greeks: greeks and IV null with their flags false, quote and trade intact', async () => {
    const res = await gw.http().get('/api/v1/options/AAPL240426C00152500/quote').expect(200);
    const d = res.body.data;
    expect(d.greeks).toBeNull();
    expect(d.implied_volatility).toBeNull();
    expect(d.greeks_available).toBe(false);
    expect(d.iv_available).toBe(false);
    expect(d.latest_quote.bid_price).toBe(16.25);
    expect(d.latest_trade.price).toBe(15.87);
    expect(d.strike_price).toBe('152.5');
  });

  it('fed snapshots stripped of greeks and IV: null and false, never a computed stand-in', async () => {
    for (const fx of Object.values(gw.emulator.fixtures.optionSnapshots)) {
      delete fx.greeks;
      delete fx.impliedVolatility;
    }
    for (const symbol of ['AAPL240426C00162500', 'AAPL240426C00170000', 'AAPL240517P00160000', 'TSLA240426C00170000']) {
      const res = await gw.http().get(`/api/v1/options/${symbol}/quote`).expect(200);
      expect(res.body.data).toMatchObject({
        greeks: null,
        implied_volatility: null,
        greeks_available: false,
        iv_available: false,
      });
      expectNumbersFromFixture(res.body.data, gw.emulator.fixtures.optionSnapshots);
    }
  });

  it('a quote-only contract: latest_trade null with its flag false; data_timestamp is the quote', async () => {
    const res = await gw.http().get('/api/v1/options/AAPL240126P00050000/quote').expect(200);
    expect(res.body.data).toMatchObject({
      latest_trade: null,
      latest_trade_available: false,
      latest_quote_available: true,
      greeks: null,
      implied_volatility: null,
      strike_price: '50',
      option_type: 'put',
    });
    expect(res.body.metadata.data_timestamp).toBe(fixture('AAPL240126P00050000').latestQuote?.t);
  });

  it('a trade-only contract: latest_quote null with its flag false; data_timestamp is the trade', async () => {
    const fx = fixture('AAPL240426C00170000');
    delete fx.latestQuote;
    const res = await gw.http().get('/api/v1/options/AAPL240426C00170000/quote').expect(200);
    expect(res.body.data).toMatchObject({
      latest_quote: null,
      latest_quote_available: false,
      latest_trade_available: true,
      greeks_available: true,
    });
    expect(res.body.metadata.data_timestamp).toBe(fx.latestTrade?.t);
  });

  it('normalises lower case before calling Alpaca, and decodes an adjusted root', async () => {
    const res = await gw.http().get('/api/v1/options/xom2241220p00280000/quote').expect(200);
    expect(res.body.data).toMatchObject({
      symbol: 'XOM2241220P00280000',
      root_symbol: 'XOM2',
      expiration_date: '2024-12-20',
      option_type: 'put',
      strike_price: '280',
      greeks: null,
    });
    expect(snapshotCalls()[0]?.query['symbols']).toBe('XOM2241220P00280000');
  });

  it('no snapshot → 404 OPTION_DATA_UNAVAILABLE with the decoded terms, after one upstream call', async () => {
    const res = await gw.http().get('/api/v1/options/AAPL991231C00001000/quote');
    const error = expectCatalogError(res, 404, 'OPTION_DATA_UNAVAILABLE');
    expect(error['details']).toEqual({
      symbol: 'AAPL991231C00001000',
      root_symbol: 'AAPL',
      expiration_date: '2099-12-31',
      option_type: 'call',
      strike_price: '1',
      feed: 'indicative',
      alpaca_returned: 'no_snapshot',
    });
    expect(snapshotCalls()).toHaveLength(1);
  });

  it('an empty snapshot object (adjusted contract) → 404 as well, saying so', async () => {
    const error = expectCatalogError(
      await gw.http().get('/api/v1/options/CSGP1251017P00001000/quote'),
      404,
      'OPTION_DATA_UNAVAILABLE',
    );
    expect(error['details']).toMatchObject({
      root_symbol: 'CSGP1',
      strike_price: '1',
      alpaca_returned: 'empty_snapshot',
    });
  });
});

describe('malformed OCC symbols → 400 INVALID_OPTION_SYMBOL, no upstream call', () => {
  const TABLE: Array<[string, string, string]> = [
    ['root too long', 'ABCDEFG240426C00162500', 'root'],
    ['root with two digits', 'AB12240426C00100000', 'root'],
    ['digits-only root', '1234240426C00100000', 'root'],
    ['missing root', '240426C00100000', 'root'],
    ['missing C/P', 'AAPL24042600162500', 'type'],
    ['X instead of C/P', 'AAPL240426X00162500', 'type'],
    ['7-digit strike', 'AAPL240426C0162500', 'strike'],
    ['9-digit strike', 'AAPL240426C000162500', 'strike'],
    ['zero strike', 'AAPL240426C00000000', 'strike'],
    ['month 13', 'AAPL241326C00100000', 'expiration'],
    ['day 32', 'AAPL240132C00100000', 'expiration'],
    ['30 February', 'AAPL240230C00100000', 'expiration'],
    ['29 February, common year', 'AAPL250229C00100000', 'expiration'],
    ['non-digit date', 'AAPL24O426C00100000', 'expiration'],
    ['spaces (OSI padding)', 'AAPL  240426C00162500', 'option_symbol'],
    ['special characters', 'AAPL$240426C00162500', 'option_symbol'],
    ['a dot', 'BRK.B240426C00100000', 'option_symbol'],
    ['a stock ticker', 'AAPL', 'option_symbol'],
    ['far too long', 'A'.repeat(300), 'option_symbol'],
  ];

  it.each(TABLE)('GET %s (%p) names the %s', async (_label, symbol, part) => {
    const res = await gw.http().get(`/api/v1/options/${encodeURIComponent(symbol)}/quote`);
    const error = expectCatalogError(res, 400, 'INVALID_OPTION_SYMBOL');
    const details = error['details'] as {
      option_symbol: string;
      invalid_parts: Array<{ part: string; value: string; problem: string }>;
    };
    expect(details.invalid_parts.map((p) => p.part)).toContain(part);
    expect(details.option_symbol).toBe(symbol.slice(0, 40));
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('lower case alone is valid (normalised), not an error', async () => {
    await gw.http().get('/api/v1/options/aapl240426c00162500/quote').expect(200);
  });

  it.each([...TABLE, ['empty', '', 'option_symbol'] as [string, string, string]])(
    'batch %s (%p) names the %s',
    async (_label, symbol, part) => {
      const res = await gw
        .http()
        .post('/api/v1/options/quotes/batch')
        .send({ option_symbols: ['AAPL240426C00162500', symbol] });
      const error = expectCatalogError(res, 400, 'INVALID_OPTION_SYMBOL');
      const invalid = (error['details'] as { invalid_symbols: Array<{ invalid_parts: Array<{ part: string }> }> })
        .invalid_symbols;
      expect(invalid).toHaveLength(1);
      expect(invalid[0]?.invalid_parts.map((p) => p.part)).toContain(part);
      expect(gw.emulator.requests).toHaveLength(0);
    },
  );

  it('details show the split and every failing part', async () => {
    const error = expectCatalogError(
      await gw.http().get('/api/v1/options/AAPL241326X00162500/quote'),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    expect(error['details']).toEqual({
      option_symbol: 'AAPL241326X00162500',
      parts: { root: 'AAPL', expiration: '241326', type: 'X', strike: '00162500' },
      invalid_parts: [
        { part: 'expiration', value: '241326', problem: 'month 13 does not exist' },
        { part: 'type', value: 'X', problem: 'the type must be C (call) or P (put)' },
      ],
    });
  });
});

describe('POST /options/quotes/batch', () => {
  const batch = (option_symbols: unknown) => gw.http().post('/api/v1/options/quotes/batch').send({ option_symbols });
  const strikes = (n: number) =>
    Array.from({ length: n }, (_, i) => `AAPL240426C${String(100000 + i * 500).padStart(8, '0')}`);

  it('150 contracts → 400 REQUEST_SIZE_EXCEEDED with max and requested, no upstream call', async () => {
    const error = expectCatalogError(await batch(strikes(150)), 400, 'REQUEST_SIZE_EXCEEDED');
    expect(error['details']).toEqual({ max: 100, requested: 150 });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('20 contracts → exactly one upstream call carrying all 20, per-contract statuses and a summary', async () => {
    const known = Object.keys(gw.emulator.fixtures.optionSnapshots)
      .filter((s) => s.startsWith('AAPL'))
      .slice(0, 8);
    const twenty = [...known, ...strikes(12)];
    const res = await batch(twenty).expect(200);
    expect(snapshotCalls()).toHaveLength(1);
    expect(snapshotCalls()[0]?.query).toEqual({ symbols: twenty.join(','), feed: 'indicative' });
    const { quotes, summary } = res.body.data;
    expect(summary).toEqual({ total_requested: 20, successful: 8, failed: 12, duplicates_removed: 0 });
    expect(quotes.map((q: { symbol: string }) => q.symbol)).toEqual(twenty);
    for (const q of quotes.slice(0, 8)) {
      expect(q.status).toBe('success');
      expect(q.error).toBeNull();
      expectNumbersFromFixture(q.data, gw.emulator.fixtures.optionSnapshots);
    }
    expect(quotes[8]).toEqual({
      symbol: twenty[8],
      status: 'error',
      data: null,
      error: { code: 'OPTION_DATA_UNAVAILABLE', message: expect.any(String), type: 'data_unavailable' },
    });
    expect(res.body.metadata.data_source).toBe('alpaca_options_real_time');
    expect(res.body.metadata.data_timestamp).toBe(newestFixtureTimestamp(known.map(fixture)));
  });

  it('a mix of with-greeks, without-greeks, quote-only, empty and unknown contracts', async () => {
    const res = await batch([
      'AAPL240426C00162500',
      'AAPL240426C00152500',
      'AAPL240126P00050000',
      'CSGP1251017P00001000',
      'AAPL991231P00001000',
    ]).expect(200);
    const [withGreeks, withoutGreeks, quoteOnly, empty, unknown] = res.body.data.quotes;
    expect(withGreeks).toMatchObject({
      status: 'success',
      data: { greeks_available: true, iv_available: true, strike_price: '162.5' },
    });
    expect(withoutGreeks).toMatchObject({
      status: 'success',
      data: { greeks: null, greeks_available: false, implied_volatility: null, iv_available: false },
    });
    expect(quoteOnly).toMatchObject({ status: 'success', data: { latest_trade: null, latest_trade_available: false } });
    expect(empty).toMatchObject({
      symbol: 'CSGP1251017P00001000',
      status: 'error',
      error: { code: 'OPTION_DATA_UNAVAILABLE' },
    });
    expect(unknown).toMatchObject({
      symbol: 'AAPL991231P00001000',
      status: 'error',
      data: null,
      error: { code: 'OPTION_DATA_UNAVAILABLE' },
    });
    expect(res.body.data.summary).toEqual({ total_requested: 5, successful: 3, failed: 2, duplicates_removed: 0 });
  });

  it('normalises case and collapses duplicates', async () => {
    const res = await batch(['aapl240426c00162500', 'AAPL240426C00162500', 'AAPL240426C00152500']).expect(200);
    expect(res.body.data.summary).toEqual({ total_requested: 2, successful: 2, failed: 0, duplicates_removed: 1 });
    expect(snapshotCalls()[0]?.query['symbols']).toBe('AAPL240426C00162500,AAPL240426C00152500');
  });

  it('exactly 100 contracts is still one call', async () => {
    await batch(strikes(100)).expect(200);
    expect(snapshotCalls()).toHaveLength(1);
    expect(snapshotCalls()[0]?.query['symbols']?.split(',')).toHaveLength(100);
  });

  it('follows a next_page_token on the snapshots endpoint instead of dropping contracts', async () => {
    const first = 'AAPL240426C00152500';
    gw.emulator.injectFault({
      path: SNAPSHOTS,
      kind: 'status',
      status: 200,
      times: 1,
      body: { snapshots: { [first]: fixture(first) }, next_page_token: Buffer.from(first).toString('base64') },
    });
    const res = await batch([first, 'AAPL240426C00162500']).expect(200);
    expect(res.body.data.summary).toMatchObject({ successful: 2, failed: 0 });
    expect(snapshotCalls().map((c) => c.query['page_token'])).toEqual([
      undefined,
      Buffer.from(first).toString('base64'),
    ]);
    expect(res.body.metadata.upstream_request_ids).toHaveLength(2);
  });

  it('names every invalid symbol at once', async () => {
    const error = expectCatalogError(
      await batch(['AAPL240426C00162500', 'NOPE', 'AAPL241326C00100000']),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    const invalid = (error['details'] as { invalid_symbols: Array<{ option_symbol: string }> }).invalid_symbols;
    expect(invalid.map((i) => i.option_symbol)).toEqual(['NOPE', 'AAPL241326C00100000']);
  });

  it.each([
    [{}],
    [{ option_symbols: [] }],
    [{ option_symbols: 'AAPL240426C00162500' }],
    [{ option_symbols: [1] }],
    [{ option_symbols: ['AAPL240426C00162500'], extra: 1 }],
  ])('refuses body %j with INVALID_PARAMETER', async (body) => {
    expectCatalogError(await gw.http().post('/api/v1/options/quotes/batch').send(body), 400, 'INVALID_PARAMETER');
    expect(gw.emulator.requests).toHaveLength(0);
  });
});

describe('no number in an options quote differs from the fixture it came from', () => {
  it('walks every numeric field of every known contract, single and batch', async () => {
    const all = Object.entries(gw.emulator.fixtures.optionSnapshots)
      .filter(([, fx]) => Object.keys(fx).length > 0)
      .map(([symbol]) => symbol);
    let compared = 0;
    for (const symbol of all) {
      const res = await gw.http().get(`/api/v1/options/${symbol}/quote`).expect(200);
      compared += expectNumbersFromFixture(res.body.data, gw.emulator.fixtures.optionSnapshots);
    }
    const res = await gw.http().post('/api/v1/options/quotes/batch').send({ option_symbols: all }).expect(200);
    for (const item of res.body.data.quotes)
      compared += expectNumbersFromFixture(item.data, gw.emulator.fixtures.optionSnapshots);
    expect(compared).toBeGreaterThan(100);
  });
});

describe('upstream failures on option routes', () => {
  it('429 → 503 UPSTREAM_RATE_LIMITED with Retry-After', async () => {
    gw.emulator.injectFault(rateLimitFault({ path: SNAPSHOTS, retryAfter: 4 }));
    const res = await gw.http().get('/api/v1/options/AAPL240426C00162500/quote');
    expectCatalogError(res, 503, 'UPSTREAM_RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('4');
    expect(res.body.metadata.retry_after).toBe(4);
  });

  it('5xx → 503 UPSTREAM_API_UNAVAILABLE (the batch fails as a whole)', async () => {
    gw.emulator.injectFault({ path: SNAPSHOTS, kind: 'status', status: 502, body: { message: 'bad gateway' } });
    const error = expectCatalogError(
      await gw
        .http()
        .post('/api/v1/options/quotes/batch')
        .send({ option_symbols: ['AAPL240426C00162500'] }),
      503,
      'UPSTREAM_API_UNAVAILABLE',
    );
    expect(error['details']).toMatchObject({ upstream: 'data', upstream_status: 502, upstream_message: 'bad gateway' });
  });

  it('malformed JSON → 502 UPSTREAM_INVALID_RESPONSE', async () => {
    gw.emulator.injectFault({ path: SNAPSHOTS, kind: 'malformed' });
    expectCatalogError(
      await gw.http().get('/api/v1/options/AAPL240426C00162500/quote'),
      502,
      'UPSTREAM_INVALID_RESPONSE',
    );
  });

  it('a stock-shaped quote (array condition) → 502 naming the field', async () => {
    gw.emulator.injectFault({
      path: SNAPSHOTS,
      kind: 'status',
      status: 200,
      body: {
        snapshots: {
          AAPL240426C00162500: {
            latestQuote: {
              ap: 4.3,
              as: 91,
              ax: 'B',
              bp: 4.15,
              bs: 16,
              bx: 'C',
              c: ['A'],
              t: '2024-04-22T19:59:59.992734208Z',
            },
          },
        },
        next_page_token: null,
      },
    });
    const error = expectCatalogError(
      await gw.http().get('/api/v1/options/AAPL240426C00162500/quote'),
      502,
      'UPSTREAM_INVALID_RESPONSE',
    );
    expect((error['details'] as { reason: string }).reason).toBe(
      '$.snapshots.AAPL240426C00162500.latestQuote.c: expected a string',
    );
  });

  it('no answer in time → 504 UPSTREAM_TIMEOUT', async () => {
    gw.emulator.injectFault({ path: SNAPSHOTS, kind: 'hang' });
    const started = Date.now();
    expectCatalogError(await gw.http().get('/api/v1/options/AAPL240426C00162500/quote'), 504, 'UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2000);
  });
});

describe('the configured options feed', () => {
  it('ALPACA_OPTIONS_FEED=opra reaches Alpaca and metadata', async () => {
    const opra = await startGateway({ ALPACA_OPTIONS_FEED: 'opra' });
    try {
      const res = await opra.http().get('/api/v1/options/AAPL240426C00162500/quote').expect(200);
      expect(res.body.metadata.feed).toBe('opra');
      expect(opra.emulator.requestsTo(SNAPSHOTS)[0]?.query['feed']).toBe('opra');
    } finally {
      await opra.close();
    }
  });
});

describe('configurable option batch maximum', () => {
  it('honours OPTIONS_BATCH_MAX_CONTRACTS', async () => {
    const small = await startGateway({ OPTIONS_BATCH_MAX_CONTRACTS: '2' });
    try {
      const res = await small
        .http()
        .post('/api/v1/options/quotes/batch')
        .send({ option_symbols: ['AAPL240426C00162500', 'AAPL240426C00152500', 'AAPL240426C00155000'] });
      expect(expectCatalogError(res, 400, 'REQUEST_SIZE_EXCEEDED')['details']).toEqual({ max: 2, requested: 3 });
      expect(small.emulator.requests.filter((r) => r.host === 'data')).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});
