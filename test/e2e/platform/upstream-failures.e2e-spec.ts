import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import { startGateway, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

const TIMEOUT_MS = 400;
const DEADLINE_MS = 1000;
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({
    ALPACA_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
    ALPACA_REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

const QUOTES = '/v2/stocks/quotes/latest';

describe('upstream failures become typed catalog errors', () => {
  it('429 → 503 UPSTREAM_RATE_LIMITED with Retry-After from X-RateLimit-Reset', async () => {
    gw.emulator.injectFault(rateLimitFault({ path: QUOTES, resetInSeconds: 7 }));
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote');
    const error = expectCatalogError(res, 503, 'UPSTREAM_RATE_LIMITED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(6);
    expect(retryAfter).toBeLessThanOrEqual(8);
    expect(res.body.metadata.retry_after).toBe(retryAfter);
    expect(error['details']).toMatchObject({ upstream: 'data', upstream_status: 429 });
  });

  it('429 with Retry-After → that many seconds', async () => {
    gw.emulator.injectFault(rateLimitFault({ path: QUOTES, retryAfter: 3 }));
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote');
    expectCatalogError(res, 503, 'UPSTREAM_RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('3');
  });

  it.each([500, 502, 503, 504])('%i → 503 UPSTREAM_API_UNAVAILABLE', async (status) => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status, body: { message: 'internal server error' } });
    const error = expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(error['details']).toMatchObject({ upstream_status: status, upstream_message: 'internal server error' });
  });

  it('no answer within the timeout → 504 UPSTREAM_TIMEOUT, retried but never past the deadline', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'hang' });
    const started = Date.now();
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote');
    const elapsed = Date.now() - started;
    expectCatalogError(res, 504, 'UPSTREAM_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 150);
    expect(gw.emulator.requestsTo(QUOTES).length).toBeGreaterThanOrEqual(2);
  });

  it('a slow answer inside the timeout is served', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'delay', ms: 100 });
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
  });

  it('connection reset → 503 UPSTREAM_API_UNAVAILABLE', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'reset' });
    const error = expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(error['details']).toMatchObject({ upstream_status: null });
  });

  it('malformed JSON → 502 UPSTREAM_INVALID_RESPONSE', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'malformed' });
    const error = expectCatalogError(
      await gw.http().get('/api/v1/stocks/AAPL/quote'),
      502,
      'UPSTREAM_INVALID_RESPONSE',
    );
    expect(error['details']).toMatchObject({ reason: 'body is not valid JSON' });
  });

  it('JSON of the wrong shape → 502 UPSTREAM_INVALID_RESPONSE naming the field', async () => {
    gw.emulator.injectFault({
      path: QUOTES,
      kind: 'status',
      status: 200,
      body: { quotes: { AAPL: { t: '2022-08-17T10:09:34Z', bp: 'cheap' } } },
    });
    const error = expectCatalogError(
      await gw.http().get('/api/v1/stocks/AAPL/quote'),
      502,
      'UPSTREAM_INVALID_RESPONSE',
    );
    expect(String((error['details'] as { reason: string }).reason)).toContain('$.quotes.AAPL');
  });

  it('an empty map → 404 SYMBOL_NOT_FOUND (not an error of ours, not a zero quote)', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'empty' });
    expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 404, 'SYMBOL_NOT_FOUND');
  });

  it("403 recent-SIP refusal → 403 UPSTREAM_SUBSCRIPTION_REQUIRED with Alpaca's message", async () => {
    gw.emulator.injectFault({
      path: '/v2/stocks/bars',
      kind: 'status',
      status: 403,
      body: { code: 42210000, message: 'subscription does not permit querying recent SIP data' },
    });
    const res = await gw.http().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Min' });
    const error = expectCatalogError(res, 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
    expect(error['details']).toMatchObject({
      upstream_status: 403,
      upstream_code: 42210000,
      upstream_message: 'subscription does not permit querying recent SIP data',
    });
  });

  it('403 forbidden (bad credentials on market data) → 503 UPSTREAM_AUTHENTICATION_FAILED', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 403, body: { message: 'forbidden.' } });
    expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 503, 'UPSTREAM_AUTHENTICATION_FAILED');
  });

  it('batch: an upstream failure fails the whole batch with the same catalog error', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 503 });
    expectCatalogError(
      await gw
        .http()
        .post('/api/v1/stocks/quotes/batch')
        .send({ symbols: ['AAPL', 'MSFT'] }),
      503,
      'UPSTREAM_API_UNAVAILABLE',
    );
  });

  it('recovers as soon as the upstream does (the fault ends, the next call succeeds)', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 500, times: 3 });
    expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(3);
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
  });

  it('a passing 5xx or 429 is retried and the client never sees it', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 503, times: 1 });
    gw.emulator.injectFault({ path: QUOTES, kind: 'reset', times: 1 });
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(3);
  });

  it.each([400, 401, 403, 404, 422])('never retries a %i', async (status) => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status, body: { message: 'no' } });
    await gw.http().get('/api/v1/stocks/AAPL/quote');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
  });
});

describe('a 403 from the trading host', () => {
  const FORBIDDEN = { message: 'forbidden.' };
  const NOT_PERMITTED = { code: 42210000, message: 'subscription does not permit querying this data' };
  const READS = [
    { path: '/api/v1/assets', query: { status: 'active' }, upstream: '/v2/assets' },
    { path: '/api/v1/market/calendar', query: { start: '2025-01-01', end: '2025-01-31' }, upstream: '/v2/calendar' },
  ];

  it.each(READS)(
    'on a read ($upstream) is refused credentials: 503 UPSTREAM_AUTHENTICATION_FAILED, not ORDER_REJECTED; asked once',
    async (read) => {
      gw.emulator.injectFault({
        host: 'trading',
        method: 'GET',
        path: read.upstream,
        kind: 'status',
        status: 403,
        body: FORBIDDEN,
      });
      const res = await gw.http().get(read.path).query(read.query);
      const error = expectCatalogError(res, 503, 'UPSTREAM_AUTHENTICATION_FAILED');
      expect(res.headers['x-error-code']).toBe('UPSTREAM_AUTHENTICATION_FAILED');
      expect(error['details']).toMatchObject({
        upstream: 'trading',
        upstream_status: 403,
        upstream_message: 'forbidden.',
      });
      const received = gw.emulator.requestsTo(read.upstream, 'trading');
      expect(received.map((r) => r.method)).toEqual(['GET']);
      expect(received[0]?.query).toMatchObject(read.query);
    },
  );

  it.each(READS)(
    'on a read ($upstream) saying the plan does not permit it: 403 UPSTREAM_SUBSCRIPTION_REQUIRED; asked once',
    async (read) => {
      gw.emulator.injectFault({
        host: 'trading',
        method: 'GET',
        path: read.upstream,
        kind: 'status',
        status: 403,
        body: NOT_PERMITTED,
      });
      const res = await gw.http().get(read.path).query(read.query);
      const error = expectCatalogError(res, 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
      expect(res.headers['x-error-code']).toBe('UPSTREAM_SUBSCRIPTION_REQUIRED');
      expect(error['details']).toMatchObject({ upstream_status: 403, upstream_code: 42210000 });
      expect(gw.emulator.requestsTo(read.upstream, 'trading').map((r) => r.method)).toEqual(['GET']);
    },
  );

  it('on an order write (a cancel) is still Alpaca refusing the order: 422 ORDER_REJECTED, sent once', async () => {
    const id = '0b7a3e1c-5d2f-4a8e-9c61-2f4d8e7b9a10';
    gw.emulator.injectFault({
      host: 'trading',
      method: 'DELETE',
      path: `/v2/orders/${id}`,
      kind: 'status',
      status: 403,
      body: { code: 40310000, message: 'order is not cancelable' },
    });
    const res = await gw
      .anon()
      .delete(`/api/v1/orders/${id}`)
      .set('Authorization', `Bearer ${tokenFor(['trader'])}`);
    expectCatalogError(res, 422, 'ORDER_REJECTED');
    expect(res.headers['x-error-code']).toBe('ORDER_REJECTED');
    expect(gw.emulator.requestsTo(`/v2/orders/${id}`, 'trading').map((r) => r.method)).toEqual(['DELETE']);
  });
});

describe('wrong Alpaca credentials', () => {
  it('→ 503 UPSTREAM_AUTHENTICATION_FAILED, and the keys appear nowhere in the answer or the logs', async () => {
    const bad = await startGateway({
      APCA_API_KEY_ID: 'PKWRONGKEY000000000',
      APCA_API_SECRET_KEY: 'wrong-secret-0123456789abcdef',
    });
    try {
      const res = await bad.http().get('/api/v1/stocks/AAPL/quote');
      const error = expectCatalogError(res, 503, 'UPSTREAM_AUTHENTICATION_FAILED');
      expect(error['details']).toMatchObject({ upstream_status: 401, upstream_code: 40110000 });
      const everything = JSON.stringify(res.body) + JSON.stringify(res.headers) + bad.rawLogs.join('');
      expect(everything).not.toContain('PKWRONGKEY000000000');
      expect(everything).not.toContain('wrong-secret-0123456789abcdef');
      // The emulator did receive them: the gateway sent its configured keys.
      expect(bad.emulator.requests[0]?.headers['apca-api-key-id']).toBe('PKWRONGKEY000000000');
    } finally {
      await bad.close();
    }
  });
});
