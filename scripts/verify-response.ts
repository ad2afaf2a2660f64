/**
 * `npm run verify:response -- <saved response> --request "GET /api/v1/…?…" [--jwks <file or URL>]`:
 * checks a response saved with `curl -si URL > file` against the gateway's response-signing
 * keys: the body against Content-Digest, then the Ed25519 signature (RFC 9421) over @status,
 * content-digest, x-request-id and date, bound to the request it answers (its method, path and
 * query, given with --request). The keys come from --jwks (a JWK set file, or its URL; default
 * http://127.0.0.1:3000/.well-known/jwks.json). Exit 0 verified, 1 not verified, 2 unusable input.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseSavedResponse } from '../src/core/signing/saved-response.js';
import { verifyResponse } from '../src/core/signing/response-signature.js';

const DEFAULT_JWKS = 'http://127.0.0.1:3000/.well-known/jwks.json';

async function jwksText(source: string): Promise<string> {
  if (!/^https?:\/\//.test(source)) return readFileSync(source, 'utf8');
  const res = await fetch(source);
  if (!res.ok) throw new Error(`${source} answered ${res.status}`);
  return res.text();
}

function publicKeys(text: string): Map<string, KeyObject> {
  const set = JSON.parse(text) as { keys?: Array<Record<string, unknown>> };
  const keys = new Map<string, KeyObject>();
  for (const jwk of set.keys ?? []) {
    if (
      jwk['kty'] !== 'OKP' ||
      jwk['crv'] !== 'Ed25519' ||
      typeof jwk['kid'] !== 'string' ||
      typeof jwk['x'] !== 'string'
    )
      continue;
    keys.set(jwk['kid'], createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk['x'] }, format: 'jwk' }));
  }
  return keys;
}

const REQUEST_LINE = /^([A-Za-z]+) (\/\S*)$/;

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--jwks');
  const jwks = at >= 0 ? argv[at + 1] : DEFAULT_JWKS;
  const ra = argv.indexOf('--request');
  const requestLine = ra >= 0 ? REQUEST_LINE.exec(argv[ra + 1] ?? '') : null;
  const file = argv.find((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1) && (ra < 0 || i !== ra + 1));
  if (file === undefined || jwks === undefined || requestLine === null) {
    process.stderr.write(
      'usage: npm run verify:response -- <saved response (curl -si URL > file)> --request "GET /api/v1/stocks/AAPL/quote" [--jwks <file or URL>]\n',
    );
    return 2;
  }
  const [, method = '', target = ''] = requestLine;
  const response = parseSavedResponse(readFileSync(file));
  const outcome = verifyResponse(response, { method, target }, publicKeys(await jwksText(jwks)));
  if (outcome.ok) {
    process.stdout.write(
      `verified: status ${response.status}, key ${outcome.kid}, request ${response.headers['x-request-id'] ?? '?'}\n`,
    );
    return 0;
  }
  process.stdout.write(`NOT verified: ${outcome.reason}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`verify:response failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
