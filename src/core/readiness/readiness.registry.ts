import { Injectable } from '@nestjs/common';

/** Longest a readiness check may take before it counts as down. */
export const DEFAULT_READINESS_TIMEOUT_MS = 2000;

/**
 * One named dependency that must be usable for this instance to take traffic. Registered by the
 * module that owns the dependency (Redis, PostgreSQL, Alpaca reachability now; circuit breakers and
 * the audit store when they land) and run by GET /api/v1/health/ready.
 */
export interface ReadinessCheck {
  /** Stable key in the readiness report: `redis`, `postgres`, `alpaca`, `circuit_data`, `audit_store`… */
  readonly name: string;
  /**
   * Resolves (optionally with details to show) when ready; rejects when not. The rejection's
   * message and the details are served on a public route: never put hosts, credentials or account
   * data in them. `signal` aborts when the timeout expires.
   */
  check(signal: AbortSignal): Promise<Record<string, unknown> | void>;
  /** Default DEFAULT_READINESS_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Reuse a result (up or down) this long, for checks that cost an upstream call. */
  readonly cacheMs?: number;
  /**
   * Default true. False for a dependency shared by the whole fleet whose loss this instance
   * survives (it serves from memory, as every other instance would): its being down shows as
   * `degraded` in GET /health/details and in metrics, never in readiness, so one outage cannot
   * take every pod out of the Service at once.
   */
  readonly affectsReadiness?: boolean;
}

/**
 * The port through which modules declare what readiness depends on. Core owns it so any module
 * (the Alpaca adapter included) can register without depending on the health module.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Adds a check (replacing one with the same name); returns a function that removes it. */
  register(check: ReadinessCheck): () => void {
    this.checks.set(check.name, check);
    return () => {
      if (this.checks.get(check.name) === check) this.checks.delete(check.name);
    };
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
