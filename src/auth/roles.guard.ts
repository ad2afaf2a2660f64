import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { AccessRefusalService } from './access-refusal.service.js';
import { getPrincipal, type Principal } from '../core/identity/principal.js';
import { grants, rolesGranting, type Permission } from '../core/identity/roles.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { RoutePolicies } from './route-policies.js';

/**
 * Checks the permission named by @Roles() against the caller's roles. Fails closed: a non-public
 * route that declares no permission is refused, so a forgotten decorator cannot open a route.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly policies: RoutePolicies,
    private readonly refusals: AccessRefusalService,
    private readonly limiter: RateLimiter,
  ) {}

  /** Synchronous when the permission is granted; a refusal is counted and audited (AccessRefusalService). */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { isPublic, requiredPermission: required } = this.policies.of(context);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = getPrincipal(req);
    if (principal === undefined) throw new AppError('AUTHENTICATION_REQUIRED');
    if (required !== undefined && grants(principal.roles, required)) return true;
    return this.refuse(req, context.switchToHttp().getResponse<Response>(), principal, required);
  }

  private async refuse(
    req: Request,
    res: Response,
    principal: Principal,
    required: Permission | undefined,
  ): Promise<never> {
    // A refused request costs the principal's rate limit like any other (past it: 429, not 403).
    let error: AppError;
    try {
      await this.limiter.hit(req, res, principal);
      error = this.forbidden(principal, required);
    } catch (e: unknown) {
      if (!(e instanceof AppError)) throw e;
      error = e;
    }
    throw await this.refusals.refuse(req, error, {
      action: 'permission_denied',
      principal,
      details: { required_permission: required ?? null },
      countsTowardLockout: false,
    });
  }

  private forbidden(principal: Principal, required: Permission | undefined): AppError {
    return new AppError('INSUFFICIENT_PERMISSIONS', {
      message:
        required === undefined
          ? 'This route declares no permission and is closed.'
          : `This operation needs the "${required}" permission.`,
      details: {
        required_permission: required ?? null,
        your_roles: principal.roles,
        roles_with_permission: required === undefined ? [] : rolesGranting(required),
      },
    });
  }
}
