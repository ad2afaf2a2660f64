import { Injectable } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckAttempt,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Gauge } from 'prom-client';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import {
  DEFAULT_READINESS_TIMEOUT_MS,
  ReadinessRegistry,
  type ReadinessCheck,
} from '../core/readiness/readiness.registry.js';
import { Clock } from '../core/time/clock.js';

/** One dependency as GET /health/details reports it. */
export interface DependencyReport {
  status: 'up' | 'down';
  /** Whether readiness depends on it (false: its loss only degrades this instance). */
  required: boolean;
  message?: string;
  [detail: string]: unknown;
}

export interface HealthDetails {
  /** `ok`: all up; `degraded`: an optional dependency is down; `down`: a required one is (not ready). */
  status: 'ok' | 'degraded' | 'down';
  checks: Record<string, DependencyReport>;
}

/**
 * Runs liveness (the process only), readiness (the registry's checks that affect readiness, in
 * parallel, each with a timeout, through terminus) and the detailed report (every check, also the
 * optional ones, e.g. Redis). Check failures are logged once per change of state, not on every
 * probe; every run updates `opitios_dependency_up`, and a scrape of /metrics runs the details.
 */
@Injectable()
export class ReadinessService {
  private readonly lastState = new Map<string, 'up' | 'down'>();
  /** Results of checks with `cacheMs` (the Alpaca call), shared by readiness, details and scrapes. */
  private readonly cached = new Map<string, { until: number; outcome: Promise<Record<string, unknown> | void> }>();
  private readonly up: Gauge<'dependency' | 'required'>;
  private readonly degraded: Gauge;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    private readonly logger: WinstonLogger,
    metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {
    this.up = new Gauge({
      name: 'opitios_dependency_up',
      help: 'Each dependency check: 1 up, 0 down; `required` says whether readiness depends on it.',
      labelNames: ['dependency', 'required'],
      registers: [metrics.registry],
    });
    const details = (): Promise<HealthDetails> => this.details();
    this.degraded = new Gauge({
      name: 'opitios_health_degraded',
      help: '1 while an optional dependency (one readiness does not depend on, e.g. Redis) is down.',
      registers: [metrics.registry],
      async collect(): Promise<void> {
        // On every scrape: the details run every check, which also refreshes opitios_dependency_up.
        this.set((await details()).status === 'degraded' ? 1 : 0);
      },
    });
  }

  /** Never touches Alpaca, Redis or the database: if this answers, the process is alive. */
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('process').up({ uptime_seconds: Math.round(process.uptime()) }),
    ]);
  }

  ready(): Promise<HealthCheckResult> {
    return this.health.check(
      this.registry
        .list()
        .filter((check) => check.affectsReadiness !== false)
        .map((check) => this.attempt(check)),
    );
  }

  /** Every check, required or not; answered 200 whatever it finds. */
  async details(): Promise<HealthDetails> {
    const checks = this.registry.list();
    const results = await Promise.all(checks.map((check) => this.detail(check)));
    const report: Record<string, DependencyReport> = Object.fromEntries(checks.map((c, i) => [c.name, results[i]]));
    const down = Object.values(report).filter((r) => r.status === 'down');
    const status = down.some((r) => r.required) ? 'down' : down.length > 0 ? 'degraded' : 'ok';
    return { status, checks: report };
  }

  private async detail(check: ReadinessCheck): Promise<DependencyReport> {
    const required = check.affectsReadiness !== false;
    const controller = new AbortController();
    const timeoutMs = check.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      const details = await Promise.race([this.run(check, controller.signal), timeout]);
      return { status: 'up', required, ...(details ?? {}) };
    } catch (e: unknown) {
      return { status: 'down', required, message: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  private attempt(check: ReadinessCheck): HealthCheckAttempt {
    const attempt = this.indicators
      .check(check.name)
      .attempt(({ signal }) => this.run(check, signal))
      .withTimeout(check.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS);
    return check.cacheMs === undefined ? attempt : attempt.cacheFor(check.cacheMs);
  }

  private run(check: ReadinessCheck, signal: AbortSignal): Promise<Record<string, unknown> | void> {
    if (check.cacheMs === undefined) return this.runOnce(check, signal);
    const now = this.clock.now();
    const hit = this.cached.get(check.name);
    if (hit !== undefined && hit.until > now) return hit.outcome;
    const outcome = this.runOnce(check, signal);
    this.cached.set(check.name, { until: now + check.cacheMs, outcome });
    // A rejected outcome is cached too (down for cacheMs); keep it from being reported unhandled.
    outcome.catch(() => undefined);
    return outcome;
  }

  private async runOnce(check: ReadinessCheck, signal: AbortSignal): Promise<Record<string, unknown> | void> {
    try {
      const details = await check.check(signal);
      this.transition(check, 'up', null);
      return details;
    } catch (e: unknown) {
      this.transition(check, 'down', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  private transition(check: ReadinessCheck, state: 'up' | 'down', error: string | null): void {
    const required = check.affectsReadiness !== false;
    this.up.set({ dependency: check.name, required: String(required) }, state === 'up' ? 1 : 0);
    const previous = this.lastState.get(check.name);
    this.lastState.set(check.name, state);
    if (previous === state) return;
    if (state === 'down')
      this.logger.event('warn', required ? 'readiness_check_failed' : 'dependency_degraded', {
        check: check.name,
        error,
      });
    else if (previous === 'down')
      this.logger.event('info', required ? 'readiness_check_recovered' : 'dependency_restored', { check: check.name });
  }
}
