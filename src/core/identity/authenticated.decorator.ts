import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiSecurity } from '@nestjs/swagger';
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
  const trading = permission === 'trading:read' || permission === 'trading:write';
  return applyDecorators(
    Roles(permission),
    // Listed API key first, as the class-level pair did (each appends to the route's list).
    ApiSecurity('api-key'),
    ApiBearerAuth(),
    ...(trading ? [ACCOUNT_HEADER_DOC] : []),
    ApiErrors(
      ...(route.errors ?? []),
      ...AUTH_ERRORS,
      ...(trading ? (['ACCOUNT_NOT_ALLOWED'] as const) : []),
      ...(route.upstream === true ? UPSTREAM_ERRORS : []),
    ),
  );
}

/** The header a trading route's caller picks its Alpaca account with (docs/contract.md "Accounts"). */
const ACCOUNT_HEADER_DOC = ApiHeader({
  name: 'X-Alpaca-Account',
  required: false,
  description:
    "The Alpaca account to act on, one the credential is bound to; absent: its first. Another account is 403 ACCOUNT_NOT_ALLOWED. The answer's metadata.account names the account used.",
});
