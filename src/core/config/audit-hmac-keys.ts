/** One HMAC key of the audit chain; `kid` is written into every record it keyed. */
export interface AuditHmacKey {
  kid: string;
  secret: string;
}

/** The kid a secret given without one (`AUDIT_HMAC_KEY=<secret>`) is recorded under. */
export const DEFAULT_AUDIT_KID = 'default';
const KID = /^[A-Za-z0-9._-]{1,64}$/;

/** `kid:secret` or a bare secret (kid `default`). Secrets are at least 32 characters. */
export function parseHmacKey(text: string): AuditHmacKey {
  const at = text.indexOf(':');
  const candidate = at > 0 ? text.slice(0, at) : '';
  const [kid, secret] = KID.test(candidate) ? [candidate, text.slice(at + 1)] : [DEFAULT_AUDIT_KID, text];
  if (secret.length < 32) throw new Error('an HMAC secret must be at least 32 characters');
  return { kid, secret };
}

/** Comma-separated `kid:secret` pairs; every one needs its kid (it names the records it keyed). */
export function parsePreviousHmacKeys(text: string | undefined): AuditHmacKey[] {
  if (text === undefined) return [];
  return text.split(',').map((pair) => {
    const key = parseHmacKey(pair.trim());
    if (!pair.trim().startsWith(`${key.kid}:`)) throw new Error('each previous key is kid:secret');
    return key;
  });
}

/**
 * Production refuses an unkeyed audit chain: the gateway at boot (validateConfig) and the apikey
 * CLI before it changes a key, with the same words. null when the rule holds; empty counts as unset.
 */
export function productionHmacKeyProblem(env: {
  NODE_ENV?: string | undefined;
  AUDIT_HMAC_KEY?: string | undefined;
}): string | null {
  if (env.NODE_ENV !== 'production' || (env.AUDIT_HMAC_KEY ?? '') !== '') return null;
  return 'AUDIT_HMAC_KEY: required when NODE_ENV=production (without a key, whoever can write the audit store can rewrite the chain)';
}
