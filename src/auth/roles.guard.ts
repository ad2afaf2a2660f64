import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../core/errors/app-error.js';
import { IS_PUBLIC, REQUIRED_PERMISSION } from './auth.decorators.js';
import { getPrincipal, type Principal } from './principal.js';
import { grants, rolesGranting, type Permission } from './roles.js';

/**
 * Checks the permission named by @Roles() against the caller's roles. Fails closed: a non-public
 * route that declares no permission is refused, so a forgotten decorator cannot open a route.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  /** Synchronous when the permission is granted; a refusal is audited first. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true) return true;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
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
