import { execFile } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { httpbis } from 'http-message-signatures';
import { ensureBuilt } from '../support/built-gateway.js';
import { startGateway, tokenFor, type Gateway } from '../support/harness.js';

/** One response exactly as it came off the wire: what `curl -si` would save. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Status line and headers as sent (CRLF), for a saved-response file. */
  head: string;
  body: Buffer;
}

function fetchRaw(server: Server, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lines: string[] = [`HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`];
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          lines.push(`${res.rawHeaders[i] ?? ''}: ${res.rawHeaders[i + 1] ?? ''}`);
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) flat[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
        resolve({
          status: res.statusCode ?? 0,
          headers: flat,
          head: `${lines.join('\r\n')}\r\n\r\n`,
          body: Buffer.concat(chunks),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The independent check: the http-message-signatures package, with the key from the JWK set. */
async function independentlyVerified(
  r: { status: number; headers: Record<string, string> },
  keys: Map<string, KeyObject>,
  request: { method: string; path: string },
): Promise<boolean> {
  try {
    const result = await httpbis.verifyMessage(
      {
        keyLookup: (params) => {
          const key = typeof params.keyid === 'string' ? keys.get(params.keyid) : undefined;
          return Promise.resolve(
            key === undefined
              ? null
              : {
                  id: params.keyid,
                  algs: ['ed25519'],
                  verify: (data: Buffer, sig: Buffer) => Promise.resolve(verify(null, data, key, sig)),
                },
          );
        },
        // The library matches names only; the ;req binding is pinned by the Signature-Input pattern below.
        requiredFields: ['@status', 'content-digest', 'x-request-id', 'date', '@method', '@path', '@query'],
        requiredParams: ['created', 'keyid', 'alg'],
        tolerance: 5,
      },
      { status: r.status, headers: r.headers },
      { method: request.method, url: `http://127.0.0.1${request.path}`, headers: {} },
    );
    return result === true;
  } catch {
    // The library throws for malformed or unacceptable signatures: not verified.
    return false;
  }
}

/** RFC 9530: sha-256 of the body bytes, computed here, not by the gateway's code. */
function digestMatches(r: { headers: Record<string, string>; body: Buffer }): boolean {
  return r.headers['content-digest'] === `sha-256=:${createHash('sha256').update(r.body).digest('base64')}:`;
}

describe('signed responses (RESPONSE_SIGNING_KEY, RFC 9421 + RFC 9530)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  let gw: Gateway;
  let server: Server;
  let keys: Map<string, KeyObject>;
  let jwk: JWK;
  const auth = { Authorization: `Bearer ${tokenFor(['admin'])}` };

  // The CLI test runs the built script (CI builds first; locally this builds once if dist/ is stale).
  beforeAll(() => ensureBuilt(), 120_000);
  beforeAll(async () => {
    // One line with \n escapes, as the variable usually arrives from a secret store.
    gw = await startGateway({ RESPONSE_SIGNING_KEY: pem.replace(/\n/g, '\\n') });
    server = gw.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const set = await fetchRaw(server, '/.well-known/jwks.json');
    expect(set.status).toBe(200);
    expect(set.headers['content-type']).toMatch(/^application\/jwk-set\+json/);
    const parsed = JSON.parse(set.body.toString('utf8')) as { keys: JWK[] };
    expect(parsed.keys).toHaveLength(1);
    const [first] = parsed.keys;
    if (first === undefined) throw new Error('no key in the JWK set');
    jwk = first;
    keys = new Map([
      [String(jwk.kid), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) }, format: 'jwk' })],
    ]);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('serves the public key as a JWK set whose kid is the RFC 7638 thumbprint', async () => {
    expect(jwk).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      x: publicKey.export({ format: 'jwk' }).x,
    });
    expect(jwk.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) }, 'sha256'));
    expect(JSON.stringify(jwk)).not.toContain('"d"');
  });

  it('a quote, an error and a trading answer verify with the independent implementation', async () => {
    for (const path of [
      '/api/v1/stocks/AAPL/quote',
      '/api/v1/stocks/ZZZZ/quote',
      '/api/v1/account',
      '/api/v1/stocks/AAPL/bars?timeframe=1Day&limit=2',
    ]) {
      const r = await fetchRaw(server, path, auth);
      expect(r.headers['signature-input']).toMatch(
        /^sig1=\("@status" "content-digest" "x-request-id" "date" "@method";req "@path";req "@query";req\);created=\d+;keyid="[A-Za-z0-9_-]{43}";alg="ed25519"$/,
      );
      expect(digestMatches(r)).toBe(true);
      expect(await independentlyVerified(r, keys, { method: 'GET', path })).toBe(true);
    }
  });

  it('a signed answer does not verify as the answer to another request (method, path or query)', async () => {
    const path = '/api/v1/stocks/AAPL/quote?max_age_seconds=5';
    const r = await fetchRaw(server, path, auth);
    expect(await independentlyVerified(r, keys, { method: 'GET', path })).toBe(true);
    expect(
      await independentlyVerified(r, keys, { method: 'GET', path: '/api/v1/stocks/MSFT/quote?max_age_seconds=5' }),
    ).toBe(false);
    expect(
      await independentlyVerified(r, keys, { method: 'GET', path: '/api/v1/stocks/AAPL/quote?max_age_seconds=6' }),
    ).toBe(false);
    expect(await independentlyVerified(r, keys, { method: 'POST', path })).toBe(false);
  });

  it('one changed byte of the body, or of a covered header, fails verification', async () => {
    const quote = { method: 'GET', path: '/api/v1/stocks/AAPL/quote' };
    const r = await fetchRaw(server, quote.path, auth);
    expect(digestMatches(r) && (await independentlyVerified(r, keys, quote))).toBe(true);

    const body = Buffer.from(r.body);
    body[body.indexOf('172')] = '8'.charCodeAt(0);
    expect(digestMatches({ ...r, body })).toBe(false);

    const flip = (v: string): string => `${v.slice(0, -1)}${v.endsWith('0') ? '1' : '0'}`;
    for (const name of ['x-request-id', 'date', 'content-digest']) {
      const headers = { ...r.headers, [name]: flip(r.headers[name] ?? '') };
      expect(await independentlyVerified({ status: r.status, headers }, keys, quote)).toBe(false);
    }
    expect(await independentlyVerified({ status: 201, headers: r.headers }, keys, quote)).toBe(false);
    // A key the gateway does not hold: not verified either.
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(await independentlyVerified(r, new Map([[String(jwk.kid), other]]), quote)).toBe(false);
  });

  it('npm run verify:response checks a saved response: 0 when intact, 1 with one byte changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opitios-sig-'));
    try {
      const r = await fetchRaw(server, '/api/v1/stocks/MSFT/quote', auth);
      const saved = join(dir, 'response.txt');
      const tampered = join(dir, 'tampered.txt');
      const jwksFile = join(dir, 'jwks.json');
      writeFileSync(saved, Buffer.concat([Buffer.from(r.head, 'latin1'), r.body]));
      const body = Buffer.from(r.body);
      body[body.length - 2] = body[body.length - 2] === 0x30 ? 0x31 : 0x30;
      writeFileSync(tampered, Buffer.concat([Buffer.from(r.head, 'latin1'), body]));
      writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
      const run = promisify(execFile);
      const script = join(process.cwd(), 'dist', 'scripts', 'verify-response.js');
      const ok = await run(process.execPath, [
        script,
        saved,
        '--request',
        'GET /api/v1/stocks/MSFT/quote',
        '--jwks',
        jwksFile,
      ]);
      expect(ok.stdout).toContain(`verified: status 200, key ${String(jwk.kid)}`);
      await expect(
        run(process.execPath, [script, saved, '--request', 'GET /api/v1/stocks/AAPL/quote', '--jwks', jwksFile]),
      ).rejects.toMatchObject({
        code: 1,
        stdout: expect.stringContaining('signature does not verify'),
      });
      await expect(
        run(process.execPath, [script, tampered, '--request', 'GET /api/v1/stocks/MSFT/quote', '--jwks', jwksFile]),
      ).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('does not match the body') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('without RESPONSE_SIGNING_KEY', () => {
  it('answers carry no signature and the JWK set is empty', async () => {
    const gw = await startGateway();
    try {
      const r = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(r.headers['signature']).toBeUndefined();
      expect(r.headers['content-digest']).toBeUndefined();
      const set = await gw.anon().get('/.well-known/jwks.json').expect(200);
      expect(JSON.parse(set.text)).toEqual({ keys: [] });
    } finally {
      await gw.close();
    }
  });

  it('an unreadable key stops the boot with a message naming the variable', async () => {
    await expect(startGateway({ RESPONSE_SIGNING_KEY: 'not a key' })).rejects.toThrow(
      /RESPONSE_SIGNING_KEY: not a PEM private key/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await expect(startGateway({ RESPONSE_SIGNING_KEY: rsa })).rejects.toThrow(
      /RESPONSE_SIGNING_KEY: an rsa key; an Ed25519 key is required/,
    );
  });
});
