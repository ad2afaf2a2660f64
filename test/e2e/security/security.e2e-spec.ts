/**
 * The attacks of the security-hardening issue, replayed against the real gateway: lockouts that
 * hit the wrong party, proxy addresses, revoked keys' tokens, refusal floods, hostile bodies,
 * token lifetimes, key rotation, identity-provider tokens and lookalike symbols.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { validateConfig } from '../../../src/core/config/validate-config.js';
import {
  AUDIENCE,
  ISSUER,
  JWT_SECRET,
  eventually,
  expectCatalogError,
  startGateway,
  tokenFor,
  type Gateway,
} from '../support/harness.js';

interface AuditLine {
  seq: number;
  action: string;
  outcome: string;
  resource: string;
  client_ip: string | null;
  details: Record<string, unknown>;
}

function auditLines(gw: Gateway): AuditLine[] {
  const text = readFileSync(gw.auditFile, { encoding: 'utf8', flag: 'a+' }).trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as AuditLine);
}

/** A key of the same id with another secret: what an attacker who read the id in a log sends. */
function wrongSecretFor(key: string, n: number): string {
  const [prefix, id] = key.split('_');
  return `${prefix}_${id}_${String(n).padStart(43, 'x').slice(-43)}`;
}

const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
const ORDER_KEY = (n: number): string => `sec-order-${n}`;

describe('failed authentication is throttled per client address, never per key id', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // Loopback is the trusted proxy here, so X-Forwarded-For gives each test client its address.
    gw = await startGateway({ TRUST_PROXY: 'loopback', AUTH_MAX_FAILURES: '10', AUTH_LOCKOUT_SECONDS: '900' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it("ten wrong secrets for a victim's key id from elsewhere: the victim still gets 200, the attacker 429 with Retry-After", async () => {
    const { key } = new ApiKeyStore(gw.apiKeysFile).create('victim', ['viewer']);
    const attacker = { 'X-Forwarded-For': '203.0.113.66' };
    const statuses: number[] = [];
    let locked: Awaited<ReturnType<ReturnType<Gateway['anon']>['get']>> | undefined;
    for (let i = 0; i < 15; i += 1) {
      const res = await gw
        .anon()
        .get('/api/v1/stocks/AAPL/quote')
        .set(attacker)
        .set('X-API-Key', wrongSecretFor(key, i));
      statuses.push(res.status);
      if (res.status === 429) locked = res;
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const error = expectCatalogError(locked as NonNullable<typeof locked>, 429, 'RATE_LIMIT_EXCEEDED');
    expect(error['details']).toEqual({ reason: 'authentication_lockout', refused_as: 'INVALID_API_KEY' });
    expect(Number(locked?.headers['retry-after'])).toBeGreaterThan(800);

    // The victim, from its own address, on a data route and on the token route.
    const victim = { 'X-Forwarded-For': '198.51.100.7' };
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(victim).set('X-API-Key', key).expect(200);
    await gw.anon().post('/api/v1/auth/token').set(victim).set('X-API-Key', key).expect(200);
    // Even from the attacker's own address: a valid credential is never refused for others' failures.
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(attacker).set('X-API-Key', key).expect(200);
    // The attacker's bad tokens are refused as locked out too (per client, whatever the credential).
    expectCatalogError(
      await gw.anon().get('/api/v1/market/clock').set(attacker).set('Authorization', 'Bearer a.b.c'),
      429,
      'RATE_LIMIT_EXCEEDED',
    );
  });

  it('403s never lock a client out (its credentials are good), but they count towards its rate limit', async () => {
    const client = { 'X-Forwarded-For': '192.0.2.44' };
    const viewer = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'prober' })}` };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1)
      statuses.push((await gw.anon().get('/api/v1/options/AAPL240426C00162500/quote').set(client).set(viewer)).status);
    expect(statuses).toEqual(Array(12).fill(403));
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(client).set(viewer).expect(200);
    expect(gw.emulator.requestsTo(/options/)).toHaveLength(0);
  });

  it('a principal past its rate limit gets 429 for a forbidden request too', async () => {
    const limited = await startGateway({ RATE_LIMIT_AUTHENTICATED_PER_HOUR: '4' });
    try {
      const viewer = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'quota-prober' })}` };
      const forbidden = await limited.anon().get('/api/v1/options/AAPL240426C00162500/quote').set(viewer);
      expectCatalogError(forbidden, 403, 'INSUFFICIENT_PERMISSIONS');
      expect(forbidden.headers['x-ratelimit-remaining']).toBe('3');
      for (let i = 0; i < 3; i += 1) await limited.anon().get('/api/v1/stocks/AAPL/quote').set(viewer).expect(200);
      expectCatalogError(
        await limited.anon().get('/api/v1/options/AAPL240426C00162500/quote').set(viewer),
        429,
        'RATE_LIMIT_EXCEEDED',
      );
      expectCatalogError(await limited.anon().get('/api/v1/stocks/AAPL/quote').set(viewer), 429, 'RATE_LIMIT_EXCEEDED');
    } finally {
      await limited.close();
    }
  });

  it('a lockout is metered', async () => {
    const metrics = await gw.anon().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^opitios_auth_lockouts_total [1-9]\d*$/m);
    expect(metrics.text).toMatch(/^opitios_access_denied_total\{code="INVALID_API_KEY"\} 10$/m);
    expect(metrics.text).toMatch(/^opitios_access_denied_total\{code="INSUFFICIENT_PERMISSIONS"\} 12$/m);
  });
});

describe('client addresses behind proxies (TRUST_PROXY)', () => {
  async function failUntilLocked(gw: Gateway, headers: Record<string, string>, tries: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < tries; i += 1)
      statuses.push(
        (await gw.anon().get('/api/v1/market/clock').set(headers).set('Authorization', 'Bearer x.y.z')).status,
      );
    return statuses;
  }

  it('behind two trusted hops, two forwarded clients are throttled separately', async () => {
    const gw = await startGateway({ TRUST_PROXY: '2', AUTH_MAX_FAILURES: '3' });
    try {
      // client, then the first proxy; the second proxy is the socket (loopback).
      const a = await failUntilLocked(gw, { 'X-Forwarded-For': '203.0.113.1, 10.0.0.5' }, 4);
      const b = await failUntilLocked(gw, { 'X-Forwarded-For': '203.0.113.2, 10.0.0.5' }, 4);
      expect(a).toEqual([401, 401, 401, 429]);
      expect(b).toEqual([401, 401, 401, 429]);
      // A third address that a client prepends itself is beyond the two trusted hops: ignored.
      const spoofed = await failUntilLocked(gw, { 'X-Forwarded-For': '192.0.2.99, 203.0.113.1, 10.0.0.5' }, 1);
      expect(spoofed).toEqual([429]);
    } finally {
      await gw.close();
    }
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: rotating it does not escape the lockout', async () => {
    const gw = await startGateway({ AUTH_MAX_FAILURES: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1)
        statuses.push(...(await failUntilLocked(gw, { 'X-Forwarded-For': `198.51.100.${i}` }, 1)));
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await gw.close();
    }
  });

  it('TRUST_PROXY must be a hop count or addresses', () => {
    const base = { APCA_API_KEY_ID: 'k', APCA_API_SECRET_KEY: 's', JWT_SECRET };
    expect(() => validateConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: must be a hop count/);
    expect(() => validateConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(validateConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7, loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
    ]);
  });
});

describe('tokens die with their API key', () => {
  let gw: Gateway;
  let store: ApiKeyStore;
  beforeAll(async () => {
    gw = await startGateway();
    store = new ApiKeyStore(gw.apiKeysFile);
  });
  afterAll(async () => {
    await gw.close();
  });

  async function tokenOf(key: string): Promise<string> {
    return (await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200)).body.data
      .access_token as string;
  }

  const ROUTES: Array<['get' | 'post' | 'delete', string, object?]> = [
    ['get', '/api/v1/account'],
    ['get', '/api/v1/positions'],
    ['get', '/api/v1/orders'],
    ['post', '/api/v1/orders', LIMIT_BUY],
    ['delete', '/api/v1/orders/7b08df51-c1ac-453c-99f9-323a5f075f0d'],
    ['get', '/api/v1/stocks/AAPL/quote'],
    ['get', '/api/v1/market/clock'],
    ['post', '/api/v1/auth/token'],
  ];

  it('a token from a revoked key is 401 on every route, and no order reaches Alpaca', async () => {
    const { key, record } = store.create('trader-bot', ['trader']);
    const token = await tokenOf(key);
    const auth = { Authorization: `Bearer ${token}` };
    await gw.anon().get('/api/v1/account').set(auth).expect(200);
    await gw.anon().post('/api/v1/orders').set(auth).set('Idempotency-Key', ORDER_KEY(1)).send(LIMIT_BUY).expect(201);
    store.revoke(record.id);
    gw.emulator.clearRequests();
    for (const [method, path, body] of ROUTES) {
      const res = await gw.anon()[method](path).set(auth).set('Idempotency-Key', ORDER_KEY(2)).send(body);
      const error = expectCatalogError(res, 401, 'INVALID_TOKEN');
      expect(error['details']).toEqual({ reason: 'the API key this token was issued for was revoked' });
    }
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a token keeps only the roles its key still has', async () => {
    const { key, record } = store.create('demoted', ['trader']);
    const token = await tokenOf(key);
    await gw.anon().get('/api/v1/orders').set('Authorization', `Bearer ${token}`).expect(200);
    store.setRoles(record.id, ['viewer']);
    const res = await gw.anon().get('/api/v1/stocks/AAPL/quote').set('Authorization', `Bearer ${token}`);
    expect(expectCatalogError(res, 401, 'INVALID_TOKEN')['details']).toEqual({
      reason: "the API key's roles changed since this token was issued",
    });
    // A fresh token carries the new roles.
    const fresh = await tokenOf(key);
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('Authorization', `Bearer ${fresh}`).expect(200);
    expectCatalogError(
      await gw.anon().get('/api/v1/orders').set('Authorization', `Bearer ${fresh}`),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
  });

  it('only an API key is exchanged for a token', async () => {
    const res = await gw
      .anon()
      .post('/api/v1/auth/token')
      .set('Authorization', `Bearer ${tokenFor(['admin'])}`);
    expect(expectCatalogError(res, 401, 'AUTHENTICATION_REQUIRED')).toMatchObject({
      message: 'Send the API key in X-API-Key to obtain a token.',
    });
  });
});

describe('a flood of bad credentials', () => {
  it('1000 bad tokens from one client: 429 from the 11th on, a handful of audit records, a summary at shutdown', async () => {
    const gw = await startGateway({ AUTH_MAX_FAILURES: '10' });
    try {
      const statuses: number[] = [];
      const CONCURRENCY = 10;
      for (let sent = 0; sent < 1000; sent += CONCURRENCY) {
        const batch = await Promise.all(
          Array.from({ length: CONCURRENCY }, (_, i) =>
            gw
              .anon()
              .get(`/api/v1/stocks/AAPL/quote?n=${sent + i}`)
              .set('Authorization', `Bearer bad.token.${sent + i}`),
          ),
        );
        statuses.push(...batch.map((r) => r.status));
      }
      expect(statuses.indexOf(429)).toBeLessThan(50);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(30);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      // One record per kind of refusal for this client, written at once...
      await eventually(() =>
        expect(auditLines(gw).map((r) => r.outcome)).toEqual(['INVALID_TOKEN', 'RATE_LIMIT_EXCEEDED']),
      );
      const [first] = auditLines(gw);
      expect(first).toMatchObject({ action: 'auth_failure', resource: 'route:GET /api/v1/stocks/:symbol/quote' });
      expect(first?.details['path']).toMatch(/^\/api\/v1\/stocks\/AAPL\/quote\?n=\d+$/);
      // ...and the rest counted into one summary when the window closes (here: at shutdown).
      await gw.shutdown();
      const lines = auditLines(gw);
      expect(lines.length).toBeLessThanOrEqual(50);
      const summary = lines.find((r) => r.action === 'access_denied_summary');
      expect(summary?.details['refusals']).toEqual({
        INVALID_TOKEN: statuses.filter((s) => s === 401).length,
        RATE_LIMIT_EXCEEDED: statuses.filter((s) => s === 429).length,
      });
      expect(summary?.details['not_recorded_singly']).toBe(998);
      expect(summary?.details['routes']).toEqual({ 'GET /api/v1/stocks/:symbol/quote': 1000 });
      expect(gw.emulator.requests).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });

  it('a 15,000-character path is audited truncated', async () => {
    const gw = await startGateway();
    try {
      const long = `/api/v1/stocks/AAPL/quote?pad=${'p'.repeat(15_000)}`;
      await gw.anon().get(long).set('Authorization', 'Bearer bad.token.x').expect(401);
      await eventually(() => expect(auditLines(gw)).toHaveLength(1));
      const [record] = auditLines(gw);
      expect(record?.details['path_truncated']).toBe(true);
      expect(String(record?.details['path']).length).toBe(200);
      expect(JSON.stringify(record).length).toBeLessThan(2000);
    } finally {
      await gw.close();
    }
  });
});

describe('hostile bodies are refused before validation', () => {
  let gw: Gateway;
  const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'body-trader' })}` };
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it.each([
    ['a stock batch', '/api/v1/stocks/quotes/batch', `{"symbols": ${nested(5000)}}`],
    ['an option batch', '/api/v1/options/quotes/batch', `{"option_symbols": ${nested(5000)}}`],
    [
      'an order take_profit',
      '/api/v1/orders',
      `{"symbol":"AAPL","qty":"1","side":"buy","type":"limit","limit_price":"150","time_in_force":"gtc","order_class":"bracket","take_profit":{"limit_price":${nested(5000)}}}`,
    ],
  ])('JSON nested 5000 deep in %s → 400', async (_label, path, body) => {
    const res = await gw
      .anon()
      .post(path)
      .set(trader)
      .set('Idempotency-Key', 'deep-1')
      .set('Content-Type', 'application/json')
      .send(body);
    const error = expectCatalogError(res, 400, 'INVALID_PARAMETER');
    expect(error['details']).toEqual({ body: 'too_deep', max_depth: 16 });
    expect(gw.emulator.requests).toHaveLength(0);
    expect(gw.rawLogs.join('\n')).not.toMatch(/RangeError|Maximum call stack|at .+\.(ts|js):\d+/);
  });

  it('duplicate keys → 400 naming the key (escaped spellings included); nothing is sent', async () => {
    for (const body of [
      '{"symbol":"AAPL","qty":"1","qty":"1000","side":"buy","type":"market","time_in_force":"day"}',
      '{"symbol":"AAPL","qty":"1","q\\u0074y":"1000","side":"buy","type":"market","time_in_force":"day"}',
    ]) {
      const res = await gw
        .anon()
        .post('/api/v1/orders')
        .set(trader)
        .set('Idempotency-Key', 'dup-1')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(expectCatalogError(res, 400, 'INVALID_PARAMETER')['details']).toEqual({
        body: 'duplicate_key',
        key: 'qty',
      });
    }
    // The same name in two different objects is fine.
    await gw
      .anon()
      .post('/api/v1/stocks/quotes/batch')
      .set(trader)
      .set('Content-Type', 'application/json')
      .send('{"symbols":["AAPL"],"x":{"symbols":1}}')
      .expect(400);
    expect(gw.emulator.requestsTo('/v2/orders')).toHaveLength(0);
  });

  it.each([
    ['qty', { ...LIMIT_BUY, qty: '9'.repeat(400) }],
    ['limit_price', { ...LIMIT_BUY, limit_price: `1${'0'.repeat(30)}` }],
    ['notional', { symbol: 'AAPL', notional: '1'.repeat(40), side: 'buy', type: 'market', time_in_force: 'day' }],
  ])('an overlong %s → 400 before any upstream call', async (field, body) => {
    const res = await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `long-${field}`).send(body);
    const error = expectCatalogError(res, 400, 'INVALID_PARAMETER');
    expect(JSON.stringify(error['details'])).toContain(`${field} allows at most`);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a normal bracket order is still accepted (depth 2 is fine)', async () => {
    const body = {
      ...LIMIT_BUY,
      order_class: 'bracket',
      take_profit: { limit_price: '170' },
      stop_loss: { stop_price: '140' },
    };
    await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', 'bracket-ok').send(body).expect(201);
  });
});

describe('token lifetimes, rotation and identity-provider tokens', () => {
  const NEW_SECRET = 'rotated-in-secret-0123456789-abcdefghijklmnop';
  const OLD_SECRET = 'rotated-out-secret-0123456789-abcdefghijklmno';
  let gw: Gateway;
  let jwks: Server;
  let rsa: { privateKey: KeyObject; publicKey: KeyObject };
  let ec: { privateKey: KeyObject; publicKey: KeyObject };
  let jwksRequests = 0;

  beforeAll(async () => {
    rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'idp-rsa', alg: 'RS256', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'idp-ec', alg: 'ES256', use: 'sig' },
    ];
    jwks = createServer((_req, res) => {
      jwksRequests += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gw = await startGateway({
      JWT_SECRETS: `k2:${NEW_SECRET}`,
      JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      JWT_JWKS_ISSUER: 'https://idp.example.test/',
      JWT_JWKS_AUDIENCE: 'opitios-gateway',
      JWT_JWKS_ROLES_CLAIM: 'realm_access.roles',
      JWT_JWKS_ROLE_MAP: 'desk-trader=trader,desk-analyst=premium',
      JWT_MAX_TTL_SECONDS: '7200',
    });
  });
  afterAll(async () => {
    await gw.close();
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
  const sign = (payload: object, secret: string, header: { kid?: string } = {}): string =>
    jwt.sign({ sub: 'raw', roles: ['viewer'], iss: ISSUER, aud: AUDIENCE, ...payload }, secret, {
      algorithm: 'HS256',
      ...(header.kid === undefined ? {} : { keyid: header.kid }),
    });
  const reasonOf = async (token: string): Promise<unknown> => {
    const res = await gw.anon().get('/api/v1/market/clock').set(bearer(token));
    return expectCatalogError(res, 401, 'INVALID_TOKEN')['details'];
  };

  it('a token without exp → 401', async () => {
    expect(await reasonOf(sign({ iat: now() }, JWT_SECRET))).toEqual({
      reason: 'token has no exp; every token must expire',
    });
  });

  it('iat in the future beyond the tolerance → 401; within it → 200', async () => {
    expect(await reasonOf(sign({ iat: now() + 600, exp: now() + 1200 }, JWT_SECRET))).toEqual({
      reason: 'token iat is in the future',
    });
    await gw
      .anon()
      .get('/api/v1/market/clock')
      .set(bearer(sign({ iat: now() + 10, exp: now() + 600 }, JWT_SECRET)))
      .expect(200);
  });

  it('nbf in the future → 401', async () => {
    expect(await reasonOf(sign({ nbf: now() + 600, exp: now() + 1200 }, JWT_SECRET))).toEqual({
      reason: 'jwt not active',
    });
  });

  it('a lifetime beyond JWT_MAX_TTL_SECONDS → 401, with or without iat', async () => {
    const tenYears = 10 * 365 * 86400;
    expect(await reasonOf(sign({ iat: now(), exp: now() + tenYears }, JWT_SECRET))).toEqual({
      reason: 'token lifetime exceeds the maximum of 7200 s',
    });
    expect(
      await reasonOf(
        jwt.sign({ sub: 'raw', roles: ['viewer'], iss: ISSUER, aud: AUDIENCE, exp: now() + tenYears }, JWT_SECRET, {
          noTimestamp: true,
        }),
      ),
    ).toEqual({
      reason: 'token lifetime exceeds the maximum of 7200 s',
    });
  });

  it('new tokens are signed with the newest key; a rotated-out kid → 401; an unknown kid → 401', async () => {
    const { key } = new ApiKeyStore(gw.apiKeysFile).create('rotation', ['viewer']);
    const issued = (await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200)).body.data
      .access_token as string;
    expect(JSON.parse(Buffer.from(issued.split('.')[0] ?? '', 'base64url').toString('utf8'))).toMatchObject({
      kid: 'k2',
    });
    await gw.anon().get('/api/v1/market/clock').set(bearer(issued)).expect(200);
    expect(jwt.verify(issued, NEW_SECRET)).toMatchObject({ roles: ['viewer'] });
    // Signed with the old secret under its old kid, which is no longer configured.
    expect(await reasonOf(sign({ exp: now() + 600 }, OLD_SECRET, { kid: 'k1' }))).toEqual({
      reason: 'signing key "k1" is unknown or was rotated out',
    });
    // The old secret under the new kid: the signature fails.
    expect(await reasonOf(sign({ exp: now() + 600 }, OLD_SECRET, { kid: 'k2' }))).toEqual({
      reason: 'invalid signature',
    });
    // JWT_SECRET still verifies as kid "default" (and tokens without a kid).
    await gw
      .anon()
      .get('/api/v1/market/clock')
      .set(bearer(sign({ exp: now() + 600 }, JWT_SECRET, { kid: 'default' })))
      .expect(200);
  });

  it('an RS256 or ES256 token from the JWKS with the right issuer and audience → 200, roles mapped', async () => {
    const claims = {
      sub: 'alice',
      iss: 'https://idp.example.test/',
      aud: ['account', 'opitios-gateway'],
      realm_access: { roles: ['desk-trader', 'offline_access'] },
    };
    const rs = jwt.sign(claims, rsa.privateKey, { algorithm: 'RS256', keyid: 'idp-rsa', expiresIn: 600 });
    await gw.anon().get('/api/v1/orders').set(bearer(rs)).expect(200);
    const es = jwt.sign({ ...claims, realm_access: { roles: ['desk-analyst'] } }, ec.privateKey, {
      algorithm: 'ES256',
      keyid: 'idp-ec',
      expiresIn: 600,
    });
    await gw
      .anon()
      .get('/api/v1/stocks/AAPL/bars')
      .query({ timeframe: '1Day', limit: '1' })
      .set(bearer(es))
      .expect(200);
    expectCatalogError(await gw.anon().get('/api/v1/orders').set(bearer(es)), 403, 'INSUFFICIENT_PERMISSIONS');
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('identity-provider tokens are refused for a wrong issuer or audience, no mapped role, or a forged algorithm', async () => {
    const base = {
      sub: 'mallory',
      iss: 'https://idp.example.test/',
      aud: 'opitios-gateway',
      realm_access: { roles: ['desk-trader'] },
    };
    const rs = (claims: object): string =>
      jwt.sign({ ...base, ...claims }, rsa.privateKey, { algorithm: 'RS256', keyid: 'idp-rsa', expiresIn: 600 });
    expect(await reasonOf(rs({ iss: 'https://evil.example.test/' }))).toEqual({ reason: 'jwt issuer invalid' });
    expect(await reasonOf(rs({ aud: 'someone-else' }))).toEqual({ reason: 'jwt audience invalid' });
    expect(await reasonOf(rs({ realm_access: { roles: ['admin-of-nothing'] } }))).toEqual({
      reason: 'token grants no gateway role in "realm_access.roles"',
    });
    // Our issuer and audience on an identity-provider key do not make it one of ours either.
    expect(await reasonOf(rs({ iss: ISSUER, aud: AUDIENCE, roles: ['admin'] }))).toEqual({
      reason: 'jwt issuer invalid',
    });
    // Key confusion: HS256 "signed" with the provider's public key as the secret.
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const forged = jwt.sign({ ...base, iss: ISSUER, aud: AUDIENCE, roles: ['admin'] }, pem, {
      algorithm: 'HS256',
      keyid: 'idp-rsa',
      expiresIn: 600,
    });
    expect(await reasonOf(forged)).toEqual({ reason: 'signing key "idp-rsa" is unknown or was rotated out' });
    // An unknown provider kid.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const unknown = jwt.sign(base, stranger.privateKey, { algorithm: 'RS256', keyid: 'not-in-jwks', expiresIn: 600 });
    await gw.anon().get('/api/v1/market/clock').set(bearer(unknown)).expect(401);
  });
});

describe('symbols: only the documented ASCII forms', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  it.each(['ſpy', 'ıbm', 'ß', 'ＡＡＰＬ', 'aapl\u00a0'])(
    '%p is 400 INVALID_SYMBOL_FORMAT with no upstream call',
    async (symbol) => {
      expectCatalogError(
        await gw.http().get(`/api/v1/stocks/${encodeURIComponent(symbol)}/quote`),
        400,
        'INVALID_SYMBOL_FORMAT',
      );
      expectCatalogError(
        await gw
          .http()
          .post('/api/v1/stocks/quotes/batch')
          .send({ symbols: ['AAPL', symbol] }),
        400,
        'INVALID_SYMBOL_FORMAT',
      );
      expect(gw.emulator.requests).toHaveLength(0);
    },
  );

  it('option symbols and underlyings with lookalikes are refused too', async () => {
    expectCatalogError(
      await gw.http().get(`/api/v1/options/${encodeURIComponent('ſpy240426C00162500')}/quote`),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    expectCatalogError(
      await gw.http().get('/api/v1/options/contracts').query({ underlying_symbols: 'AAPL,ſpy' }),
      400,
      'INVALID_SYMBOL_FORMAT',
    );
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('lower case ASCII is still normalised', async () => {
    const res = await gw.http().get('/api/v1/stocks/aapl/quote').expect(200);
    expect(res.body.data.symbol).toBe('AAPL');
  });
});
