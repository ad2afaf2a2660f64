import {
  startGateway,
  expectCatalogError,
  KEY_ID,
  SECRET_KEY,
  type Gateway,
  gatewayPerFile,
} from '../support/harness.js';

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

function quoteCalls() {
  return gw.emulator.requestsTo('/v2/stocks/quotes/latest', 'data');
}

describe('GET /stocks/{symbol}/quote', () => {
  it('returns the latest quote, values exactly as the emulator sent them, in the success envelope', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    const wire = gw.emulator.fixtures.stockQuotes['AAPL'];
    if (wire === undefined) throw new Error('fixture AAPL missing');
    expect(res.body.data).toEqual({
      symbol: 'AAPL',
      timestamp: wire.t,
      bid_price: wire.bp,
      bid_size: wire.bs,
      bid_exchange: wire.bx,
      ask_price: wire.ap,
      ask_size: wire.as,
      ask_exchange: wire.ax,
      conditions: wire.c,
      tape: wire.z ?? null,
    });
    // Bit-identical: the JSON text of each number is the fixture's own.
    expect(Object.is(res.body.data.bid_price, wire.bp)).toBe(true);
    expect(Object.is(res.body.data.ask_price, wire.ap)).toBe(true);

    const m = res.body.metadata;
    expect(m.request_id).toBe(res.headers['x-request-id']);
    expect(m.data_source).toBe('alpaca_real_time');
    expect(m.provider).toBe('non_alpaca_host');
    expect(m.provider_host).toBe(new URL(gw.emulator.dataUrl).host);
    expect(m.feed).toBe('iex');
    expect(m.data_timestamp).toBe(wire.t);
    expect(typeof m.data_freshness_seconds).toBe('number');
    expect(m.data_freshness_seconds).toBeGreaterThan(0);
    expect(['open', 'closed']).toContain(m.market_status);
    expect(m.cache).toEqual({ status: 'MISS', age_seconds: 0 });
    expect(m.upstream_request_ids).toHaveLength(1);
    expect(Date.parse(m.timestamp)).not.toBeNaN();

    expect(res.headers['x-data-source']).toBe('alpaca_real_time');
    expect(res.headers['x-cache-status']).toBe('MISS');
    expect(Number(res.headers['x-data-freshness'])).toBeCloseTo(m.data_freshness_seconds, 0);
    // The fixture clock says the market is open: quotes live 5 s.
    expect(res.headers['cache-control']).toBe('private, max-age=5');
  });

  it('calls the multi-symbol endpoint with the feed and the credentials headers', async () => {
    await gw.http().get('/api/v1/stocks/aapl/quote').expect(200);
    const calls = quoteCalls();
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call?.method).toBe('GET');
    expect(call?.query).toEqual({ symbols: 'AAPL', feed: 'iex' });
    expect(call?.headers['apca-api-key-id']).toBe(KEY_ID);
    expect(call?.headers['apca-api-secret-key']).toBe(SECRET_KEY);
  });

  it('normalises class shares (brk-b → BRK.B)', async () => {
    const res = await gw.http().get('/api/v1/stocks/brk-b/quote').expect(200);
    expect(res.body.data.symbol).toBe('BRK.B');
    expect(quoteCalls()[0]?.query['symbols']).toBe('BRK.B');
  });

  it('answers 404 SYMBOL_NOT_FOUND when Alpaca omits the symbol', async () => {
    const res = await gw.http().get('/api/v1/stocks/ZZZZ/quote');
    const error = expectCatalogError(res, 404, 'SYMBOL_NOT_FOUND');
    expect(error['details']).toEqual({ symbol: 'ZZZZ', feed: 'iex' });
    expect(error['type']).toBe('data_unavailable');
    expect(res.body.metadata.endpoint).toBe('/api/v1/stocks/ZZZZ/quote');
  });

  it.each(['TOOLONG', 'A$PL', '1ABC', 'BRK.BBB', 'AA%20PL', '%E2%82%AC'])(
    'refuses malformed %p with 400 and no upstream call',
    async (symbol) => {
      const res = await gw.http().get(`/api/v1/stocks/${symbol}/quote`);
      const error = expectCatalogError(res, 400, 'INVALID_SYMBOL_FORMAT');
      expect(error['details']).toHaveProperty('fields');
      // What is accepted, so a new user need not guess: the shapes, and that lower case is fine.
      const said = JSON.stringify(error);
      for (const phrase of ['1-5 letters', 'BRK.B', 'BRK-B', 'BRK/B', 'lower case is accepted and upper-cased'])
        expect(said).toContain(phrase);
      expect(gw.emulator.requests.filter((r) => r.host === 'data')).toHaveLength(0);
    },
  );
});

describe('GET /stocks/{symbol}/trade', () => {
  it('returns the latest trade with the trade id as a string', async () => {
    const res = await gw.http().get('/api/v1/stocks/IBM/trade').expect(200);
    const wire = gw.emulator.fixtures.stockTrades['IBM'];
    if (wire === undefined) throw new Error('fixture IBM missing');
    expect(res.body.data).toEqual({
      symbol: 'IBM',
      timestamp: wire.t,
      price: wire.p,
      size: wire.s,
      exchange: wire.x,
      conditions: wire.c,
      tape: wire.z ?? null,
      trade_id: String(wire.i),
      update: wire.u ?? null,
    });
    expect(res.body.metadata.data_timestamp).toBe(wire.t);
    expect(gw.emulator.requestsTo('/v2/stocks/trades/latest')[0]?.query).toEqual({ symbols: 'IBM', feed: 'iex' });
  });

  it('keeps every digit of a trade id beyond 2^53', async () => {
    // JSON.stringify cannot write such a number, so the emulator sends this body as raw text.
    gw.emulator.injectFault({
      path: '/v2/stocks/trades/latest',
      kind: 'status',
      status: 200,
      body: `{"trades":{"IBM":{"t":"2021-10-11T23:42:47.895547Z","x":"K","p":142.2,"s":197,"c":[" ","F","T"],"i":18446744073709551615,"z":"A"}}}`,
      headers: { 'Content-Type': 'application/json' },
    });
    const res = await gw.http().get('/api/v1/stocks/IBM/trade').expect(200);
    expect(res.body.data.trade_id).toBe('18446744073709551615');
    expect(res.body.data.price).toBe(142.2);
  });

  it('answers 404 for an unknown symbol', async () => {
    expectCatalogError(await gw.http().get('/api/v1/stocks/QQQQQ/trade'), 404, 'SYMBOL_NOT_FOUND');
  });
});

describe('GET /stocks/{symbol}/snapshot', () => {
  it('maps every member and flags what Alpaca sent', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/snapshot').expect(200);
    const wire = gw.emulator.fixtures.stockSnapshots['AAPL'];
    if (!wire) throw new Error('fixture AAPL snapshot missing');
    const d = res.body.data;
    expect(d.symbol).toBe('AAPL');
    expect(d.latest_quote.bid_price).toBe(wire.latestQuote?.bp);
    expect(d.latest_quote.tape).toBeNull(); // the §7.4 quote has no `z`
    expect(d.latest_trade.price).toBe(wire.latestTrade?.p);
    expect(d.daily_bar.vwap).toBe(wire.dailyBar?.vw);
    expect(d.availability.latest_quote).toBe(true);
    expect(gw.emulator.requestsTo('/v2/stocks/snapshots')[0]?.query).toEqual({ symbols: 'AAPL', feed: 'iex' });
  });

  it('returns a null member as null with availability false, never a zero', async () => {
    const res = await gw.http().get('/api/v1/stocks/TSLA/snapshot').expect(200);
    expect(res.body.data.prev_daily_bar).toBeNull();
    expect(res.body.data.availability.prev_daily_bar).toBe(false);
  });

  it('answers 404 when the snapshot map holds null for the symbol', async () => {
    gw.emulator.fixtures.stockSnapshots['NULLS'] = null;
    const res = await gw.http().get('/api/v1/stocks/NULLS/snapshot');
    expectCatalogError(res, 404, 'SYMBOL_NOT_FOUND');
    expect(gw.emulator.requestsTo('/v2/stocks/snapshots')).toHaveLength(1);
  });
});

describe('POST /stocks/quotes/batch', () => {
  const TWENTY = [
    'AAPL',
    'TSLA',
    'MSFT',
    'IBM',
    'BRK.B',
    'ZZA',
    'ZZB',
    'ZZC',
    'ZZD',
    'ZZE',
    'ZZF',
    'ZZG',
    'ZZH',
    'ZZI',
    'ZZJ',
    'ZZK',
    'ZZL',
    'ZZM',
    'ZZN',
    'ZZO',
  ];

  it('answers 20 symbols with one upstream call, per-symbol status and a summary', async () => {
    const res = await gw.http().post('/api/v1/stocks/quotes/batch').send({ symbols: TWENTY }).expect(200);
    expect(quoteCalls()).toHaveLength(1);
    expect(quoteCalls()[0]?.query['symbols']).toBe(TWENTY.join(','));
    const { quotes, summary } = res.body.data;
    expect(summary).toEqual({ total_requested: 20, successful: 5, failed: 15, duplicates_removed: 0 });
    expect(quotes.map((q: { symbol: string }) => q.symbol)).toEqual(TWENTY);
    const aapl = quotes[0];
    expect(aapl.status).toBe('success');
    expect(aapl.error).toBeNull();
    expect(aapl.data.bid_price).toBe(gw.emulator.fixtures.stockQuotes['AAPL']?.bp);
    const missing = quotes[5];
    expect(missing).toEqual({
      symbol: 'ZZA',
      status: 'error',
      data: null,
      error: { code: 'SYMBOL_NOT_FOUND', message: expect.any(String), type: 'data_unavailable' },
    });
    expect(res.body.metadata.data_source).toBe('alpaca_real_time');
  });

  it('normalises and collapses duplicates', async () => {
    const res = await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['aapl', 'AAPL', ' msft '] })
      .expect(200);
    expect(res.body.data.summary).toEqual({ total_requested: 2, successful: 2, failed: 0, duplicates_removed: 1 });
    expect(quoteCalls()[0]?.query['symbols']).toBe('AAPL,MSFT');
  });

  it('refuses more than the configured maximum with REQUEST_SIZE_EXCEEDED and no upstream call', async () => {
    const symbols = Array.from(
      { length: 101 },
      (_, i) => `S${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`,
    );
    const error = expectCatalogError(
      await gw.http().post('/api/v1/stocks/quotes/batch').send({ symbols }),
      400,
      'REQUEST_SIZE_EXCEEDED',
    );
    expect(error['details']).toEqual({ max: 100, requested: 101 });
    expect(quoteCalls()).toHaveLength(0);
  });

  it('names every malformed symbol and calls nothing', async () => {
    const res = await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['AAPL', 'BAD SYMBOL', '$$$'] });
    const error = expectCatalogError(res, 400, 'INVALID_SYMBOL_FORMAT');
    expect(error['details']).toEqual({ invalid_symbols: ['BAD SYMBOL', '$$$'] });
    expect(quoteCalls()).toHaveLength(0);
  });

  it.each([
    [{}, 'symbols'],
    [{ symbols: [] }, 'symbols'],
    [{ symbols: 'AAPL' }, 'symbols'],
    [{ symbols: [1, 2] }, 'symbols'],
    [{ symbols: ['AAPL'], max_age_seconds: -1 }, 'max_age_seconds'],
    [{ symbols: ['AAPL'], unexpected: true }, 'unexpected'],
  ])('refuses body %j with INVALID_PARAMETER naming %s', async (body, field) => {
    const error = expectCatalogError(
      await gw.http().post('/api/v1/stocks/quotes/batch').send(body),
      400,
      'INVALID_PARAMETER',
    );
    const fields = (error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field);
    expect(fields).toContain(field);
    expect(quoteCalls()).toHaveLength(0);
  });

  it('answers an all-unknown batch with every symbol failed (an empty upstream map)', async () => {
    const res = await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['ZZA', 'ZZB'] })
      .expect(200);
    expect(res.body.data.summary).toEqual({ total_requested: 2, successful: 0, failed: 2, duplicates_removed: 0 });
    expect(res.body.metadata.data_timestamp).toBeNull();
    expect(res.body.metadata.data_freshness_seconds).toBeNull();
  });
});

describe('configurable batch maximum', () => {
  it('honours STOCK_BATCH_MAX_SYMBOLS', async () => {
    const small = await startGateway({ STOCK_BATCH_MAX_SYMBOLS: '2' });
    try {
      const res = await small
        .http()
        .post('/api/v1/stocks/quotes/batch')
        .send({ symbols: ['AAPL', 'MSFT', 'IBM'] });
      expect(expectCatalogError(res, 400, 'REQUEST_SIZE_EXCEEDED')['details']).toEqual({ max: 2, requested: 3 });
    } finally {
      await small.close();
    }
  });
});
