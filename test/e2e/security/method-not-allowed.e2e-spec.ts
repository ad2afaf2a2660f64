import request from 'supertest';
import { ERROR_CATALOG } from '../../../src/core/errors/error-catalog.js';
import { startGateway, expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';
import { listenOnLoopback, StreamClient } from '../support/stream-client.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'head';

const ORDER_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';

/** A wrong method on a path the app serves, and the Allow header the app must answer with. */
const WRONG_METHODS: Array<[Method, string, string]> = [
  ['delete', '/api/v1/stocks/AAPL/quote', 'GET, HEAD'],
  ['post', '/api/v1/stocks/AAPL/quote', 'GET, HEAD'],
  ['put', '/api/v1/orders', 'DELETE, GET, HEAD, POST'],
  ['put', `/api/v1/orders/${ORDER_ID}`, 'DELETE, GET, HEAD, PATCH'],
  ['get', '/api/v1/positions/AAPL250620C00100000/exercise', 'POST'],
  ['post', '/api/v1/market/clock', 'GET, HEAD'],
  ['get', '/api/v1/stocks/quotes/batch', 'POST'],
  ['get', '/api/v1/auth/token', 'POST'],
  ['delete', '/api/v1/stream/events', 'GET, HEAD'],
  // Without CORS nothing answers OPTIONS, so it is a wrong method like any other.
  ['options', '/api/v1/positions/AAPL', 'DELETE, GET, HEAD'],
  // Outside the API prefix: the excluded /metrics route, the documentation, the AsyncAPI document.
  ['post', '/metrics', 'GET, HEAD'],
  ['post', '/docs-json', 'GET, HEAD'],
  ['delete', '/asyncapi.json', 'GET, HEAD'],
];

let gw: Gateway;

gatewayPerFile((started) => (gw = started));

function send(agent: ReturnType<Gateway['anon']>, method: Method, path: string): request.Test {
  return agent[method](path);
}

describe('a wrong method on a known path → 405 METHOD_NOT_ALLOWED with Allow', () => {
  it.each(WRONG_METHODS)('%s %s → Allow: %s (with credentials)', async (method, path, allow) => {
    const res = await send(gw.anon(), method, path).set('Authorization', `Bearer ${tokenFor(['admin'])}`);
    const error = expectCatalogError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers['allow']).toBe(allow);
    expect(res.headers['x-error-type']).toBe('validation_error');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(error).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      message: ERROR_CATALOG.METHOD_NOT_ALLOWED.message,
      type: 'validation_error',
      severity: 'info',
      details: { method: method.toUpperCase(), allowed: allow.split(', ') },
    });
    expect(res.body.metadata).toMatchObject({
      endpoint: path,
      suggested_actions: [...ERROR_CATALOG.METHOD_NOT_ALLOWED.suggestedActions],
      retry_after: null,
    });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it.each(WRONG_METHODS)(
    '%s %s → Allow: %s (no credentials: routing comes before authentication)',
    async (method, path, allow) => {
      const res = await send(gw.anon(), method, path);
      expectCatalogError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers['allow']).toBe(allow);
      expect(gw.emulator.requests).toHaveLength(0);
    },
  );

  it('a bad token does not turn a 405 into a 401 either', async () => {
    const res = await gw.anon().delete('/api/v1/stocks/AAPL/quote').set('Authorization', 'Bearer not.a.token');
    expectCatalogError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('HEAD on a POST-only route is a 405 too, with the headers and no body', async () => {
    const res = await gw.anon().head('/api/v1/auth/token');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.headers['x-error-code']).toBe('METHOD_NOT_ALLOWED');
    expect(res.text ?? '').toBe('');
  });

  it('matches paths as Express does in any case; a trailing slash is no route (404, no Allow)', async () => {
    const slash = await gw.anon().delete('/api/v1/stocks/AAPL/quote/');
    expect([slash.status, slash.headers['allow']]).toEqual([404, undefined]);
    expect((await gw.anon().delete('/API/V1/Stocks/AAPL/Quote')).headers['allow']).toBe('GET, HEAD');
  });

  it('every method Allow names is really answered (not 404 or 405)', async () => {
    const answers: Array<{ method: string; path: string; status: number }> = [];
    for (const [, path, allow] of WRONG_METHODS) {
      for (const method of allow.split(', ').map((m) => m.toLowerCase() as Method)) {
        // No credentials: the route's guard or pipe answers (the public clock asks Alpaca).
        answers.push({ method, path, status: (await send(gw.anon(), method, path)).status });
      }
    }
    expect(answers.length).toBeGreaterThan(WRONG_METHODS.length);
    expect(answers.filter((a) => a.status === 404 || a.status === 405)).toEqual([]);
  });
});

describe('unknown paths stay 404 ROUTE_NOT_FOUND, whatever the method', () => {
  it.each<[Method, string]>([
    ['delete', '/api/v1/nope'],
    ['post', '/api/v1/stocks/AAPL'],
    ['put', '/api/v1/stocks/AAPL/quote/extra'],
    ['get', '/api/v2/stocks/AAPL/quote'],
    ['patch', '/nope'],
    ['post', '/docs-json/extra'],
    // The WebSocket endpoint is not an HTTP resource: without an upgrade, no route answers it.
    ['get', '/api/v1/stream'],
    ['delete', '/api/v1/stream'],
  ])('%s %s', async (method, path) => {
    const res = await send(gw.anon(), method, path).set('Authorization', `Bearer ${tokenFor(['admin'])}`);
    expectCatalogError(res, 404, 'ROUTE_NOT_FOUND');
    expect(res.headers['allow']).toBeUndefined();
    expect(gw.emulator.requests).toHaveLength(0);
  });
});

describe('what must keep working', () => {
  it('GET and HEAD on the documentation and the AsyncAPI document', async () => {
    await gw.anon().get('/docs').redirects(1).expect(200);
    await gw.anon().get('/docs-json').expect(200);
    await gw.anon().get('/asyncapi.json').expect(200).expect('content-type', /json/);
    await gw.anon().head('/asyncapi.json').expect(200);
    // Public, as no METRICS_TOKEN is set here.
    await gw.anon().get('/metrics').expect(200);
  });

  it('the WebSocket upgrade on /api/v1/stream', async () => {
    const client = await StreamClient.connect(await listenOnLoopback(gw.app), {
      Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'ws-405' })}`,
    });
    try {
      expect(await client.nextOfType('authenticated')).toMatchObject({ subject: 'ws-405' });
    } finally {
      await client.close();
    }
  });

  it('with CORS_ORIGINS, preflights are answered and a 405 lists OPTIONS and is readable by the browser', async () => {
    const cors = await startGateway({ CORS_ORIGINS: 'https://dash.example' });
    try {
      const preflight = await cors
        .anon()
        .options('/api/v1/stocks/AAPL/quote')
        .set('Origin', 'https://dash.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://dash.example');
      const res = await cors.anon().delete('/api/v1/stocks/AAPL/quote').set('Origin', 'https://dash.example');
      expectCatalogError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
      expect(res.headers['access-control-allow-origin']).toBe('https://dash.example');
      expect(res.headers['access-control-expose-headers']).toContain('Allow');
      expect(cors.emulator.requests).toHaveLength(0);
    } finally {
      await cors.close();
    }
  });
});
