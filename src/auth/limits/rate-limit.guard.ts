import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getPrincipal } from '../../core/identity/principal.js';
import { RateLimiter } from './rate-limiter.js';
import { RoutePolicies } from '../route-policies.js';

/**
 * The last global guard: counts the request against its principal's limits (RateLimiter).
 *
 * Ours rather than @nestjs/throttler: its 6.x release is CommonJS and requires the ESM-only Nest 12
 * packages, which Jest cannot load on Node 20; RateLimiter keeps its model (named windows, a
 * tracker, a storage) in about sixty lines.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly policies: RoutePolicies,
    private readonly limiter: RateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.policies.of(context).skipRateLimit) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    return this.limiter.hit(req, http.getResponse<Response>(), getPrincipal(req));
  }
}
