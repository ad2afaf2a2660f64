import { BeforeApplicationShutdown, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { getRequestContext } from '../core/attribution/request-context.js';
import { AppError } from '../core/errors/app-error.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { routeLabel } from '../core/metrics/route-template.js';
import { Clock } from '../core/time/clock.js';
import { AuthLockoutService } from './limits/auth-lockout.service.js';
import { DenialAuditLog, type Denial } from './denial-audit.js';
import { clientIp, type Principal } from '../core/identity/principal.js';

/** How long refusals of one client are gathered into one audit summary. */
const SUMMARY_WINDOW_MS = 60_000;

/**
 * A credential the client presented and the gateway refused (401): counted towards the client's
 * lockout and audited. A credential that could not be checked (503 IDENTITY_PROVIDER_UNAVAILABLE)
 * is not the client's fault and is neither.
 */
export function isFailedCredential(e: unknown): e is AppError {
  return e instanceof AppError && e.status === 401;
}

export interface RefusalContext {
  action: Denial['action'];
  /**
   * Whether the refusal counts towards the client's lockout (failed credentials: yes). A 403 has a
   * known principal and counts towards its rate limit instead (RolesGuard).
   */
  countsTowardLockout?: boolean;
  principal?: Principal;
  details: Record<string, unknown>;
}

/**
 * The one path every refused request takes (401 at authentication, 403 at the roles guard, a
 * refused credential on the stream): failed credentials counted against the client address
 * (lockout → 429 with Retry-After), every refusal metered and audited in aggregate. Returns the
 * error to throw.
 */
@Injectable()
export class AccessRefusalService implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly log: DenialAuditLog;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly lockout: AuthLockoutService,
    private readonly metrics: GatewayMetrics,
    private readonly logger: WinstonLogger,
    audit: AuditService,
    clock: Clock,
  ) {
    this.log = new DenialAuditLog(audit, () => new Date(clock.now()));
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.log.flush(), SUMMARY_WINDOW_MS);
    this.timer.unref();
  }

  async refuse(req: Request, error: AppError, context: RefusalContext): Promise<AppError> {
    return this.refuseClient(
      {
        client: clientIp(req),
        route: `${req.method} ${routeLabel(req)}`,
        path: req.originalUrl,
        requestId: getRequestContext(req)?.requestId ?? null,
      },
      error,
      context,
    );
  }

  /** The same for a request that is not an Express one (a stream connection or frame). */
  async refuseClient(
    where: { client: string; route: string; path: string; requestId: string | null },
    error: AppError,
    context: RefusalContext,
  ): Promise<AppError> {
    let final = error;
    try {
      if (context.countsTowardLockout !== false) {
        const decision = await this.lockout.recordRefusal(where.client);
        if (decision.locked) final = this.lockout.lockoutError(decision, error.code);
      }
    } catch (e: unknown) {
      // Counting failed (a store error): the refusal itself still stands.
      this.logger.event('error', 'auth_refusal_not_counted', { error: e instanceof Error ? e.message : String(e) });
    }
    this.metrics.observeAccessDenied(final.code);
    this.log.note({
      ...where,
      code: final.code,
      action: context.action,
      principal: context.principal,
      details: final === error ? context.details : { ...context.details, lockout_instead_of: error.code },
    });
    return final;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.log.flush();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
