import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiErrors, AUTH_ERRORS, UPSTREAM_ERRORS } from '../errors/api-errors.decorator.js';
import type { ErrorCode } from '../errors/error-catalog.js';
import { Roles } from './auth.decorators.js';
import type { Permission } from './roles.js';

/** The catalog errors of an authenticated route besides the authentication ones. */
export interface RouteErrors {
  /** The route's own codes (listed first: Swagger UI shows the first example of a status). */
  errors?: readonly ErrorCode[];
  /** The route calls Alpaca: the upstream errors follow the authentication ones. */
  upstream?: boolean;
}

/**
 * A protected route: the permission it needs (checked by the global roles guard, which fails
 * closed) and, in Swagger, both credentials the authentication guard takes (a Bearer JWT or the
 * X-API-Key header) and its catalog errors: its own, those of every authenticated route (401,
 * 403, 429, 503) and, when it calls Alpaca, the upstream ones. One call per route, because the
 * errors of one status share one Swagger response: putting the authentication errors on the class
 * would let a route's own 403/429/503 hide them.
 */
export function Authenticated(permission: Permission, route: RouteErrors = {}): MethodDecorator {
  return applyDecorators(
    Roles(permission),
    // Listed API key first, as the class-level pair did (each appends to the route's list).
    ApiSecurity('api-key'),
    ApiBearerAuth(),
    ApiErrors(...(route.errors ?? []), ...AUTH_ERRORS, ...(route.upstream === true ? UPSTREAM_ERRORS : [])),
  );
}
