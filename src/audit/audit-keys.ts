import type { KeyObject } from 'node:crypto';
import { parseHmacKey, parsePreviousHmacKeys, type AuditHmacKey } from '../core/config/audit-hmac-keys.js';
import { readEd25519PrivateKey } from '../core/signing/ed25519-key.js';


/**
 * The keys of the audit trail: the HMAC key new records are keyed with (AUDIT_HMAC_KEY), the
 * older ones that still verify the records they keyed (AUDIT_HMAC_PREVIOUS_KEYS), and the Ed25519
 * key that signs checkpoints of the chain's head (AUDIT_SIGNING_KEY).
 */
export interface AuditKeys {
  /** null: records are chained with plain SHA-256 (only outside production). */
  hmac: AuditHmacKey | null;
  /** Every HMAC key that verifies, current included, by kid. */
  hmacByKid: ReadonlyMap<string, string>;
  signing: { privateKey: KeyObject; publicKey: KeyObject; kid: string } | null;
}

export const UNKEYED: AuditKeys = { hmac: null, hmacByKid: new Map(), signing: null };

export function auditKeys(settings: { hmac: AuditHmacKey | null; previous: AuditHmacKey[]; signing: AuditKeys['signing'] }): AuditKeys {
  const hmacByKid = new Map<string, string>();
  for (const k of settings.previous) hmacByKid.set(k.kid, k.secret);
  if (settings.hmac !== null) hmacByKid.set(settings.hmac.kid, settings.hmac.secret);
  return { hmac: settings.hmac, hmacByKid, signing: settings.signing };
}

/**
 * The same keys as the gateway's config, for the command-line tools (`npm run audit:verify`,
 * `npm run apikey`), which must key and verify the trail exactly as the gateway does.
 */
export function auditKeysFromEnvironment(env: Record<string, string | undefined>): AuditKeys {
  const value = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const hmacText = value('AUDIT_HMAC_KEY');
  const signingText = value('AUDIT_SIGNING_KEY');
  const signing = signingText === undefined ? null : readEd25519PrivateKey(signingText);
  return auditKeys({
    hmac: hmacText === undefined ? null : parseHmacKey(hmacText),
    previous: parsePreviousHmacKeys(value('AUDIT_HMAC_PREVIOUS_KEYS')),
    signing,
  });
}
