import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { AccessRefusalService } from './access-refusal.service.js';
import { getPrincipal, type Principal } from './principal.js';
import { grants, rolesGranting, type Permission } from './roles.js';
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
  ) {}

  /** Synchronous when the permission is granted; a refusal is counted and audited (AccessRefusalService). */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { isPublic, requiredPermission: required } = this.policies.of(context);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = getPrincipal(req);
    if (principal === undefined) throw new AppError('AUTHENTICATION_REQUIRED');
    if (required !== undefined && grants(principal.roles, required)) return true;
    return this.refuse(req, principal, required);
  }

  private async refuse(req: Request, principal: Principal, required: Permission | undefined): Promise<never> {
    const error = new AppError('INSUFFICIENT_PERMISSIONS', {
      message: required === undefined ? 'This route declares no permission and is closed.' : `This operation needs the "${required}" permission.`,
      details: { required_permission: required ?? null, your_roles: principal.roles, roles_with_permission: required === undefined ? [] : rolesGranting(required) },
    });
    // Counted against the client like a failed authentication: probing routes is refused too.
    throw await this.refusals.refuse(req, error, { action: 'permission_denied', principal, details: { required_permission: required ?? null } });
  }
}
