/**
 * A tiny path router: OpenAPI-style templates (`/v2/orders/{order_id}`) compiled to regexes.
 * Braces rather than `:name` because Alpaca has a literal colon in `/v2/orders:by_client_order_id`.
 */
import type { OrderEvents } from '../orders/order-events.js';
import type { EmulatorFixtures, RecordedRequest } from '../emulator.types.js';
import type { LiveMarketData } from '../market/live-market-data.js';

/** Mutable emulator state route handlers read and write. */
export interface EmulatorState {
  readonly fixtures: EmulatorFixtures;
  /** Ids of orders created here that still read as `accepted` (they turn `new` on next read). */
  readonly pendingAcceptance: Set<string>;
  /** Set when EmulatorOptions.liveData is on: market-data answers are restamped as of now. */
  readonly liveData: LiveMarketData | undefined;
  /** Order changes, for the trading stream: emit one per change, after the change. */
  readonly orderEvents: OrderEvents;
}

export interface RouteContext {
  request: RecordedRequest;
  params: Record<string, string>;
  state: EmulatorState;
}

export interface RouteResult {
  status: number;
  /** Serialized as JSON; undefined sends no body (204). */
  body?: unknown;
}

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  path: string;
  handle(context: RouteContext): RouteResult;
  /** The endpoint's envelope with an empty map/array, served by the `empty` fault. */
  empty(context: RouteContext): unknown;
}

interface CompiledRoute extends RouteDefinition {
  pattern: RegExp;
  paramNames: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const param = /^\{([a-z_]+)\}$/.exec(part);
      if (param === null) return escapeRegex(part);
      paramNames.push(param[1]);
      return '([^/]+)';
    })
    .join('');
  return { ...route, pattern: new RegExp(`^${source}$`), paramNames };
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: RouteDefinition[]) {
    this.routes = routes.map(compile);
  }

  match(method: string, path: string): RouteMatch {
    let pathKnown = false;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (found === null) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, index) => {
        params[name] = found[index + 1];
      });
      return { kind: 'found', route, params };
    }
    return { kind: pathKnown ? 'method-not-allowed' : 'not-found' };
  }
}
