import { AppError } from '../errors/app-error.js';
import { isAlpacaFacePath } from './face-paths.js';

/**
 * Where empty path segments are refused: the API and the Alpaca-compatible face's paths (`/v2/…`,
 * `/v1beta1/…`, `/v1/…`), whose routes never end in or contain one.
 */
const API_PATH = /^\/api\//i;

/**
 * Express matches routes loosely: `/api/v1/positions/` reaches `DELETE /positions` (close every
 * position) exactly as `/api/v1/positions` does, so a client that builds `/positions/${symbol}`
 * with an empty symbol (or `.`, which fetch normalises away) would close everything. Under the
 * API prefix a path with an empty segment (a trailing `/` or `//`) is therefore no route at all:
 * `404 ROUTE_NOT_FOUND` before routing, authentication or any upstream call.
 */
export function emptySegmentRefusal(path: string): AppError | null {
  if (!API_PATH.test(path) && !isAlpacaFacePath(path)) return null;
  if (!path.endsWith('/') && !path.includes('//')) return null;
  return new AppError('ROUTE_NOT_FOUND', {
    message: 'The path has an empty segment (a trailing slash or "//"); routes are matched exactly.',
    details: { reason: 'empty_path_segment' },
  });
}
