import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { callerOf, type Caller } from './caller.js';
import { getPrincipal, type Principal } from './principal.js';
import type { Permission } from './roles.js';

export const IS_PUBLIC = 'opitios:isPublic';
export const REQUIRED_PERMISSION = 'opitios:requiredPermission';
export const SKIP_RATE_LIMIT = 'opitios:skipRateLimit';

/** Opts a route (or controller) out of authentication: health, metrics, docs, the token route. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The permission a route needs (docs/contract.md roles: viewer < premium < trader < admin). Every
 * non-public route must carry one; the roles guard refuses routes without it.
 */
export const Roles = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

/** For probes and metrics scrapers, which must never be refused for volume. */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_RATE_LIMIT, true);

/** The authenticated caller. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined =>
  getPrincipal(ctx.switchToHttp().getRequest<Request>()),
);

/** The caller as services take it: principal and client address (see `Caller`). */
export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller =>
  callerOf(ctx.switchToHttp().getRequest<Request>()),
);
