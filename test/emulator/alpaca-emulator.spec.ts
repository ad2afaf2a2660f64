import { AlpacaEmulator, rateLimitFault } from './alpaca-emulator.js';
import { call, obj } from './spec-helpers.js';

const emulator = new AlpacaEmulator({ keyId: 'spec-key', secretKey: 'spec-secret' });

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const QUOTES = '/v2/stocks/quotes/latest?symbols=AAPL';

describe('listeners and auth', () => {
  it('listens on two distinct loopback ports', () => {
    expect(emulator.dataUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.tradingUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.dataUrl).not.toBe(emulator.tradingUrl);
  });

  it.each([
    ['no key headers', false as const],
    ['a wrong secret', { 'APCA-API-KEY-ID': 'spec-key', 'APCA-API-SECRET-KEY': 'nope' }],
    ['a wrong key id', { 'APCA-API-KEY-ID': 'nope', 'APCA-API-SECRET-KEY': 'spec-secret' }],
  ])('answers 401 to %s, on both hosts, and still records the request', async (_label, auth) => {
    const data = await call(emulator, 'data', QUOTES, { auth });
    const trading = await call(emulator, 'trading', '/v2/clock', { auth });
    for (const reply of [data, trading]) {
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ code: 40110000, message: 'request is not authorized' });
    }
    expect(emulator.requests.map((r) => r.path)).toEqual(['/v2/stocks/quotes/latest', '/v2/clock']);
  });

  it('sends Alpaca headers on every answer, with a decreasing remaining budget per host', async () => {
    const first = await call(emulator, 'data', QUOTES);
    const second = await call(emulator, 'data', QUOTES);
    const trading = await call(emulator, 'trading', '/v2/clock');
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('x-ratelimit-limit')).toBe('200');
    expect(
      Number(first.headers.get('x-ratelimit-remaining')) - Number(second.headers.get('x-ratelimit-remaining')),
    ).toBe(1);
    expect(Number(trading.headers.get('x-ratelimit-remaining'))).toBe(199);
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    const nowSeconds = Date.now() / 1000;
    expect(Number.isInteger(reset) && reset > nowSeconds && reset <= nowSeconds + 60).toBe(true);
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('keeps answering after the advertised budget reaches 0 (only faults refuse)', async () => {
    const replies = [];
    for (let i = 0; i < 201; i += 1) replies.push(await call(emulator, 'trading', '/v2/clock'));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies[replies.length - 1].headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('serves each path only on its own host; unknown paths are 404 and wrong methods 405', async () => {
    expect(await call(emulator, 'trading', QUOTES)).toMatchObject({ status: 404, json: { message: 'Not Found' } });
    expect(await call(emulator, 'data', '/v2/clock')).toMatchObject({ status: 404, json: { message: 'Not Found' } });
    expect(await call(emulator, 'data', '/v3/nothing')).toMatchObject({ status: 404, json: { message: 'Not Found' } });
    expect((await call(emulator, 'trading', '/v2/clock', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('faults', () => {
  it('status: sends the status, headers and a JSON body for an object', async () => {
    emulator.injectFault({
      kind: 'status',
      status: 503,
      body: { message: 'upstream sad' },
      headers: { 'X-Extra': 'yes' },
    });
    const reply = await call(emulator, 'data', QUOTES);
    expect(reply).toMatchObject({ status: 503, json: { message: 'upstream sad' } });
    expect(reply.headers.get('x-extra')).toBe('yes');
    expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('status: sends a string body raw, and a default JSON body when none is given', async () => {
    emulator.injectFault({
      kind: 'status',
      status: 502,
      body: '<html>bad gateway</html>',
      headers: { 'Content-Type': 'text/html' },
      times: 1,
    });
    emulator.injectFault({ kind: 'status', status: 500, times: 1 });
    const html = await call(emulator, 'data', QUOTES);
    expect(html.status).toBe(502);
    expect(html.text).toBe('<html>bad gateway</html>');
    expect(html.headers.get('content-type')).toBe('text/html');
    const bare = await call(emulator, 'data', QUOTES);
    expect(bare).toMatchObject({ status: 500, json: { message: 'emulated 500' } });
  });

  it('status faults answer even an unauthenticated request (they stand for failures in front of the API)', async () => {
    emulator.injectFault({ kind: 'status', status: 500 });
    expect((await call(emulator, 'data', QUOTES, { auth: false })).status).toBe(500);
  });

  it('rateLimitFault: 429 with X-RateLimit-* headers and Retry-After only when asked', async () => {
    const before = Math.floor(Date.now() / 1000);
    emulator.injectFault(rateLimitFault({ times: 1, resetInSeconds: 5 }));
    emulator.injectFault(rateLimitFault({ times: 1, retryAfter: 3, path: '/v2/stocks/quotes/latest' }));
    const first = await call(emulator, 'data', QUOTES);
    expect(first).toMatchObject({ status: 429, json: { message: 'too many requests.' } });
    expect(first.headers.get('x-ratelimit-limit')).toBe('200');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset >= before + 5 && reset <= before + 7).toBe(true);
    expect(first.headers.get('retry-after')).toBeNull();
    const second = await call(emulator, 'data', QUOTES);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('3');
    expect((await call(emulator, 'data', QUOTES)).status).toBe(200);
  });

  it('delay: waits, then answers normally', async () => {
    emulator.injectFault({ kind: 'delay', ms: 150 });
    const started = performance.now();
    const reply = await call(emulator, 'data', QUOTES);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(obj(obj(reply.json).quotes).AAPL).toBeDefined();
  });

  it('hang: never answers, and the request is still recorded', async () => {
    emulator.injectFault({ kind: 'hang', path: '/v2/clock' });
    await expect(call(emulator, 'trading', '/v2/clock', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(emulator.requestsTo('/v2/clock')).toHaveLength(1);
  });

  it('malformed: 200 with a JSON content type and a truncated body that does not parse', async () => {
    emulator.injectFault({ kind: 'malformed' });
    const reply = await call(emulator, 'data', QUOTES);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(reply.text) as unknown).toThrow();
  });

  it('reset: the connection is destroyed without a response', async () => {
    emulator.injectFault({ kind: 'reset' });
    const failure: unknown = await call(emulator, 'data', QUOTES).then(
      () => undefined,
      (error: unknown) => error,
    );
    // The socket is reset (RST), not closed after a partial answer. (Duck-typed: fetch's errors
    // come from another realm under Jest's VM modules, so instanceof Error is false.)
    expect(failure).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } });
    expect(emulator.requests).toHaveLength(1);
  });

  it.each([
    ['data', '/v2/stocks/quotes/latest?symbols=AAPL', { quotes: {} }],
    ['data', '/v2/stocks/trades/latest?symbols=AAPL', { trades: {} }],
    ['data', '/v2/stocks/snapshots?symbols=AAPL', {}],
    ['data', '/v2/stocks/bars?symbols=AAPL&timeframe=1Day', { bars: {}, next_page_token: null }],
    ['data', '/v2/stocks/AAPL/bars?timeframe=1Day', { symbol: 'AAPL', bars: [], next_page_token: null }],
    ['data', '/v1beta1/options/snapshots?symbols=AAPL240426C00162500', { snapshots: {}, next_page_token: null }],
    ['data', '/v1beta1/options/snapshots/AAPL', { snapshots: {}, next_page_token: null }],
    ['data', '/v1beta1/options/quotes/latest?symbols=AAPL240426C00162500', { quotes: {} }],
    ['trading', '/v2/options/contracts', { option_contracts: [], next_page_token: null }],
    ['trading', '/v2/positions', []],
    ['trading', '/v2/orders', []],
  ] as const)('empty on %s %s answers the empty envelope', async (host, path, expected) => {
    emulator.injectFault({ kind: 'empty' });
    const reply = await call(emulator, host, path);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(expected);
  });

  it('accept-then-hang: POST /v2/orders creates the order but never answers', async () => {
    emulator.injectFault({ kind: 'accept-then-hang', method: 'POST', path: '/v2/orders' });
    const order = {
      symbol: 'AAPL',
      qty: '1',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      client_order_id: 'lost-answer-1',
    };
    await expect(
      call(emulator, 'trading', '/v2/orders', { method: 'POST', body: order, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    const found = await call(emulator, 'trading', '/v2/orders:by_client_order_id?client_order_id=lost-answer-1');
    expect(found.status).toBe(200);
    expect(obj(found.json)).toMatchObject({ client_order_id: 'lost-answer-1', symbol: 'AAPL' });
  });

  it('times: a limited fault affects only that many matching requests', async () => {
    emulator.injectFault({ kind: 'status', status: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(emulator, 'data', QUOTES)).status);
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('applies the first matching fault with budget left, in insertion order', async () => {
    emulator.injectFault({ kind: 'status', status: 503, times: 1 });
    emulator.injectFault({ kind: 'status', status: 504, times: 1 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(emulator, 'data', QUOTES)).status);
    expect(statuses).toEqual([503, 504, 200]);
  });

  it('filters by host, method and path (string exact, RegExp tested)', async () => {
    emulator.injectFault({ kind: 'status', status: 500, host: 'trading', path: '/v2/clock' });
    emulator.injectFault({ kind: 'status', status: 502, method: 'post', path: /^\/v2\/orders$/ });
    emulator.injectFault({ kind: 'status', status: 503, path: /\/options\//g });
    expect((await call(emulator, 'trading', '/v2/clock')).status).toBe(500);
    expect((await call(emulator, 'trading', '/v2/account')).status).toBe(200);
    expect((await call(emulator, 'trading', '/v2/orders')).status).toBe(200);
    expect((await call(emulator, 'trading', '/v2/orders', { method: 'POST', body: {} })).status).toBe(502);
    expect((await call(emulator, 'data', '/v2/stocks/quotes/latest/x')).status).toBe(404);
    // A /g regex must not alternate between matching and not (lastIndex state).
    expect((await call(emulator, 'data', '/v1beta1/options/snapshots/AAPL')).status).toBe(503);
    expect((await call(emulator, 'data', '/v1beta1/options/snapshots/AAPL')).status).toBe(503);
  });

  it('clearFaults() disarms everything', async () => {
    emulator.injectFault({ kind: 'status', status: 500 });
    emulator.clearFaults();
    expect((await call(emulator, 'data', QUOTES)).status).toBe(200);
  });
});

describe('request log', () => {
  it('records host, method, decoded path, last-wins query, lower-cased headers, parsed body and time', async () => {
    const before = Date.now();
    await call(emulator, 'data', '/v2/stocks/BRK%2EB/quotes/latest?feed=sip&feed=iex&x=a%20b');
    await call(emulator, 'trading', '/v2/orders', { method: 'POST', body: { symbol: 'AAPL', qty: 1 } });
    const [get, post] = emulator.requests;
    expect(get).toMatchObject({
      host: 'data',
      method: 'GET',
      path: '/v2/stocks/BRK.B/quotes/latest',
      query: { feed: 'iex', x: 'a b' },
      body: undefined,
    });
    expect(get.headers['apca-api-key-id']).toBe('spec-key');
    expect(get.at).toBeGreaterThanOrEqual(before);
    expect(post).toMatchObject({
      host: 'trading',
      method: 'POST',
      path: '/v2/orders',
      body: { symbol: 'AAPL', qty: 1 },
    });
    expect(post.headers['content-type']).toBe('application/json');
  });

  it('requestsTo() filters by exact path or RegExp and by host; clearRequests() empties the same array', async () => {
    await call(emulator, 'data', QUOTES);
    await call(emulator, 'data', '/v2/stocks/snapshots?symbols=AAPL');
    await call(emulator, 'trading', '/v2/clock');
    expect(emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(1);
    expect(emulator.requestsTo(/^\/v2\//)).toHaveLength(3);
    expect(emulator.requestsTo(/^\/v2\//, 'trading').map((r) => r.path)).toEqual(['/v2/clock']);
    const log = emulator.requests;
    emulator.clearRequests();
    expect(log).toHaveLength(0);
  });
});

describe('latency', () => {
  it('setLatency() delays every answer; reset() restores the constructor value', async () => {
    emulator.setLatency(120);
    let started = performance.now();
    await call(emulator, 'trading', '/v2/clock');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    emulator.reset();
    started = performance.now();
    await call(emulator, 'trading', '/v2/clock');
    expect(performance.now() - started).toBeLessThan(100);
  });

  // Thirty at once: more than the ten abort listeners Node tolerates on one AbortSignal, which is
  // what sleeping on a shared lifetime signal used to cost (MaxListenersExceededWarning).
  it('holds many slow answers at once, and stop() ends them all promptly', async () => {
    const slow = new AlpacaEmulator({ latencyMs: 60_000 });
    await slow.start();
    try {
      const pending = Array.from({ length: 30 }, () =>
        call(slow, 'trading', '/v2/clock', { signal: AbortSignal.timeout(10_000) }),
      );
      const deadline = Date.now() + 2000;
      while (slow.requests.length < 30 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(slow.requests).toHaveLength(30);
      const started = performance.now();
      await slow.stop();
      expect((await Promise.allSettled(pending)).every((o) => o.status === 'rejected')).toBe(true);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await slow.stop();
    }
  });

  it('applies the constructor latency', async () => {
    const slow = new AlpacaEmulator({ latencyMs: 100 });
    await slow.start();
    try {
      const started = performance.now();
      expect((await call(slow, 'trading', '/v2/clock')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    } finally {
      await slow.stop();
    }
  });
});

describe('stop()', () => {
  it('destroys hung connections and closes promptly', async () => {
    const own = new AlpacaEmulator();
    await own.start();
    own.injectFault({ kind: 'hang' });
    const pending = call(own, 'data', QUOTES, { signal: AbortSignal.timeout(10_000) });
    // Wait until the request has arrived before stopping (poll, no blind sleep).
    const deadline = Date.now() + 2000;
    while (own.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await own.stop();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => own.dataUrl).toThrow();
  });

  it('can restart after stop and uses fixed ports when given', async () => {
    const probe = new AlpacaEmulator();
    await probe.start();
    const port = Number(new URL(probe.dataUrl).port);
    await probe.stop();
    await probe.start();
    expect((await call(probe, 'trading', '/v2/clock')).status).toBe(200);
    await probe.stop();
    const fixed = new AlpacaEmulator({ dataPort: port });
    await fixed.start();
    try {
      expect(fixed.dataUrl).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await fixed.stop();
    }
  });
});
