import type { Request } from 'express';

/** Label for requests that matched no route (unknown paths, static assets, wrong methods). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template Express matched (`/api/v1/stocks/:symbol/quote`), so logs and metrics group
 * by route rather than by symbol; null when no route matched. Read it once the response finished:
 * Express sets `req.route` only while dispatching to the route.
 */
export function routeTemplate(req: Request): string | null {
  const route: unknown = req.route;
  if (route !== null && typeof route === 'object' && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return null;
}

/**
 * The route label for metrics: the matched template, or `unmatched` when none matched or only a
 * wildcard did (Nest answers unknown paths under the prefix from a catch-all `/api/v1*path`).
 */
export function routeLabel(req: Request): string {
  const template = routeTemplate(req);
  return template === null || template.includes('*') ? UNMATCHED_ROUTE : template;
}
