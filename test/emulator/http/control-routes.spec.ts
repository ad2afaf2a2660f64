import { AlpacaEmulator } from '../alpaca-emulator.js';
import { arr, call, obj } from '../spec-helpers.js';

const emulator = new AlpacaEmulator();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const QUOTES = '/v2/stocks/quotes/latest?symbols=AAPL';

describe('control endpoints', () => {
  const control = (host: 'data' | 'trading', path: string, method = 'GET', body?: unknown) =>
    call(emulator, host, `/__emulator/${path}`, { method, body, auth: false });

  it('arm string-path and regex faults over HTTP on either port, without auth and without being recorded', async () => {
    expect(
      (await control('trading', 'faults', 'POST', { kind: 'status', status: 500, path: '/v2/clock', times: 1 })).status,
    ).toBe(200);
    expect(
      (await control('data', 'faults', 'POST', { kind: 'status', status: 503, pathRegex: '^/v2/stocks/' })).status,
    ).toBe(200);
    expect((await call(emulator, 'trading', '/v2/clock')).status).toBe(500);
    expect((await call(emulator, 'trading', '/v2/clock')).status).toBe(200);
    expect((await call(emulator, 'data', QUOTES)).status).toBe(503);
    expect(emulator.requests.every((r) => !r.path.startsWith('/__emulator'))).toBe(true);
    expect((await control('data', 'faults', 'DELETE')).status).toBe(200);
    expect((await call(emulator, 'data', QUOTES)).status).toBe(200);
  });

  it('accepts path given as {"pathRegex": ...} and rejects invalid specs with 400', async () => {
    expect((await control('data', 'faults', 'POST', { kind: 'empty', path: { pathRegex: 'quotes' } })).status).toBe(
      200,
    );
    expect((await call(emulator, 'data', QUOTES)).json).toEqual({ quotes: {} });
    expect((await control('data', 'faults', 'POST', { kind: 'explode' })).status).toBe(400);
    expect((await control('data', 'faults', 'POST', { kind: 'status', status: 42 })).status).toBe(400);
    expect((await control('data', 'faults', 'POST', { kind: 'hang', pathRegex: '(' })).status).toBe(400);
    expect((await control('data', 'faults', 'POST', 'not json')).status).toBe(400);
  });

  it('read and clear the request log', async () => {
    await call(emulator, 'data', QUOTES);
    const log = await control('trading', 'requests');
    expect(arr(log.json)).toHaveLength(1);
    expect(obj(arr(log.json)[0])).toMatchObject({
      host: 'data',
      path: '/v2/stocks/quotes/latest',
      query: { symbols: 'AAPL' },
    });
    await control('data', 'requests', 'DELETE');
    expect(emulator.requests).toHaveLength(0);
  });

  it('set latency and reset state', async () => {
    expect((await control('data', 'latency', 'POST', { ms: 80 })).status).toBe(200);
    const started = performance.now();
    await call(emulator, 'data', QUOTES);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    expect((await control('data', 'latency', 'POST', { ms: -1 })).status).toBe(400);

    emulator.fixtures.stockQuotes = {};
    emulator.injectFault({ kind: 'status', status: 500, path: '/v2/clock' });
    expect((await control('trading', 'reset', 'POST')).status).toBe(200);
    expect(emulator.requests).toHaveLength(0);
    expect((await call(emulator, 'trading', '/v2/clock')).status).toBe(200);
    expect(obj(obj((await call(emulator, 'data', QUOTES)).json).quotes).AAPL).toBeDefined();
  });

  it('answers 404 to unknown control paths', async () => {
    expect((await control('data', 'nothing')).status).toBe(404);
  });
});
