import { startGateway, type Gateway } from '../support/harness.js';
import { OffsetClock } from '../support/offset-clock.js';

const QUOTES = '/v2/stocks/quotes/latest';
const OPTION_SNAPSHOTS = '/v1beta1/options/snapshots';

describe('cache, single-flight and micro-batching', () => {
  let gw: Gateway;
  const clock = new OffsetClock();
  beforeAll(async () => {
    // A window wide enough that 50 concurrent requests land in one batch even on a loaded machine.
    gw = await startGateway({ BATCH_WINDOW_MS: '250' }, {}, undefined, { clock });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  it('serves a second request from the cache, with its age and the remaining max-age', async () => {
    const first = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    clock.advance(1100);
    const second = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.body.metadata.cache.status).toBe('HIT');
    expect(second.body.metadata.cache.age_seconds).toBeGreaterThanOrEqual(1);
    expect(second.headers['cache-control']).toMatch(/^private, max-age=[0-3]$/);
    // Same data, same provenance: the upstream request id of the one call behind both.
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.metadata.upstream_request_ids).toEqual(first.body.metadata.upstream_request_ids);
    expect(second.body.metadata.data_timestamp).toBe(first.body.metadata.data_timestamp);
  });

  it('max_age_seconds forces a refetch when the cached copy is older', async () => {
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    clock.advance(300);
    const fresh = await gw.http().get('/api/v1/stocks/AAPL/quote').query({ max_age_seconds: '0.1' }).expect(200);
    expect(fresh.body.metadata.cache.status).toBe('MISS');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(2);
    const cached = await gw.http().get('/api/v1/stocks/AAPL/quote').query({ max_age_seconds: '30' }).expect(200);
    expect(cached.body.metadata.cache.status).toBe('HIT');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(2);
    await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['AAPL'], max_age_seconds: 0 })
      .expect(200);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(3);
  });

  it('100 concurrent cold requests for one symbol → exactly 1 upstream call', async () => {
    gw.emulator.setLatency(50);
    const results = await Promise.all(Array.from({ length: 100 }, () => gw.http().get('/api/v1/stocks/MSFT/quote')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
  });

  it('50 concurrent cold requests for 50 different symbols → one multi-symbol call; each gets its own symbol or 404', async () => {
    gw.emulator.setLatency(30);
    const symbols = [
      'AAPL',
      'TSLA',
      'MSFT',
      'IBM',
      'BRK.B',
      ...Array.from(
        { length: 45 },
        (_, i) => `Z${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`,
      ),
    ];
    const results = await Promise.all(symbols.map((s) => gw.http().get(`/api/v1/stocks/${s}/quote`)));
    const calls = gw.emulator.requestsTo(QUOTES);
    expect(calls).toHaveLength(1);
    expect(new Set(calls[0]?.query['symbols']?.split(','))).toEqual(new Set(symbols));
    results.slice(0, 5).forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.body.data.symbol).toBe(symbols[i]);
      expect(r.body.data.bid_price).toBe(gw.emulator.fixtures.stockQuotes[symbols[i] ?? '']?.bp);
    });
    for (const r of results.slice(5)) expect(r.body.error.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('an upstream error is shared by the waiters and never cached', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 400, body: { message: 'bad' } });
    const results = await Promise.all(Array.from({ length: 10 }, () => gw.http().get('/api/v1/stocks/IBM/quote')));
    expect(results.every((r) => r.status === 400)).toBe(true);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
    gw.emulator.clearFaults();
    await gw.http().get('/api/v1/stocks/IBM/quote').expect(200);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(2);
  });

  it('option quotes for different contracts merge into one snapshots call', async () => {
    const contracts = ['AAPL240426C00162500', 'AAPL240426C00152500', 'AAPL240426C00155000'];
    const results = await Promise.all(contracts.map((c) => gw.http().get(`/api/v1/options/${c}/quote`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(gw.emulator.requestsTo(OPTION_SNAPSHOTS)).toHaveLength(1);
    const again = await gw
      .http()
      .get(`/api/v1/options/${contracts[0] ?? ''}/quote`)
      .expect(200);
    expect(again.body.metadata.cache.status).toBe('HIT');
    expect(gw.emulator.requestsTo(OPTION_SNAPSHOTS)).toHaveLength(1);
  });

  it('never caches trading data', async () => {
    await gw.http().get('/api/v1/account').expect(200);
    const second = await gw.http().get('/api/v1/account').expect(200);
    expect(second.headers['cache-control']).toBe('no-store');
    expect(second.body.metadata.cache.status).toBe('BYPASS');
    expect(gw.emulator.requestsTo('/v2/account')).toHaveLength(2);
  });

  it('bars wholly in the past are kept 24 h; a range reaching today only 60 s', async () => {
    const past = await gw
      .http()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', start: '2022-02-01', end: '2022-02-02' })
      .expect(200);
    expect(past.headers['cache-control']).toBe('private, max-age=86400');
    const open = await gw
      .http()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', start: '2022-02-01' })
      .expect(200);
    expect(open.headers['cache-control']).toBe('private, max-age=60');
  });
});

describe('refresh-ahead', () => {
  it('a call that goes out anyway also refreshes hot symbols past half their TTL', async () => {
    const clock = new OffsetClock();
    const gw = await startGateway({ CACHE_TTL_QUOTE_OPEN_S: '2', BATCH_WINDOW_MS: '1' }, {}, undefined, { clock });
    try {
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
      clock.advance(1200);
      gw.emulator.clearRequests();
      await gw.http().get('/api/v1/stocks/TSLA/quote').expect(200);
      const calls = gw.emulator.requestsTo(QUOTES);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.query['symbols']?.split(',').sort()).toEqual(['AAPL', 'MSFT', 'TSLA']);
      // AAPL now answers from the refreshed copy: young, and no further call.
      const aapl = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(aapl.body.metadata.cache.status).toBe('HIT');
      expect(aapl.body.metadata.cache.age_seconds).toBeLessThan(0.5);
      expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});
