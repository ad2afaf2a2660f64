import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import {
  startGateway,
  eventually,
  expectCatalogError,
  tokenFor,
  JWT_SECRET,
  KEY_ID,
  SECRET_KEY,
  type Gateway,
} from '../support/harness.js';
import { OffsetClock } from '../support/offset-clock.js';

let gw: Gateway;
let store: ApiKeyStore;

beforeAll(async () => {
  gw = await startGateway({ AUTH_MAX_FAILURES: '1000' });
  store = new ApiKeyStore(gw.apiKeysFile);
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

/** Public by design: the token exchange, Kubernetes probes and the Prometheus scrape. */
const PUBLIC_ROUTES = /^\/api\/v1\/auth\/token$|^\/api\/v1\/health\/|^\/metrics$|^\/api\/v1\/metrics$/;

/** Every route the gateway documents, with sample path parameters, minus the public ones. */
async function protectedRoutes(): Promise<Array<{ method: 'get' | 'post' | 'delete'; path: string }>> {
  const doc = (await gw.anon().get('/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m as 'get' | 'post' | 'delete', path })))
    .filter((r) => !PUBLIC_ROUTES.test(r.path))
    .map((r) => ({
      ...r,
      path: r.path
        .replace('{symbol}', 'AAPL')
        .replace('{option_symbol}', 'AAPL240426C00162500')
        .replace('{underlying}', 'AAPL')
        .replace('{id}', '7b08df51-c1ac-453c-99f9-323a5f075f0d'),
    }));
}

describe('every non-public route refuses bad credentials, before any upstream call', () => {
  const expired = () => tokenFor(['admin'], { expiresIn: -120 });
  const cases: Array<[string, () => Record<string, string>, string]> = [
    ['no credentials', () => ({}), 'AUTHENTICATION_REQUIRED'],
    ['an expired token', () => ({ Authorization: `Bearer ${expired()}` }), 'INVALID_TOKEN'],
    [
      'a wrong issuer',
      () => ({ Authorization: `Bearer ${tokenFor(['admin'], { issuer: 'someone-else' })}` }),
      'INVALID_TOKEN',
    ],
    [
      'a wrong audience',
      () => ({ Authorization: `Bearer ${tokenFor(['admin'], { audience: 'other-api' })}` }),
      'INVALID_TOKEN',
    ],
    [
      'a wrong signature',
      () => ({
        Authorization: `Bearer ${tokenFor(['admin'], { secret: 'not-the-secret-but-long-enough-0123456789' })}`,
      }),
      'INVALID_TOKEN',
    ],
    ['alg none', () => ({ Authorization: `Bearer ${tokenFor(['admin'], { algorithm: 'none' })}` }), 'INVALID_TOKEN'],
    ['a garbage token', () => ({ Authorization: 'Bearer not.a.jwt' }), 'INVALID_TOKEN'],
    [
      'a non-Bearer scheme',
      () => ({ Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
      'INVALID_TOKEN',
    ],
    ['unknown roles', () => ({ Authorization: `Bearer ${tokenFor(['superuser'])}` }), 'INVALID_TOKEN'],
    ['an unknown API key', () => ({ 'X-API-Key': `oa_${'0'.repeat(16)}_${'A'.repeat(43)}` }), 'INVALID_API_KEY'],
    ['a malformed API key', () => ({ 'X-API-Key': 'hello' }), 'INVALID_API_KEY'],
  ];

  it.each(cases)('%s', async (_label, headers, code) => {
    const routes = await protectedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const route of routes) {
      const anon = gw.anon();
      const res = await anon[route.method](route.path)
        .set(headers())
        .send(route.method === 'post' ? {} : undefined);
      expectCatalogError(res, 401, code);
      expect(res.headers['www-authenticate']).toMatch(/realm="opitios-alpaca"/);
    }
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a revoked key', async () => {
    const { key, record } = store.create('to-revoke', ['admin']);
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('X-API-Key', key).expect(200);
    store.revoke(record.id);
    gw.emulator.clearRequests();
    for (const route of await protectedRoutes()) {
      const anon = gw.anon();
      const res = await anon[route.method](route.path)
        .set('X-API-Key', key)
        .send(route.method === 'post' ? {} : undefined);
      expectCatalogError(res, 401, 'INVALID_API_KEY');
    }
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('tolerates a small clock difference on exp', async () => {
    await gw
      .anon()
      .get('/api/v1/stocks/AAPL/quote')
      .set('Authorization', `Bearer ${tokenFor(['viewer'], { expiresIn: -5 })}`)
      .expect(200);
  });
});

describe('roles', () => {
  const as = (role: string) => ({ Authorization: `Bearer ${tokenFor([role])}` });

  it('viewer reads stocks and the clock, but not history', async () => {
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(as('viewer')).expect(200);
    await gw
      .anon()
      .post('/api/v1/stocks/quotes/batch')
      .set(as('viewer'))
      .send({ symbols: ['AAPL'] })
      .expect(200);
    await gw.anon().get('/api/v1/market/clock').set(as('viewer')).expect(200);
    const res = await gw.anon().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day' }).set(as('viewer'));
    const error = expectCatalogError(res, 403, 'INSUFFICIENT_PERMISSIONS');
    expect(error['details']).toEqual({
      required_permission: 'history:read',
      your_roles: ['viewer'],
      roles_with_permission: ['premium', 'trader', 'admin'],
    });
    expect(gw.emulator.requestsTo('/v2/stocks/bars')).toHaveLength(0);
  });

  it('viewer cannot read options', async () => {
    for (const path of [
      '/api/v1/options/AAPL240426C00162500/quote',
      '/api/v1/options/AAPL/chain',
      '/api/v1/options/contracts',
    ]) {
      const res = await gw.anon().get(path).set(as('viewer'));
      expect(expectCatalogError(res, 403, 'INSUFFICIENT_PERMISSIONS')['details']).toMatchObject({
        required_permission: 'options:read',
      });
    }
    expectCatalogError(
      await gw
        .anon()
        .post('/api/v1/options/quotes/batch')
        .set(as('viewer'))
        .send({ option_symbols: ['AAPL240426C00162500'] }),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expect(gw.emulator.requests).toHaveLength(0);
    await gw.anon().get('/api/v1/options/AAPL240426C00162500/quote').set(as('premium')).expect(200);
  });

  it('only admin reads audit; trader trades, premium does not', async () => {
    for (const role of ['viewer', 'premium', 'trader']) {
      expectCatalogError(await gw.anon().get('/api/v1/audit/events').set(as(role)), 403, 'INSUFFICIENT_PERMISSIONS');
    }
    await gw.anon().get('/api/v1/audit/verify').set(as('admin')).expect(200);
    expectCatalogError(await gw.anon().get('/api/v1/orders').set(as('premium')), 403, 'INSUFFICIENT_PERMISSIONS');
    await gw.anon().get('/api/v1/orders').set(as('trader')).expect(200);
  });

  it.each(['premium', 'trader', 'admin'])('%s reads history', async (role) => {
    await gw.anon().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day', limit: '2' }).set(as(role)).expect(200);
  });
});

describe('API keys and POST /auth/token', () => {
  it('exchanges a key for a JWT carrying its roles, which then authenticates', async () => {
    const { key } = store.create('bot1', ['premium']);
    const res = await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.data).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      // Unbound key: the gateway's first account.
      accounts: null,
      roles: ['premium'],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const token = res.body.data.access_token as string;
    const bars = await gw
      .anon()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', limit: '1' })
      .set('Authorization', `Bearer ${token}`);
    expect(bars.status).toBe(200);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ iss: 'opitios-alpaca', aud: 'opitios-alpaca-api', roles: ['premium'] });
    expect(claims['sub']).toMatch(/^key:[0-9a-f]{16}$/);
    expect(claims['key_id']).toBe((claims['sub'] as string).slice(4));
    expect(claims['jti']).toBe(res.body.data.jti);
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'default' });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(3600);
  });

  it("authenticates X-API-Key directly, with the key's roles", async () => {
    const { key } = store.create('viewer-bot', ['viewer']);
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('X-API-Key', key).expect(200);
    expectCatalogError(
      await gw.anon().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day' }).set('X-API-Key', key),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
  });

  it('refuses a token request without a key, or with a wrong one', async () => {
    expectCatalogError(await gw.anon().post('/api/v1/auth/token'), 401, 'AUTHENTICATION_REQUIRED');
    const { key } = store.create('bot2', ['viewer']);
    const wrong = `${key.slice(0, -4)}AAAA` === key ? `${key.slice(0, -4)}BBBB` : `${key.slice(0, -4)}AAAA`;
    expectCatalogError(await gw.anon().post('/api/v1/auth/token').set('X-API-Key', wrong), 401, 'INVALID_API_KEY');
  });

  it('stores only hashes', async () => {
    const { key } = store.create('bot3', ['viewer']);
    const { readFileSync } = await import('node:fs');
    const file = readFileSync(gw.apiKeysFile, 'utf8');
    expect(file).not.toContain(key);
    expect(file).not.toContain(key.slice(20));
  });
});

describe('secrets never leak', () => {
  it('no log line or error body holds the JWT secret, an API key or the Alpaca keys', async () => {
    const { key } = store.create('leak-check', ['admin']);
    const bodies: string[] = [];
    bodies.push(JSON.stringify((await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key)).body));
    bodies.push(JSON.stringify((await gw.anon().post('/api/v1/auth/token').set('X-API-Key', `${key}x`)).body));
    bodies.push(
      JSON.stringify(
        (await gw.anon().get('/api/v1/stocks/AAPL/quote').set('Authorization', 'Bearer abc.def.ghi')).body,
      ),
    );
    gw.emulator.injectFault({
      kind: 'status',
      status: 401,
      body: { code: 40110000, message: 'request is not authorized' },
    });
    bodies.push(JSON.stringify((await gw.anon().get('/api/v1/stocks/AAPL/quote').set('X-API-Key', key)).body));
    const everything = bodies.join('\n') + gw.rawLogs.join('');
    for (const secret of [JWT_SECRET, key, key.slice(20), KEY_ID, SECRET_KEY]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('security headers and CORS', () => {
  it('sets the API security headers (OWASP REST set) and no CORS header by default', async () => {
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    // Document-only headers are for Swagger UI's HTML, not for JSON.
    for (const htmlOnly of [
      'cross-origin-opener-policy',
      'origin-agent-cluster',
      'x-xss-protection',
      'x-download-options',
      'x-dns-prefetch-control',
    ]) {
      expect(res.headers[htmlOnly]).toBeUndefined();
    }
    const refused = await gw.anon().get('/api/v1/stocks/AAPL/quote').expect(401);
    expect(refused.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows only the configured origins when CORS_ORIGINS is set', async () => {
    const cors = await startGateway({ CORS_ORIGINS: 'https://dash.example' });
    try {
      const ok = await cors.http().get('/api/v1/stocks/AAPL/quote').set('Origin', 'https://dash.example').expect(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
      expect(ok.headers['access-control-expose-headers']).toContain('X-Request-Id');
      const other = await cors
        .http()
        .get('/api/v1/stocks/AAPL/quote')
        .set('Origin', 'https://evil.example')
        .expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      // A preflight is answered by the CORS layer, and still gets an id, the security headers and a log line.
      const preflight = await cors
        .anon()
        .options('/api/v1/stocks/AAPL/quote')
        .set('Origin', 'https://dash.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://dash.example');
      expect(preflight.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
      expect(preflight.headers['x-content-type-options']).toBe('nosniff');
      await eventually(() =>
        expect(cors.logs).toContainEqual(
          expect.objectContaining({
            message: 'http_request',
            method: 'OPTIONS',
            status: 204,
            request_id: preflight.headers['x-request-id'],
          }),
        ),
      );
    } finally {
      await cors.close();
    }
  });
});

describe('verified tokens are remembered, but never past their expiry', () => {
  it('a token accepted once is refused as soon as it expires', async () => {
    const clock = new OffsetClock();
    const strict = await startGateway({ JWT_CLOCK_TOLERANCE_SECONDS: '0' }, {}, undefined, { clock });
    try {
      const token = tokenFor(['viewer'], { expiresIn: 2 });
      await strict.anon().get('/api/v1/market/clock').set('Authorization', `Bearer ${token}`).expect(200);
      await strict.anon().get('/api/v1/market/clock').set('Authorization', `Bearer ${token}`).expect(200);
      clock.advance(2100);
      expectCatalogError(
        await strict.anon().get('/api/v1/market/clock').set('Authorization', `Bearer ${token}`),
        401,
        'INVALID_TOKEN',
      );
    } finally {
      await strict.close();
    }
  });

  it('a remembered token still gets its own roles checked', async () => {
    const token = tokenFor(['viewer'], { sub: 'remembered-viewer' });
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('Authorization', `Bearer ${token}`).expect(200);
    expectCatalogError(
      await gw
        .anon()
        .get('/api/v1/stocks/AAPL/bars')
        .query({ timeframe: '1Day' })
        .set('Authorization', `Bearer ${token}`),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
  });
});
