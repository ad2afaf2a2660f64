/** Query parameters whose values are, or may be, credentials: never written to a record. */
const CREDENTIAL_PARAM = /key|token|secret|passw|auth|signature|credential|session|jwt/i;
export const REDACTED = '[REDACTED]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the raw text (it can still name a credential).
    return raw;
  }
}

/**
 * A request URL fit for a durable record (the audit chain cannot be scrubbed afterwards): the
 * path as sent, and the query with the value of every credential-like parameter (`api_key`,
 * `token`, `access_token`, `X-Amz-Signature`…) replaced by `[REDACTED]`. Other parameters keep
 * their raw text, so the record still shows what was asked.
 */
export function redactedUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      return CREDENTIAL_PARAM.test(decodedName(rawName)) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}
