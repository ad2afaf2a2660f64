import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseHmacKey, parsePreviousHmacKeys, type AuditHmacKey } from '../core/config/audit-hmac-keys.js';
import {
  ed25519KeysOfJwks,
  readEd25519PrivateKey,
  readEd25519PublicKey,
  type Ed25519PublicKey,
} from '../core/signing/ed25519-key.js';

/**
 * The keys of the audit trail: the HMAC key new records are keyed with (AUDIT_HMAC_KEY), the
 * older ones that still verify the records they keyed (AUDIT_HMAC_PREVIOUS_KEYS), the Ed25519
 * key that signs checkpoints of the chain's head (AUDIT_SIGNING_KEY), and the public keys that
 * verify checkpoints (the signing key's own half, or AUDIT_VERIFY_PUBLIC_KEY for an auditor).
 */
export interface AuditKeys {
  /** null: records are chained with plain SHA-256 (only outside production). */
  hmac: AuditHmacKey | null;
  /** Every HMAC key that verifies, current included, by kid. */
  hmacByKid: ReadonlyMap<string, string>;
  signing: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | null;
  /** Public keys that verify checkpoints, by kid (JWK thumbprint); the signing key's included. */
  checkpointKeys: ReadonlyMap<string, KeyObject>;
}

export const UNKEYED: AuditKeys = { hmac: null, hmacByKid: new Map(), signing: null, checkpointKeys: new Map() };

export function auditKeys(settings: {
  hmac: AuditHmacKey | null;
  previous: AuditHmacKey[];
  signing: AuditKeys['signing'];
  /** Public keys that verify checkpoints without signing any (an auditor's). */
  verifying?: ReadonlyArray<{ kid: string; publicKey: KeyObject }>;
}): AuditKeys {
  const hmacByKid = new Map<string, string>();
  for (const k of settings.previous) hmacByKid.set(k.kid, k.secret);
  if (settings.hmac !== null) hmacByKid.set(settings.hmac.kid, settings.hmac.secret);
  const checkpointKeys = new Map<string, KeyObject>();
  for (const k of settings.verifying ?? []) checkpointKeys.set(k.kid, k.publicKey);
  if (settings.signing !== null) checkpointKeys.set(settings.signing.kid, settings.signing.publicKey);
  return { hmac: settings.hmac, hmacByKid, signing: settings.signing, checkpointKeys };
}

/**
 * The same keys as the gateway's config, for the command-line tools (`npm run audit:verify`,
 * `npm run apikey`), which must key and verify the trail exactly as the gateway does.
 * `verifying`: public keys that check checkpoints besides AUDIT_SIGNING_KEY's own.
 */
export function auditKeysFromEnvironment(
  env: Record<string, string | undefined>,
  verifying: readonly Ed25519PublicKey[] = [],
): AuditKeys {
  const value = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const hmacText = value('AUDIT_HMAC_KEY');
  const signingText = value('AUDIT_SIGNING_KEY');
  const signing = signingText === undefined ? null : readEd25519PrivateKey(signingText);
  return auditKeys({
    hmac: hmacText === undefined ? null : parseHmacKey(hmacText),
    previous: parsePreviousHmacKeys(value('AUDIT_HMAC_PREVIOUS_KEYS')),
    signing,
    verifying,
  });
}

/**
 * AUDIT_VERIFY_PUBLIC_KEY: the checkpoints' public key as PEM text (-----BEGIN PUBLIC KEY-----),
 * a JWK set's URL (the gateway's /.well-known/jwks.json publishes it), or a file holding either.
 */
export async function checkpointPublicKeys(source: string): Promise<Ed25519PublicKey[]> {
  const text = source.trim();
  if (text.startsWith('-----BEGIN')) return [readEd25519PublicKey(text)];
  if (/^https?:\/\//.test(text)) {
    const res = await fetch(text, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${text} answered ${res.status}`);
    return ed25519KeysOfJwks(await res.text());
  }
  const content = (await readFile(text, 'utf8')).trim();
  return content.startsWith('{') ? ed25519KeysOfJwks(content) : [readEd25519PublicKey(content)];
}
