import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../core/config/app-config.js';
import { WinstonLogger } from '../../../core/logging/winston-logger.js';
import { UpstreamObserver } from '../../../core/metrics/upstream-observer.js';
import { ReadinessRegistry } from '../../../core/readiness/readiness.registry.js';
import { RedisService } from '../../../core/redis/redis.service.js';
import type { UpstreamApi } from '../upstream.error.js';
import { HostCircuit } from './host-circuit.js';
import { AppError } from '../../../core/errors/app-error.js';
import { budgetExhausted, LocalBudget, reserveFor, type CallPriority } from './upstream-budget.js';

/** The bucket in Redis, so every instance spends one budget (same arithmetic as LocalBudget). */
const TAKE_SCRIPT = `
local cap = tonumber(ARGV[1]); local now = tonumber(ARGV[2]); local floor = tonumber(ARGV[3])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'blocked')
local tokens = tonumber(s[1]) or cap
local ts = tonumber(s[2]) or now
local blocked = tonumber(s[3]) or 0
tokens = math.min(cap, tokens + math.max(0, now - ts) * cap / 60000)
local result = {1, 0}
if now < blocked then result = {-1, blocked - now}
elseif tokens - 1 < floor then result = {-2, math.ceil((floor + 1 - tokens) * 60000 / cap)}
else tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now), 'blocked', tostring(blocked))
redis.call('PEXPIRE', KEYS[1], 180000)
return result`;
const OBSERVE_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'tokens', 'blocked')
local tokens = tonumber(s[1]) or tonumber(ARGV[1])
local blocked = tonumber(s[2]) or 0
tokens = math.min(tokens, tonumber(ARGV[1]))
if tonumber(ARGV[2]) > blocked then blocked = tonumber(ARGV[2]) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'blocked', tostring(blocked))
redis.call('PEXPIRE', KEYS[1], 180000)
return 1`;
const KEY_PREFIX = 'opitios:budget:';

/**
 * Circuit breakers and upstream budgets for both Alpaca hosts, shared by the HTTP clients. The
 * breakers are cockatiel's (HostCircuit); the budget is ours: a token bucket with priorities that
 * Alpaca's X-RateLimit-* headers correct, in Redis when configured (one Lua script, so all
 * instances spend one quota) and in this process when Redis is away. No kept library does that
 * (cockatiel's bulkhead limits concurrency, not calls per minute, and is per process). Circuit
 * state feeds metrics and readiness.
 */
@Injectable()
export class UpstreamResilience {
  private circuits: Record<UpstreamApi, HostCircuit>;
  private local: Record<UpstreamApi, LocalBudget>;
  private sharedDegraded = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly logger: WinstonLogger,
    private readonly observer: UpstreamObserver,
    readiness: ReadinessRegistry,
  ) {
    this.circuits = this.newCircuits();
    this.local = {
      data: new LocalBudget('data', config.alpaca.dataRateLimitPerMin),
      trading: new LocalBudget('trading', config.alpaca.tradingRateLimitPerMin),
    };
    for (const api of ['data', 'trading'] as const) {
      observer.observeCircuitState(api, 'closed');
      readiness.register({
        name: `circuit_${api}`,
        check: () => {
          const state = this.circuits[api].current();
          observer.observeCircuitState(api, state);
          if (state === 'open') return Promise.reject(new Error(`circuit for the ${api} host is open`));
          return Promise.resolve({ state });
        },
      });
    }
  }

  private newCircuits(): Record<UpstreamApi, HostCircuit> {
    const r = this.config.resilience;
    const circuit = (api: UpstreamApi): HostCircuit =>
      new HostCircuit(api, {
        failureThreshold: r.circuitFailureThreshold,
        failureRatio: r.circuitFailureRatio,
        openMs: r.circuitOpenMs,
        onChange: (state) => {
          this.observer.observeCircuitState(api, state);
          this.logger.event(state === 'open' ? 'warn' : 'info', 'circuit_state', { upstream: api, state });
        },
      });
    return { data: circuit('data'), trading: circuit('trading') };
  }

  /** Closes both circuits (new breakers, no history) and refills both local buckets. */
  reset(): void {
    this.circuits = this.newCircuits();
    for (const api of ['data', 'trading'] as const) {
      this.observer.observeCircuitState(api, 'closed');
      this.local[api] = new LocalBudget(
        api,
        api === 'data' ? this.config.alpaca.dataRateLimitPerMin : this.config.alpaca.tradingRateLimitPerMin,
      );
    }
  }

  circuit(api: UpstreamApi): HostCircuit {
    return this.circuits[api];
  }

  /** Spends one token for a call, or throws UPSTREAM_RATE_LIMITED (nothing is sent; counted in metrics). */
  async take(api: UpstreamApi, priority: CallPriority): Promise<void> {
    try {
      await this.spend(api, priority);
    } catch (e: unknown) {
      if (e instanceof AppError && e.code === 'UPSTREAM_RATE_LIMITED') {
        const budget = e.details['budget'];
        this.observer.observeBudgetRefusal(api, typeof budget === 'string' ? budget : 'gateway_bucket', priority);
      }
      throw e;
    }
  }

  private async spend(api: UpstreamApi, priority: CallPriority): Promise<void> {
    const client = this.redis.client();
    if (client !== null) {
      const capacity = this.local[api].capacity;
      try {
        // System time on purpose (as LocalBudget's): the bucket is shared by every instance and blocked until Alpaca's real-time reset.
        const [code, waitMs] = (await client.eval(
          TAKE_SCRIPT,
          1,
          KEY_PREFIX + api,
          String(capacity),
          String(Date.now()),
          String(reserveFor(priority, capacity)),
        )) as [number, number];
        this.sharedHealthy();
        if (code < 0)
          throw budgetExhausted(
            api,
            Number(waitMs) / 1000,
            priority,
            code === -1 ? 'alpaca_window' : 'gateway_bucket',
            capacity,
          );
        return;
      } catch (e: unknown) {
        if (e instanceof Error && 'code' in e && (e as { code: unknown }).code === 'UPSTREAM_RATE_LIMITED') throw e;
        this.sharedFailed(e);
      }
    }
    this.local[api].take(priority);
  }

  /**
   * Alpaca's X-RateLimit-Remaining/Reset correct the budget (it knows our real spend), and its
   * X-RateLimit-Limit caps it: a configured budget above Alpaca's real limit is reconciled down to
   * it (with a warning, once per new value), or the bucket's reserves, sized from the configured
   * figure, would refuse every call once Alpaca's remaining count is applied.
   */
  observe(
    api: UpstreamApi,
    remaining: number | null,
    resetEpochSeconds: number | null,
    limit: number | null = null,
  ): void {
    this.reconcile(api, limit);
    this.local[api].observe(remaining, resetEpochSeconds);
    const client = this.redis.client();
    if (client === null || remaining === null) return;
    const blocked = remaining === 0 && resetEpochSeconds !== null ? resetEpochSeconds * 1000 : 0;
    void client
      .eval(OBSERVE_SCRIPT, 1, KEY_PREFIX + api, String(remaining), String(blocked))
      .catch((e: unknown) => this.sharedFailed(e));
  }

  private reconcile(api: UpstreamApi, limit: number | null): void {
    if (limit === null || limit <= 0) return;
    const configured =
      api === 'data' ? this.config.alpaca.dataRateLimitPerMin : this.config.alpaca.tradingRateLimitPerMin;
    const effective = Math.min(configured, limit);
    if (effective === this.local[api].capacity) return;
    this.logger.event('warn', 'upstream_budget_reconciled', {
      upstream: api,
      configured_per_minute: configured,
      alpaca_limit_per_minute: limit,
      using_per_minute: effective,
      note:
        effective < configured
          ? "Alpaca's reported limit is lower than the configured budget; using Alpaca's"
          : 'back to the configured budget',
    });
    this.local[api].resize(effective);
  }

  private sharedFailed(e: unknown): void {
    if (this.sharedDegraded) return;
    this.sharedDegraded = true;
    this.logger.event('warn', 'upstream_budget_degraded', {
      store: 'memory',
      reason: e instanceof Error ? e.message : String(e),
    });
  }

  private sharedHealthy(): void {
    if (!this.sharedDegraded) return;
    this.sharedDegraded = false;
    this.logger.event('info', 'upstream_budget_restored', { store: 'redis' });
  }
}
