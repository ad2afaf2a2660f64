import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../core/errors/app-error.js';
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
    private readonly audit: AuditService,
  ) {}

  /** Synchronous when the permission is granted; a refusal is audited first. */
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
    await this.audit.recordBestEffort({
      action: 'permission_denied',
      resource: `route:${req.method} ${req.baseUrl}${req.path}`,
      outcome: 'INSUFFICIENT_PERMISSIONS',
      req,
      details: { required_permission: required ?? null },
    });
    throw new AppError('INSUFFICIENT_PERMISSIONS', {
      message: required === undefined ? 'This route declares no permission and is closed.' : `This operation needs the "${required}" permission.`,
      details: { required_permission: required ?? null, your_roles: principal.roles, roles_with_permission: required === undefined ? [] : rolesGranting(required) },
    });
  }
}
