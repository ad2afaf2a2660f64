import { createPrivateKey, createPublicKey, createHash, type KeyObject } from 'node:crypto';

/** An Ed25519 key pair read from PEM (PKCS#8) text, with its JWK thumbprint as key id. */
export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  kid: string;
  /** The public key as a JWK (`kty` OKP, `crv` Ed25519) with kid, alg and use. */
  publicJwk: Ed25519PublicJwk;
}

export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/**
 * Environment variables hold a PEM on one line as often as on several: `\n` escapes are turned
 * into line breaks before parsing.
 */
function pemText(text: string): string {
  return text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
}

/** Reads an Ed25519 private key (PEM, PKCS#8); throws a message that never contains the key. */
export function readEd25519PrivateKey(text: string): Ed25519KeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pemText(text), format: 'pem' });
  } catch {
    throw new Error('not a PEM private key (expected -----BEGIN PRIVATE KEY----- PKCS#8)');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`an ${privateKey.asymmetricKeyType ?? 'unknown'} key; an Ed25519 key is required`);
  return { privateKey, ...ed25519PublicKey(createPublicKey(privateKey)) };
}

/** An Ed25519 public key with its JWK thumbprint and JWK; what verifies without the private half. */
export type Ed25519PublicKey = Omit<Ed25519KeyPair, 'privateKey'>;

function ed25519PublicKey(publicKey: KeyObject): Ed25519PublicKey {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('the public key has no x coordinate');
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const kid = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
  return { publicKey, kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' } };
}

/**
 * Reads an Ed25519 public key (PEM, SPKI: -----BEGIN PUBLIC KEY-----); a private key is refused
 * (a verifier must not need one). Its kid is the thumbprint, as the signer's.
 */
export function readEd25519PublicKey(text: string): Ed25519PublicKey {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pemText(text)))
    throw new Error('a private key; give the public key (-----BEGIN PUBLIC KEY-----)');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pemText(text), format: 'pem' });
  } catch {
    throw new Error('not a PEM public key (expected -----BEGIN PUBLIC KEY----- SPKI)');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`an ${publicKey.asymmetricKeyType ?? 'unknown'} key; an Ed25519 key is required`);
  return ed25519PublicKey(publicKey);
}

/**
 * The Ed25519 keys of a JWK set (other key types are skipped), each under its thumbprint: the kid
 * the gateway's signers write, computed here rather than taken from the set's `kid` member.
 */
export function ed25519KeysOfJwks(text: string): Ed25519PublicKey[] {
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch {
    throw new Error('not a JWK set (not JSON)');
  }
  const keys = (set as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new Error('not a JWK set (no "keys" array)');
  return keys
    .filter(
      (k): k is { x: string } =>
        typeof k === 'object' &&
        k !== null &&
        (k as Record<string, unknown>)['kty'] === 'OKP' &&
        (k as Record<string, unknown>)['crv'] === 'Ed25519' &&
        typeof (k as Record<string, unknown>)['x'] === 'string',
    )
    .map((k) => ed25519PublicKey(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' })));
}
