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

