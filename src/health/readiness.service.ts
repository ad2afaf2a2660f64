import { Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckAttempt, type HealthCheckResult } from '@nestjs/terminus';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { DEFAULT_READINESS_TIMEOUT_MS, ReadinessRegistry, type ReadinessCheck } from '../core/readiness/readiness.registry.js';

/**
 * Runs liveness (the process only) and readiness (every check in the ReadinessRegistry, in
 * parallel, each with a timeout) through terminus. A failing readiness makes terminus throw its
 * 503; ReadinessReportFilter renders it. Check failures are logged once per change of state,
 * not on every probe.
 */
@Injectable()
export class ReadinessService {
  private readonly lastState = new Map<string, 'up' | 'down'>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    private readonly logger: WinstonLogger,
  ) {}

  /** Never touches Alpaca, Redis or the database: if this answers, the process is alive. */
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.check('process').up({ uptime_seconds: Math.round(process.uptime()) })]);
  }

  ready(): Promise<HealthCheckResult> {
    return this.health.check(this.registry.list().map((check) => this.attempt(check)));
  }

  private attempt(check: ReadinessCheck): HealthCheckAttempt {
    const attempt = this.indicators
      .check(check.name)
      .attempt(({ signal }) => this.run(check, signal))
      .withTimeout(check.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS);
    return check.cacheMs === undefined ? attempt : attempt.cacheFor(check.cacheMs);
  }

  private async run(check: ReadinessCheck, signal: AbortSignal): Promise<Record<string, unknown> | void> {
    try {
      const details = await check.check(signal);
      this.transition(check.name, 'up', null);
      return details;
    } catch (e: unknown) {
      this.transition(check.name, 'down', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private transition(name: string, state: 'up' | 'down', error: string | null): void {
    const previous = this.lastState.get(name);
    this.lastState.set(name, state);
    if (previous === state) return;
    if (state === 'down') this.logger.event('warn', 'readiness_check_failed', { check: name, error });
    else if (previous === 'down') this.logger.event('info', 'readiness_check_recovered', { check: name });
  }
}
