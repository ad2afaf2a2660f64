import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * HTTP Message Signatures (RFC 9421) over a response, as the gateway signs them: the components
 * `@status`, `content-digest` (RFC 9530, sha-256 of the body bytes), `x-request-id` and `date`,
 * bound to the request that asked (§2.4: `"@method";req`, `"@path";req`, `"@query";req`), so that
 * a signed answer cannot be replayed as the answer to another request; with `created`, `keyid`
 * and `alg="ed25519"` as parameters, under the label `sig1`.
 *
 * Kept by hand (about 60 lines) rather than taken from a library: a response is signed in the
 * hot path from bytes already in hand, and the project's test verifies these signatures with an
 * independent implementation (the `http-message-signatures` package), which it could not do if
 * the gateway signed with that same package.
 */
export const SIGNATURE_LABEL = 'sig1';
export const COVERED_COMPONENTS = [
  '@status',
  'content-digest',
  'x-request-id',
  'date',
  '@method;req',
  '@path;req',
  '@query;req',
] as const;

/** The request a response answers, as RFC 9421 derives its components (path and query as WHATWG URL parses them). */
export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query (`/api/v1/stocks/AAPL/quote?feed=iex`). */
  target: string;
}

function requestComponents(r: SignedRequest): { method: string; path: string; query: string } {
  const url = new URL(r.target, 'http://gateway.invalid');
  return { method: r.method.toUpperCase(), path: url.pathname || '/', query: url.search || '?' };
}

/** `@method;req` → `"@method";req` (the component name quoted, its parameters not). */
function componentId(c: string): string {
  const [name, ...params] = c.split(';');
  return [`"${name ?? ''}"`, ...params].join(';');
}

export function contentDigest(body: Buffer): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

export interface SignedFields {
  status: number;
  contentDigest: string;
  requestId: string;
  date: string;
  request: SignedRequest;
}

function signatureParams(created: number, keyid: string): string {
  const components = COVERED_COMPONENTS.map(componentId).join(' ');
  return `(${components});created=${created};keyid="${keyid}";alg="ed25519"`;
}

/** RFC 9421 §2.5: one line per covered component, then `@signature-params`. */
function signatureBase(f: SignedFields, params: string): string {
  const r = requestComponents(f.request);
  return [
    `"@status": ${f.status}`,
    `"content-digest": ${f.contentDigest}`,
    `"x-request-id": ${f.requestId}`,
    `"date": ${f.date}`,
    `"@method";req: ${r.method}`,
    `"@path";req: ${r.path}`,
    `"@query";req: ${r.query}`,
    `"@signature-params": ${params}`,
  ].join('\n');
}

/** The `Signature-Input` and `Signature` header values for a response. */
export function signResponse(
  f: SignedFields,
  key: { privateKey: KeyObject; kid: string },
  createdSeconds: number,
): { signatureInput: string; signature: string } {
  const params = signatureParams(createdSeconds, key.kid);
  const signature = sign(null, Buffer.from(signatureBase(f, params)), key.privateKey).toString('base64');
  return { signatureInput: `${SIGNATURE_LABEL}=${params}`, signature: `${SIGNATURE_LABEL}=:${signature}:` };
}

export type VerifyOutcome = { ok: true; kid: string } | { ok: false; reason: string };

/**
 * Checks a saved response the way a client would: the body against `Content-Digest`, then the
 * signature against the public key named by `keyid`, for the request it is claimed to answer.
 * Only the gateway's own shape is understood (label sig1, the components above, in that order).
 */
export function verifyResponse(
  message: { status: number; headers: Record<string, string>; body: Buffer },
  request: SignedRequest,
  publicKeys: ReadonlyMap<string, KeyObject>,
): VerifyOutcome {
  const h = message.headers;
  const input = h['signature-input'];
  const sig = h['signature'];
  if (input === undefined || sig === undefined) return { ok: false, reason: 'no Signature / Signature-Input header' };
  const params = new RegExp(`^${SIGNATURE_LABEL}=(\\(.*\\);created=(\\d+);keyid="([^"]+)";alg="ed25519")$`).exec(input);
  if (params === null) return { ok: false, reason: `Signature-Input is not the gateway's shape: ${input}` };
  const [, paramText, created, kid] = params as unknown as [string, string, string, string];
  if (paramText !== signatureParams(Number(created), kid))
    return { ok: false, reason: `Signature-Input covers other components than ${COVERED_COMPONENTS.join(', ')}` };
  const sigValue = new RegExp(`^${SIGNATURE_LABEL}=:([A-Za-z0-9+/=]+):$`).exec(sig);
  if (sigValue === null) return { ok: false, reason: 'Signature header is not a sig1 byte sequence' };
  const digest = contentDigest(message.body);
  if (h['content-digest'] !== digest)
    return {
      ok: false,
      reason: `Content-Digest ${h['content-digest'] ?? '(missing)'} does not match the body (${digest})`,
    };
  const key = publicKeys.get(kid);
  if (key === undefined) return { ok: false, reason: `no public key with kid ${kid}` };
  const { 'x-request-id': requestId, date } = h;
  if (requestId === undefined || date === undefined) return { ok: false, reason: 'X-Request-Id or Date missing' };
  const base = signatureBase({ status: message.status, contentDigest: digest, requestId, date, request }, paramText);
  return verify(null, Buffer.from(base), key, Buffer.from(sigValue[1] ?? '', 'base64'))
    ? { ok: true, kid }
    : { ok: false, reason: 'signature does not verify' };
}
