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
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`an ${privateKey.asymmetricKeyType ?? 'unknown'} key; an Ed25519 key is required`);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('the public key has no x coordinate');
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const kid = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
  return { privateKey, publicKey, kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' } };
}
