import { isIP } from 'node:net';

/** proxy-addr's (Express's) names for address ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 16;

/** What Express's `trust proxy` gets: false (socket address only), a hop count, or trusted addresses. */
export type TrustProxySetting = false | number | string[];

function isTrustedEntry(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses TRUST_PROXY: a hop count (`2`: the address two hops back in X-Forwarded-For is the
 * client), or addresses, CIDRs and proxy-addr's range names of the proxies in front. `true`
 * (trust every hop) is refused: anyone could then name their own address.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxySetting | null {
  if (raw === undefined) return false;
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= MAX_HOPS ? (hops === 0 ? false : hops) : null;
  }
  const entries = value.split(',').map((e) => e.trim());
  return entries.length > 0 && entries.every(isTrustedEntry) ? entries : null;
}

/** What a TRUST_PROXY that parseTrustProxy refuses is told. */
export const TRUST_PROXY_MESSAGE = `must be a hop count (0-${MAX_HOPS}) or comma-separated proxy addresses/CIDRs (or loopback, linklocal, uniquelocal)`;
