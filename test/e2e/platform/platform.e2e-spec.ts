import { ERROR_CATALOG, type ErrorCode } from '../../../src/core/errors/error-catalog.js';
import { startGateway, expectCatalogError, KEY_ID, SECRET_KEY, type Gateway } from '../support/harness.js';

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

describe('errors outside the handlers', () => {
  it.each(['/api/v1/nope', '/nope', '/api/v2/stocks/AAPL/quote', '/api/v1/stocks/AAPL'])(
    'unknown route %s → 404 ROUTE_NOT_FOUND',
    async (path) => {
      const res = await gw.http().get(path);
      const error = expectCatalogError(res, 404, 'ROUTE_NOT_FOUND');
      expect(error['type']).toBe('not_found');
      expect(res.body.metadata.endpoint).toBe(path);
    },
  );

  it('wrong method on a known path → 405 METHOD_NOT_ALLOWED with Allow (more in method-not-allowed.e2e-spec.ts)', async () => {
    const res = await gw.http().delete('/api/v1/stocks/AAPL/quote');
    expectCatalogError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers['allow']).toBe('GET, HEAD');
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('malformed JSON body → 400 INVALID_PARAMETER, no upstream call', async () => {
    const res = await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .set('Content-Type', 'application/json')
      .send('{"symbols": [');
    const error = expectCatalogError(res, 400, 'INVALID_PARAMETER');
    expect(error['details']).toEqual({ body: 'malformed_json' });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('oversized body → 413 PAYLOAD_TOO_LARGE from the catalog', async () => {
    const symbols = Array.from({ length: 600 }, () => 'AAPL');
    const res = await gw.http().post('/api/v1/stocks/quotes/batch').send({ symbols });
    const error = expectCatalogError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(error['details']).toEqual({ limit_bytes: 2048 });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a non-JSON content type leaves the body empty → 400 naming the field', async () => {
    const res = await gw.http().post('/api/v1/stocks/quotes/batch').set('Content-Type', 'text/plain').send('AAPL,MSFT');
    expectCatalogError(res, 400, 'INVALID_PARAMETER');
  });
});

describe('request ids', () => {
  it('generates one when none is sent, and echoes it in body, header and log', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.body.metadata.request_id).toBe(id);
    const line = gw.logs.find((l) => l['message'] === 'http_request' && l['request_id'] === id);
    expect(line).toMatchObject({
      method: 'GET',
      path: '/api/v1/stocks/AAPL/quote',
      route: '/api/v1/stocks/:symbol/quote',
      status: 200,
    });
    expect(typeof line?.['duration_ms']).toBe('number');
  });

  it('keeps a sane incoming id as client_request_id beside its own, never instead of it', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').set('X-Request-Id', 'client-trace-0001').expect(200);
    expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.headers['x-client-request-id']).toBe('client-trace-0001');
    expect(res.body.metadata).toMatchObject({
      request_id: res.headers['x-request-id'],
      client_request_id: 'client-trace-0001',
    });
    const error = await gw.http().get('/api/v1/stocks/ZZZZ/quote').set('X-Request-Id', 'client-trace-0002').expect(404);
    expect(error.body.metadata).toMatchObject({
      request_id: error.headers['x-request-id'],
      client_request_id: 'client-trace-0002',
    });
    const line = gw.logs.find(
      (l) => l['message'] === 'http_request' && l['request_id'] === res.headers['x-request-id'],
    );
    expect(line).toMatchObject({ client_request_id: 'client-trace-0001' });
  });

  it.each(['short', 'has spaces in it', 'x'.repeat(200), '<script>alert(1)</script>'])(
    'replaces an unsafe incoming id %p',
    async (bad) => {
      const res = await gw.http().get('/api/v1/stocks/AAPL/quote').set('X-Request-Id', bad).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
      expect(res.headers['x-client-request-id']).toBeUndefined();
      expect(res.body.metadata.client_request_id).toBeUndefined();
    },
  );
});

describe('logs', () => {
  it('are JSON lines with a level and timestamp, and never hold the Alpaca keys', async () => {
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    await gw.http().get('/api/v1/stocks/ZZZZ/quote').expect(404);
    gw.emulator.injectFault({ kind: 'status', status: 500 });
    await gw.http().get('/api/v1/stocks/AAPL/trade').expect(503);
    expect(gw.logs.length).toBeGreaterThan(3);
    for (const line of gw.logs) {
      expect(typeof line['level']).toBe('string');
      expect(typeof line['timestamp']).toBe('string');
    }
    const all = gw.rawLogs.join('');
    expect(all).not.toContain(KEY_ID);
    expect(all).not.toContain(SECRET_KEY);
    expect(gw.logs.some((l) => l['message'] === 'upstream_call' && l['status'] === 500)).toBe(true);
  });
});

describe('Swagger', () => {
  it('serves the UI at /docs', async () => {
    const res = await gw.http().get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger');
  });

  it('documents every route, its envelope and its catalog errors at /docs-json', async () => {
    const res = await gw.http().get('/docs-json').expect(200);
    const doc = res.body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual([
      'DELETE /api/v1/admin/trading/halt',
      'DELETE /api/v1/orders',
      'DELETE /api/v1/orders/{id}',
      'DELETE /api/v1/positions',
      'DELETE /api/v1/positions/{symbol}',
      'GET /api/v1/account',
      'GET /api/v1/account/activities',
      'GET /api/v1/account/portfolio-history',
      'GET /api/v1/admin/trading/halt',
      'GET /api/v1/assets',
      'GET /api/v1/assets/{symbol_or_asset_id}',
      'GET /api/v1/audit/events',
      'GET /api/v1/audit/verify',
      'GET /api/v1/corporate-actions',
      'GET /api/v1/health/details',
      'GET /api/v1/health/live',
      'GET /api/v1/health/ready',
      'GET /api/v1/market/calendar',
      'GET /api/v1/market/clock',
      'GET /api/v1/news',
      'GET /api/v1/options/contracts',
      'GET /api/v1/options/meta/conditions/{ticktype}',
      'GET /api/v1/options/meta/exchanges',
      'GET /api/v1/options/quotes/latest',
      'GET /api/v1/options/trades/latest',
      'GET /api/v1/options/{option_symbol}/bars',
      'GET /api/v1/options/{option_symbol}/quote',
      'GET /api/v1/options/{option_symbol}/trades',
      'GET /api/v1/options/{underlying}/chain',
      'GET /api/v1/orders',
      'GET /api/v1/orders/{id}',
      'GET /api/v1/positions',
      'GET /api/v1/positions/{symbol}',
      'GET /api/v1/screener/most-actives',
      'GET /api/v1/screener/movers',
      'GET /api/v1/stocks/bars/latest',
      'GET /api/v1/stocks/meta/conditions/{ticktype}',
      'GET /api/v1/stocks/meta/exchanges',
      'GET /api/v1/stocks/snapshots',
      'GET /api/v1/stocks/trades/latest',
      'GET /api/v1/stocks/{symbol}/auctions',
      'GET /api/v1/stocks/{symbol}/bar',
      'GET /api/v1/stocks/{symbol}/bars',
      'GET /api/v1/stocks/{symbol}/quote',
      'GET /api/v1/stocks/{symbol}/quotes',
      'GET /api/v1/stocks/{symbol}/snapshot',
      'GET /api/v1/stocks/{symbol}/trade',
      'GET /api/v1/stocks/{symbol}/trades',
      'GET /api/v1/stream/events',
      'GET /metrics',
      'PATCH /api/v1/orders/{id}',
      'POST /api/v1/admin/trading/halt',
      'POST /api/v1/auth/token',
      'POST /api/v1/options/quotes/batch',
      'POST /api/v1/orders',
      'POST /api/v1/positions/{contract}/exercise',
      'POST /api/v1/stocks/quotes/batch',
    ]);
    const quote = doc.paths['/api/v1/stocks/{symbol}/quote']?.['get'];
    expect(Object.keys(quote?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '500',
      '502',
      '503',
      '504',
    ]);
    expect(doc.components.schemas).toHaveProperty('ErrorEnvelopeDto');
    expect(doc.components.schemas).toHaveProperty('StockQuoteDto');
    expect(doc.components.schemas).toHaveProperty('SuccessMetadataDto');
    const security = (
      res.body as { components: { securitySchemes: Record<string, { type: string; scheme?: string; name?: string }> } }
    ).components.securitySchemes;
    expect(security['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(security['api-key']).toMatchObject({ type: 'apiKey', name: 'X-API-Key' });
  });

  it('documents each pass-through route with the roles that may call it, its source and its own errors', async () => {
    type Op = {
      description?: string;
      'x-roles'?: string[];
      responses: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
    };
    const doc = (await gw.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, Op>> };
    const op = (path: string): Op | undefined => doc.paths[path]?.['get'];
    const codes = (o: Op | undefined, status: string): string[] =>
      Object.keys(o?.responses[status]?.content?.['application/json']?.examples ?? {});
    expect(op('/api/v1/stocks/{symbol}/quotes')?.['x-roles']).toEqual(['premium', 'trader', 'admin']);
    expect(op('/api/v1/stocks/{symbol}/quotes')?.description).toContain('`GET /v2/stocks/quotes` (StockQuotes');
    expect(codes(op('/api/v1/stocks/{symbol}/quotes'), '404')).toEqual(['HISTORICAL_DATA_UNAVAILABLE']);
    expect(codes(op('/api/v1/stocks/{symbol}/quotes'), '403').sort()).toEqual([
      'INSUFFICIENT_PERMISSIONS',
      'UPSTREAM_SUBSCRIPTION_REQUIRED',
    ]);
    expect(op('/api/v1/news')?.['x-roles']).toEqual(['viewer', 'premium', 'trader', 'admin']);
    expect(op('/api/v1/options/meta/exchanges')?.['x-roles']).toEqual(['viewer', 'premium', 'trader', 'admin']);
    expect(op('/api/v1/options/quotes/latest')?.['x-roles']).toEqual(['premium', 'trader', 'admin']);
    expect(codes(op('/api/v1/stocks/trades/latest'), '400').sort()).toEqual([
      'INVALID_PARAMETER',
      'INVALID_SYMBOL_FORMAT',
      'REQUEST_SIZE_EXCEEDED',
    ]);
    expect(codes(op('/api/v1/assets/{symbol_or_asset_id}'), '404')).toEqual(['SYMBOL_NOT_FOUND']);
  });

  type Example = { summary?: string; value: { error: Record<string, unknown>; metadata: Record<string, unknown> } };
  type Responses = Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, Example> }> }
  >;
  type Doc = { paths: Record<string, Record<string, { responses: Responses }>> };
  const examplesOf = (responses: Responses, status: string): Record<string, Example> =>
    responses[status]?.content?.['application/json']?.examples ?? {};

  it('shows each error status of the quote route with one example per code it lists, from the catalog', async () => {
    const doc = (await gw.http().get('/docs-json').expect(200)).body as Doc;
    const path = '/api/v1/stocks/{symbol}/quote';
    const responses = doc.paths[path]?.['get']?.responses ?? {};
    expect(Object.keys(examplesOf(responses, '404'))).toEqual(['SYMBOL_NOT_FOUND']);
    expect(Object.keys(examplesOf(responses, '400'))).toEqual(['INVALID_SYMBOL_FORMAT', 'INVALID_PARAMETER']);
    expect(Object.keys(examplesOf(responses, '503')).sort()).toEqual([
      'CIRCUIT_OPEN',
      'IDENTITY_PROVIDER_UNAVAILABLE',
      'UPSTREAM_API_UNAVAILABLE',
      'UPSTREAM_AUTHENTICATION_FAILED',
      'UPSTREAM_RATE_LIMITED',
    ]);
    for (const status of ['400', '404', '503']) {
      for (const [name, example] of Object.entries(examplesOf(responses, status))) {
        const entry = ERROR_CATALOG[name as ErrorCode];
        expect(example.value.error).toEqual({
          code: name,
          message: entry.message,
          type: entry.type,
          severity: entry.severity,
          details: {},
        });
        expect(example.value.metadata).toEqual({
          request_id: expect.stringMatching(/^req_[0-9a-f]{32}$/),
          timestamp: expect.any(String),
          endpoint: path,
          suggested_actions: [...entry.suggestedActions],
          retry_after: null,
        });
      }
    }
    // The schema's own example (SYMBOL_NOT_FOUND) no longer stands in for every status.
    expect(responses['404']?.content?.['application/json']).not.toHaveProperty('example');
  });

  it('never shows an example of a code under another status, on any route', async () => {
    const doc = (await gw.http().get('/docs-json').expect(200)).body as Doc;
    const misplaced: string[] = [];
    let examples = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        // Every catalog error response (the readiness probe's 503 carries its health report instead).
        const catalogStatuses = Object.keys(op.responses).filter((s) =>
          op.responses[s]?.content?.['application/json']?.schema?.$ref?.endsWith('/ErrorEnvelopeDto'),
        );
        for (const status of catalogStatuses) {
          const named = examplesOf(op.responses, status);
          expect({ route: `${method} ${path}`, status, documented: Object.keys(named).length > 0 }).toEqual({
            route: `${method} ${path}`,
            status,
            documented: true,
          });
          for (const [name, example] of Object.entries(named)) {
            examples += 1;
            const code = example.value.error['code'];
            if (code !== name || ERROR_CATALOG[name as ErrorCode]?.status !== Number(status))
              misplaced.push(`${method} ${path} ${status}: ${name}`);
          }
        }
      }
    }
    expect(examples).toBeGreaterThan(100);
    expect(misplaced).toEqual([]);
  });
});
