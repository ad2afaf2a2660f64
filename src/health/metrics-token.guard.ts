import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';

const CHALLENGE = 'Bearer realm="opitios-alpaca-metrics"';

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about the token.
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /metrics is public unless METRICS_TOKEN is set; then it needs `Authorization: Bearer
 * <METRICS_TOKEN>` (a static scrape credential, separate from users' JWTs), else 401 from the catalog.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.metricsToken;
    if (expected === undefined) return true;
    const authorization = context.switchToHttp().getRequest<Request>().header('authorization');
    if (authorization === undefined) {
      throw new AppError('AUTHENTICATION_REQUIRED', {
        message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
        headers: { 'WWW-Authenticate': CHALLENGE },
      });
    }
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (token === undefined || !sameSecret(token, expected)) {
      throw new AppError('INVALID_TOKEN', {
        message: 'The metrics token is not the configured METRICS_TOKEN.',
        headers: { 'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"` },
      });
    }
    return true;
  }
}
