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
import { perAccountName } from '../../../core/config/alpaca-accounts.js';

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

/** One host as one account reaches it: its breaker and its budget. */
interface Lane {
  api: UpstreamApi;
  account: string;
  circuit: HostCircuit;
  local: LocalBudget;
  /** The bucket's Redis key: `opitios:budget:<api>`, plus `:<account>` for a trading lane of a named account. */
  key: string;
}

/**
 * Circuit breakers and upstream budgets, one pair per lane: the data host (through the data
 * account, ALPACA_DATA_ACCOUNT) and each account's trading host, so one account's 429s or outage
 * never slow or open another's. The breakers are cockatiel's (HostCircuit); the budget is ours: a
 * token bucket with priorities that Alpaca's X-RateLimit-* headers correct, in Redis when
 * configured (one Lua script, so all instances spend one quota per lane) and in this process when
 * Redis is away. No kept library does that (cockatiel's bulkhead limits concurrency, not calls per
 * minute, and is per process). Circuit state feeds metrics and readiness.
 */
@Injectable()
export class UpstreamResilience {
  private readonly lanes = new Map<string, Lane>();
  private sharedDegraded = false;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly logger: WinstonLogger,
    private readonly observer: UpstreamObserver,
    readiness: ReadinessRegistry,
  ) {
    const data = config.accounts.data.name;
    const lanes: Array<[UpstreamApi, string]> = [
      ['data', data],
      ...config.accounts.list.map((a): [UpstreamApi, string] => ['trading', a.name]),
    ];
    for (const [api, account] of lanes) {
      this.lane(api, account);
      const name = api === 'data' || account === data ? `circuit_${api}` : `circuit_${api}_${account}`;
      readiness.register({
        name,
        check: () => {
          const state = this.lane(api, account).circuit.current();
          observer.observeCircuitState(api, state, account);
          if (state === 'open')
            return Promise.reject(new Error(`circuit for the ${api} host of account ${account} is open`));
          return Promise.resolve({ state, account });
        },
      });
    }
  }

  private lane(api: UpstreamApi, account: string): Lane {
    const id = `${api}:${account}`;
    const known = this.lanes.get(id);
    if (known !== undefined) return known;
    const lane: Lane = {
      api,
      account,
      circuit: this.newCircuit(api, account),
      local: new LocalBudget(api, this.perMinute(api)),
      // One data lane (the data account's); a trading lane per account.
      key: api === 'data' ? KEY_PREFIX + api : perAccountName(KEY_PREFIX + api, account),
    };
    this.observer.observeCircuitState(api, 'closed', account);
    this.lanes.set(id, lane);
    return lane;
  }

  private perMinute(api: UpstreamApi): number {
    return api === 'data' ? this.config.alpaca.dataRateLimitPerMin : this.config.alpaca.tradingRateLimitPerMin;
  }

  private newCircuit(api: UpstreamApi, account: string): HostCircuit {
    const r = this.config.resilience;
    return new HostCircuit(api, {
      failureThreshold: r.circuitFailureThreshold,
      failureRatio: r.circuitFailureRatio,
      openMs: r.circuitOpenMs,
      onChange: (state) => {
        this.observer.observeCircuitState(api, state, account);
        this.logger.event(state === 'open' ? 'warn' : 'info', 'circuit_state', { upstream: api, account, state });
      },
    });
  }

  /** Closes every circuit (new breakers, no history) and refills every local bucket. */
  reset(): void {
    for (const lane of this.lanes.values()) {
      lane.circuit = this.newCircuit(lane.api, lane.account);
      lane.local = new LocalBudget(lane.api, this.perMinute(lane.api));
      this.observer.observeCircuitState(lane.api, 'closed', lane.account);
    }
  }

  circuit(api: UpstreamApi, account: string): HostCircuit {
    return this.lane(api, account).circuit;
  }

  /** Spends one token of the lane for a call, or throws UPSTREAM_RATE_LIMITED (nothing is sent; counted in metrics). */
  async take(api: UpstreamApi, priority: CallPriority, account: string): Promise<void> {
    try {
      await this.spend(this.lane(api, account), priority);
    } catch (e: unknown) {
      if (e instanceof AppError && e.code === 'UPSTREAM_RATE_LIMITED') {
        const budget = e.details['budget'];
        this.observer.observeBudgetRefusal(
          api,
          typeof budget === 'string' ? budget : 'gateway_bucket',
          priority,
          account,
        );
      }
      throw e;
    }
  }

  private async spend(lane: Lane, priority: CallPriority): Promise<void> {
    const client = this.redis.client();
    if (client !== null) {
      const capacity = lane.local.capacity;
      try {
        // System time on purpose (as LocalBudget's): the bucket is shared by every instance and blocked until Alpaca's real-time reset.
        const [code, waitMs] = (await client.eval(
          TAKE_SCRIPT,
          1,
          lane.key,
          String(capacity),
          String(Date.now()),
          String(reserveFor(priority, capacity)),
        )) as [number, number];
        this.sharedHealthy();
        if (code < 0)
          throw budgetExhausted(
            lane.api,
            Number(waitMs) / 1000,
            priority,
            code === -1 ? 'alpaca_window' : 'gateway_bucket',
            capacity,
            lane.account,
          );
        return;
      } catch (e: unknown) {
        if (e instanceof Error && 'code' in e && (e as { code: unknown }).code === 'UPSTREAM_RATE_LIMITED') throw e;
        this.sharedFailed(e);
      }
    }
    lane.local.take(priority, lane.account);
  }

  /**
   * Alpaca's X-RateLimit-Remaining/Reset correct the lane's budget (it knows our real spend), and
   * its X-RateLimit-Limit caps it: a configured budget above Alpaca's real limit is reconciled down
   * to it (with a warning, once per new value), or the bucket's reserves, sized from the configured
   * figure, would refuse every call once Alpaca's remaining count is applied.
   */
  observe(
    api: UpstreamApi,
    account: string,
    remaining: number | null,
    resetEpochSeconds: number | null,
    limit: number | null = null,
  ): void {
    const lane = this.lane(api, account);
    this.reconcile(lane, limit);
    lane.local.observe(remaining, resetEpochSeconds);
    const client = this.redis.client();
    if (client === null || remaining === null) return;
    const blocked = remaining === 0 && resetEpochSeconds !== null ? resetEpochSeconds * 1000 : 0;
    void client
      .eval(OBSERVE_SCRIPT, 1, lane.key, String(remaining), String(blocked))
      .catch((e: unknown) => this.sharedFailed(e));
  }

  private reconcile(lane: Lane, limit: number | null): void {
    if (limit === null || limit <= 0) return;
    const configured = this.perMinute(lane.api);
    const effective = Math.min(configured, limit);
    if (effective === lane.local.capacity) return;
    this.logger.event('warn', 'upstream_budget_reconciled', {
      upstream: lane.api,
      account: lane.account,
      configured_per_minute: configured,
      alpaca_limit_per_minute: limit,
      using_per_minute: effective,
      note:
        effective < configured
          ? "Alpaca's reported limit is lower than the configured budget; using Alpaca's"
          : 'back to the configured budget',
    });
    lane.local.resize(effective);
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
