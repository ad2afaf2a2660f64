import { applyDecorators, Get, type Type } from '@nestjs/common';
import { ApiExtension, ApiOperation } from '@nestjs/swagger';
import { ApiEnvelope } from '../../core/attribution/api-envelope.decorator.js';
import type { CacheKind } from '../../core/cache/market-cache.js';
import type { ErrorCode } from '../../core/errors/error-catalog.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { rolesGranting, type Permission } from '../../core/identity/roles.js';
import type { UpstreamOperation } from '../../alpaca/reference/market-operations.js';
import type { UpstreamCall } from '../../alpaca/reference/pass-through.port.js';

/**
 * How long an answer may be reused, by family (lifetimes from configuration, open/closed from
 * Alpaca's clock): `history` is long when the request ends before today (New York) and short
 * otherwise; the others as MarketCache.ttlSeconds says.
 */
export type CachePolicy = 'history' | Exclude<CacheKind, 'history_past' | 'history_recent'>;

/** What every pass-through request carries: the freshness bound, and the range end for history. */
export interface RouteInput {
  max_age_seconds?: number;
  end?: string;
}

/** How a route appears in Swagger and who may call it. */
export interface RouteDocs {
  /** Path under the controller's prefix, in Nest syntax (`:symbol/quotes`). */
  path: string;
  permission: Permission;
  summary: string;
  description?: string;
  /** The `data` model of the success envelope. */
  model: Type<unknown>;
  /** The route's own catalog errors; authentication and upstream errors are added. */
  errors: ErrorCode[];
}

/**
 * One GET route that passes an Alpaca operation through: its upstream call (built from the
 * validated request; may throw a catalog error, before any upstream call), its cache policy, and
 * our answer from Alpaca's (renames and shaping only; may throw when Alpaca had nothing).
 */
export interface PassThroughRoute<Q extends RouteInput, M, D> {
  /** Cache key prefix. */
  name: string;
  operation: UpstreamOperation<M>;
  call: (q: Q) => UpstreamCall;
  cache: CachePolicy;
  /** `feed`: the feed the operation was asked for (null when it takes none). */
  answer: (model: M, q: Q, feed: string | null) => D;
  docs: RouteDocs;
}

/**
 * What fetching a route's upstream answer takes (its own answer and docs aside): another face that
 * renders the same model (the Alpaca-compatible one) shares the route's cache entries through it.
 */
export type RouteSource<Q extends RouteInput, M> = Pick<
  PassThroughRoute<Q, M, unknown>,
  'name' | 'operation' | 'call' | 'cache'
>;

/** Identity with inference: declares a route so its three types are checked against each other. */
export function passThrough<Q extends RouteInput, M, D>(route: PassThroughRoute<Q, M, D>): PassThroughRoute<Q, M, D> {
  return route;
}

/**
 * The handler decorator of a pass-through route: GET path, its Swagger operation (summary, the roles
 * that may call it, the upstream operation, envelope) and, through @Authenticated, its permission,
 * credentials and errors.
 */
export function Serves<Q extends RouteInput, M, D>(route: PassThroughRoute<Q, M, D>): MethodDecorator {
  const { docs, operation } = route;
  const roles = rolesGranting(docs.permission);
  const source = `Source: Alpaca \`GET ${operation.path}\` (${operation.id}, ${operation.api === 'data' ? 'market-data' : 'trading'} host).`;
  return applyDecorators(
    Get(docs.path),
    ApiOperation({
      summary: docs.summary,
      description: [docs.description, `Roles: ${roles.join(', ')}.`, source]
        .filter((s) => s !== undefined)
        .join('\n\n'),
    }),
    ApiExtension('x-roles', roles),
    ApiEnvelope(docs.model),
    Authenticated(docs.permission, { errors: docs.errors, upstream: true }),
  );
}
