import { METHODS } from 'node:http';
import { pathToRegexp } from 'path-to-regexp';
import { AppError } from './app-error.js';

/** One registered route: the pattern its template compiles to and the methods it answers. */
interface RouteEntry {
  pattern: RegExp;
  methods: readonly string[];
}

export interface RouteTableOptions {
  /**
   * Methods answered on every path before routing, by middleware rather than a route (OPTIONS
   * when the CORS layer answers preflights); listed in every Allow header.
   */
  everyPath?: readonly string[];
}

/**
 * Compiles an Express 5 route template to the pattern Express's router dispatches with: the same
 * path-to-regexp 8 Express uses (`:param`, `*wildcard`, `{optional}`, `\` escapes) with the router's
 * defaults: case-insensitive, one optional trailing slash ("loose": the template's own trailing
 * slashes dropped first), a parameter never spans a `/`. A template without a parameter name throws.
 */
export function templatePattern(template: string): RegExp {
  const loose = template === '/' ? '/' : template.replace(/\/+$/, '') || '/';
  return pathToRegexp(loose, { sensitive: false, end: true, trailing: true }).regexp;
}

/** A property of an object or function (Express's application and router are functions), read untrusted. */
function propertyOf(value: unknown, key: string): unknown {
  return (typeof value === 'function' || (value !== null && typeof value === 'object')) && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The route layers of an Express application's router, read without trusting their shape. */
function expressRoutes(expressApp: unknown): Array<{ path: string; methods: string[] }> {
  const stack = propertyOf(propertyOf(expressApp, 'router'), 'stack');
  if (!Array.isArray(stack)) throw new Error('Not an Express 5 application: no router stack to read the routes from');
  const routes: Array<{ path: string; methods: string[] }> = [];
  for (const layer of stack as unknown[]) {
    const route = propertyOf(layer, 'route');
    const path = propertyOf(route, 'path');
    const methods = propertyOf(route, 'methods');
    // Only string templates: nothing here registers RegExp or array paths.
    if (typeof path !== 'string' || methods === null || typeof methods !== 'object') continue;
    const names = Object.entries(methods)
      .filter(([, on]) => on === true)
      .map(([name]) => name.toUpperCase());
    routes.push({ path, methods: names });
  }
  return routes;
}

/**
 * The methods each registered path accepts, read once at startup from the routes the application
 * actually registered (Express's router stack: every Nest controller route, the documentation's
 * routes, /asyncapi.json). It tells a wrong method on a known path (405 METHOD_NOT_ALLOWED with
 * Allow) from an unknown path (404 ROUTE_NOT_FOUND).
 */
export class RouteTable {
  /** Until the routes are known every routing miss is a 404. */
  static readonly EMPTY = new RouteTable([], []);

  private constructor(
    private readonly entries: readonly RouteEntry[],
    private readonly everyPath: readonly string[],
  ) {}

  /**
   * Reads the routes of an Express application; call it after app.init() and after the last route
   * is added. Routes answering every method are skipped: they are catch-alls (Nest's not-found
   * handler on each path excluded from the global prefix, `app.all`), not what a resource accepts.
   * HEAD is added wherever GET is, as Express answers HEAD with the GET handler.
   */
  static fromExpress(expressApp: unknown, options: RouteTableOptions = {}): RouteTable {
    const entries: RouteEntry[] = [];
    for (const { path, methods } of expressRoutes(expressApp)) {
      if (methods.includes('_ALL') || METHODS.every((m) => methods.includes(m))) continue;
      const accepted = methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
      entries.push({ pattern: templatePattern(path), methods: accepted });
    }
    return new RouteTable(
      entries,
      (options.everyPath ?? []).map((m) => m.toUpperCase()),
    );
  }

  /** Methods some registered route accepts for this concrete path, sorted; empty when no route matches it. */
  allowedMethods(path: string): string[] {
    const allowed = new Set<string>();
    for (const entry of this.entries) {
      if (entry.pattern.test(path)) for (const method of entry.methods) allowed.add(method);
    }
    if (allowed.size === 0) return [];
    for (const method of this.everyPath) allowed.add(method);
    return [...allowed].sort();
  }

  /**
   * The catalog error for a request no route answered: 405 METHOD_NOT_ALLOWED with an Allow
   * header when the path exists under other methods, 404 ROUTE_NOT_FOUND otherwise.
   */
  miss(method: string, path: string): AppError {
    const allowed = this.allowedMethods(path);
    if (allowed.length === 0 || allowed.includes(method.toUpperCase())) return new AppError('ROUTE_NOT_FOUND');
    return new AppError('METHOD_NOT_ALLOWED', {
      details: { method: method.toUpperCase(), allowed },
      headers: { Allow: allowed.join(', ') },
    });
  }
}
