/** Alpaca's path roots the face has routes under (outside the /api/v1 prefix). */
export const ALPACA_FACE_ROOTS = ['v1', 'v1beta1', 'v2'] as const;

/**
 * The Alpaca-compatible face's REST paths: Alpaca's own (`/v2/…` on both hosts, `/v1beta1/…` and
 * `/v1/…` on the market-data host), beside the gateway's `/api/v1`. Core knows their shape only to
 * treat them as strictly as the API (exact paths, rate-limit headers in Alpaca's units).
 * `/v1beta3/…` (Alpaca's crypto) has no route, but a bot calling it gets its 404 in Alpaca's body.
 */
export const ALPACA_FACE_PATH = new RegExp(`^/(${[...ALPACA_FACE_ROOTS, 'v1beta3'].join('|')})/`, 'i');

/** `path` may carry its query string: only its first segment is looked at. */
export function isAlpacaFacePath(path: string): boolean {
  return ALPACA_FACE_PATH.test(path);
}

/** Paths of Alpaca's trading host (the rest of the face is its market-data host). */
const TRADING_HOST_PATH = /^\/v2\/(account|orders|positions|assets|clock|calendar|options\/contracts)(\/|:|$)/i;

export function isAlpacaTradingPath(path: string): boolean {
  return TRADING_HOST_PATH.test(path);
}
