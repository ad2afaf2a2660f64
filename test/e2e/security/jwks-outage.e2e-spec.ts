/**
 * The identity provider's JWKS out of reach: a token that cannot be checked is 503
 * IDENTITY_PROVIDER_UNAVAILABLE (with Retry-After), not 401, and not a failed credential; the same
 * token passes once the JWKS answers again; a token that is bad in itself stays 401.
 *
 * jose (createRemoteJWKSet, see jwt-keys.ts) keeps a set it read for 10 minutes and refetches for
 * an unknown kid at most every 30 s, but remembers nothing of a failed fetch: until a first fetch
 * succeeds, every token needing the set fetches it again. So each gateway here meets its outage
 * before its first good fetch, and the recovery is the very next request (no waiting).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { expectCatalogError, startGateway, type Gateway } from '../support/harness.js';
import { listenOnLoopback, StreamClient } from '../support/stream-client.js';

const IDP_ISSUER = 'https://idp.example.test/';
const IDP_AUDIENCE = 'opitios-gateway';
const KID = 'idp-rsa';
const ROUTE = '/api/v1/market/clock';

type Mode = 'ok' | 'error' | 'garbage' | 'not_a_key_set' | 'hang';

/** A JWKS endpoint whose answer the test chooses. */
class JwksServer {
  mode: Mode = 'ok';
  requests = 0;
  private server: Server | null = null;
  private portNumber = 0;

  constructor(private readonly publicKey: KeyObject) {}

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}/.well-known/jwks.json`;
  }

  /** Listens (again, on the same port once it had one). */
  async start(): Promise<void> {
    const server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => server.listen(this.portNumber, '127.0.0.1', resolve));
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: connections are refused from now on. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(_req: IncomingMessage, res: ServerResponse): void {
    this.requests += 1;
    const keys = [{ ...this.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }];
    if (this.mode === 'ok') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys }));
    else if (this.mode === 'error') res.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error');
    else if (this.mode === 'garbage')
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('<html>maintenance</html>');
    else if (this.mode === 'not_a_key_set')
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'maintenance' }));
    // 'hang': never answers; the gateway's fetch times out (closed at stop()).
  }
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
const idpToken = ({
  sub = 'alice',
  key = rsa.privateKey,
  kid = KID,
  expiresIn = 600,
}: { sub?: string; key?: KeyObject; kid?: string; expiresIn?: number } = {}): string =>
  jwt.sign({ sub, iss: IDP_ISSUER, aud: IDP_AUDIENCE, roles: ['viewer'] }, key, {
    algorithm: 'RS256',
    keyid: kid,
    expiresIn,
  });

async function gatewayFor(jwks: JwksServer, env: Record<string, string> = {}): Promise<Gateway> {
  return startGateway({ JWT_JWKS_URL: jwks.url, JWT_JWKS_ISSUER: IDP_ISSUER, JWT_JWKS_AUDIENCE: IDP_AUDIENCE, ...env });
}

function expectUnavailable(res: Parameters<typeof expectCatalogError>[0]): void {
  const error = expectCatalogError(res, 503, 'IDENTITY_PROVIDER_UNAVAILABLE');
  expect(error['type']).toBe('upstream_error');
  expect(res.headers['retry-after']).toBe('5');
  expect((res.body as { metadata: Record<string, unknown> }).metadata['retry_after']).toBe(5);
  // Not a refusal of the token: no challenge to present other credentials.
  expect(res.headers['www-authenticate']).toBeUndefined();
}

describe('JWKS answering 500, garbage, a non-key-set or nothing at all → 503; back up → the same token passes', () => {
  const jwks = new JwksServer(rsa.publicKey);
  let gw: Gateway;
  beforeAll(async () => {
    await jwks.start();
    // A low lockout threshold: were the six outages below counted as failed credentials, the fourth
    // would lock this client out and the fifth and sixth would be 429. The bad tokens of the second
    // test are three refusals, under it.
    gw = await gatewayFor(jwks, { AUTH_MAX_FAILURES: '4' });
  });
  afterAll(async () => {
    await gw.close();
    await jwks.stop();
  });

  it('every way of failing is 503 IDENTITY_PROVIDER_UNAVAILABLE, never counted towards the lockout, then the token is accepted', async () => {
    const token = idpToken();
    for (const mode of ['error', 'garbage', 'not_a_key_set', 'error', 'garbage', 'hang'] as const) {
      jwks.mode = mode;
      const asked = jwks.requests;
      const res = await gw.anon().get(ROUTE).set(bearer(token));
      expect({ mode, status: res.status }).toEqual({ mode, status: 503 });
      expectUnavailable(res);
      expect(jwks.requests).toBe(asked + 1);
    }
    jwks.mode = 'ok';
    await gw.anon().get(ROUTE).set(bearer(token)).expect(200);
    // A bound for the runner, not an assertion: the 'hang' case waits out the gateway's 2 s JWKS timeout.
  }, 15_000);

  it('once the set was read, a token that is bad in itself stays 401 while the JWKS is down', async () => {
    jwks.mode = 'error';
    const asked = jwks.requests;
    // Expired, or signed by a stranger under the known kid: the kept set decides, no fetch needed.
    expect(
      expectCatalogError(
        await gw
          .anon()
          .get(ROUTE)
          .set(bearer(idpToken({ sub: 'late', expiresIn: -600 }))),
        401,
        'INVALID_TOKEN',
      )['details'],
    ).toEqual({ reason: 'jwt expired' });
    const forged = idpToken({ sub: 'forger', key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    expect(expectCatalogError(await gw.anon().get(ROUTE).set(bearer(forged)), 401, 'INVALID_TOKEN')['details']).toEqual(
      { reason: 'invalid signature' },
    );
    // An unknown kid within jose's cooldown after the good fetch: refused from the kept set.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const unknown = expectCatalogError(
      await gw
        .anon()
        .get(ROUTE)
        .set(bearer(idpToken({ key: stranger, kid: 'not-in-jwks' }))),
      401,
      'INVALID_TOKEN',
    );
    expect(unknown['details']).toEqual({ reason: 'no applicable key found in the JSON Web Key Set' });
    expect(jwks.requests).toBe(asked);
    // And a good token keeps working from the kept set.
    await gw
      .anon()
      .get(ROUTE)
      .set(bearer(idpToken({ sub: 'bob' })))
      .expect(200);
  });
});

describe('JWKS server stopped (connection refused) → 503; started again → the same token passes', () => {
  const jwks = new JwksServer(rsa.publicKey);
  let gw: Gateway;
  beforeAll(async () => {
    await jwks.start();
    gw = await gatewayFor(jwks);
  });
  afterAll(async () => {
    await gw.close();
    await jwks.stop();
  });

  it('refused, then served; on the stream too the error is IDENTITY_PROVIDER_UNAVAILABLE', async () => {
    const token = idpToken({ sub: 'carol' });
    await jwks.stop();
    expectUnavailable(await gw.anon().get(ROUTE).set(bearer(token)));
    const stream = await StreamClient.connect(await listenOnLoopback(gw.app), bearer(token));
    try {
      expect(await stream.nextOfType('error')).toMatchObject({ code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
    } finally {
      await stream.close();
    }
    await jwks.start();
    await gw.anon().get(ROUTE).set(bearer(token)).expect(200);
    expect(jwks.requests).toBe(1);
  });
});
