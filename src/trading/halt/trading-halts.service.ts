import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Caller } from '../../core/identity/caller.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { RedisService } from '../../core/redis/redis.service.js';
import { Clock } from '../../core/time/clock.js';
import { AuditService } from '../../audit/audit.service.js';
import { HaltFleet } from './halt-fleet.js';
import { HaltMetrics, type HaltedOperation } from './halt-metrics.js';
import { haltCovering, type Halt, type HaltScope } from './halt-scope.js';
import { HaltStore } from './halt-store.js';
import { HaltSync, messageOf, type Propagation } from './halt-sync.js';

export type { Propagation } from './halt-sync.js';

export interface HaltSet {
  /** The halt now in force. */
  halt: Halt;
  /** The halt of the same scope it replaced. */
  replaced: Halt | null;
  halts: Halt[];
  propagation: Propagation;
}

export interface HaltEnded {
  /** The halt that ended; null when none of that scope was in force (nothing changed). */
  ended: Halt | null;
  halts: Halt[];
  propagation: Propagation;
}

/** In the refusal's details while the state is unknown: every order is refused, as under `all`. */
const UNKNOWN_REASON =
  'The trading halt state cannot be read on this instance (its store is unreadable and the fleet has not answered); orders are refused until it can be.';

/**
 * The fleet-wide trading halt (issue 27). Every instance holds the halts in memory and answers
 * `assertOpen` from there alone: no order waits on Redis or the database. A change is made durable
 * first (PostgreSQL, the authority every instance shares; without it this instance's file, with
 * Redis as the fleet's authority when there is one), then published on Redis, which every instance
 * listens to; each instance also re-reads the state every TRADING_HALT_REFRESH_MS (≤ 1 s): from
 * PostgreSQL when there is one, else from Redis. A lost message costs at most that long. A state
 * heard is taken only when its version is newer than the one held.
 *
 * Redis away (REDIS_URL set): the last known halts stay in force, and with PostgreSQL each instance
 * reads them from there instead. Not failing closed is deliberate: Redis is optional everywhere in
 * the gateway, and refusing every order on a Redis blip would make the cache a single point of
 * failure for all trading, while the halts change rarely and are in memory and in the durable
 * store. The one place that fails closed is a state this instance cannot know at all (its store
 * unreadable at boot and nothing heard from the fleet): then every order write is refused.
 */
@Injectable()
export class TradingHalts implements OnModuleInit, OnApplicationShutdown {
  private readonly sync: HaltSync;
  private readonly unknownSince: string;

  constructor(
    private readonly store: HaltStore,
    redis: RedisService,
    private readonly audit: AuditService,
    private readonly logger: WinstonLogger,
    private readonly metrics: HaltMetrics,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    const client = redis.client();
    this.sync = new HaltSync(store, client === null ? null : new HaltFleet(client), logger, metrics);
    this.unknownSince = this.nowIso();
    metrics.observeState(null);
  }

  async onModuleInit(): Promise<void> {
    await this.sync.start(this.config.tradingHalt.refreshMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sync.stop();
    await this.store.close();
  }

  /**
   * Throws 423 TRADING_HALTED when a halt covers the caller (`all`, or `key:<its key id>`), or 423
   * while the state is unknown; audits the refusal (`order_refused`) and counts it. From memory
   * only: call it once the request is known to be new (after idempotent replays), right before the
   * order is audited and sent.
   */
  assertOpen(caller: Caller, operation: HaltedOperation, resource: string): void {
    const state = this.sync.state;
    const halt =
      state === null
        ? { scope: 'all' as const, reason: UNKNOWN_REASON, since: this.unknownSince, by: 'gateway' }
        : haltCovering(this.sync.byScope, caller.principal, caller.account);
    if (halt === null) return;
    const details = {
      scope: halt.scope,
      reason: halt.reason,
      since: halt.since,
      ...(state === null ? { state: 'unknown' } : {}),
    };
    this.metrics.observeRefusal(operation);
    // Not awaited: the refusal must not wait on the trail (recordBestEffort logs its own failure).
    void this.audit.recordBestEffort({
      action: 'order_refused',
      resource,
      outcome: 'TRADING_HALTED',
      caller,
      details: { rule: 'trading_halted', operation, ...details },
    });
    throw new AppError('TRADING_HALTED', {
      message:
        halt.scope === 'all'
          ? `Trading is halted for every caller: ${halt.reason}`
          : `Trading is halted for this API key: ${halt.reason}`,
      details,
    });
  }

  /** The halts in force as this instance knows them; `known` false while it cannot know them. */
  current(): { known: boolean; halts: Halt[] } {
    const state = this.sync.state;
    return { known: state !== null, halts: [...(state?.halts ?? [])] };
  }

  get storeKind(): 'postgres' | 'file' {
    return this.store.kind;
  }

  /** Sets (or replaces) the halt of a scope for the whole fleet; audited with who and why. */
  async halt(scope: HaltScope, reason: string, caller: Caller, cancelOpenOrders: boolean): Promise<HaltSet> {
    const halt: Halt = { scope, reason, since: this.nowIso(), by: caller.principal?.sub ?? 'unknown' };
    const { applied, propagation } = await this.sync.commit({ op: 'halt', halt });
    await this.recordChange({
      action: 'trading_halted',
      scope,
      outcome: 'halted',
      caller,
      details: {
        scope,
        reason,
        since: halt.since,
        cancel_open_orders: cancelOpenOrders,
        replaced: applied.previous,
        propagation,
      },
    });
    return { halt, replaced: applied.previous, halts: applied.state.halts, propagation };
  }

  /** Ends the halt of a scope for the whole fleet (nothing when none is in force); audited with who and why. */
  async resume(scope: HaltScope, reason: string | null, caller: Caller): Promise<HaltEnded> {
    const { applied, propagation } = await this.sync.commit({ op: 'resume', scope });
    const ended = applied.previous;
    await this.recordChange({
      action: 'trading_resumed',
      scope,
      outcome: ended === null ? 'not_halted' : 'resumed',
      caller,
      details: { scope, reason, halt: ended, propagation },
    });
    return { ended, halts: applied.state.halts, propagation };
  }

  private async recordChange(input: {
    action: 'trading_halted' | 'trading_resumed';
    scope: HaltScope;
    outcome: string;
    caller: Caller;
    details: Record<string, unknown>;
  }): Promise<void> {
    try {
      await this.audit.record({
        action: input.action,
        resource: `trading_halt:${input.scope}`,
        outcome: input.outcome,
        caller: input.caller,
        details: input.details,
      });
    } catch (e: unknown) {
      // The change is in force: the admin must hear so. While the trail cannot be written every order is refused anyway (503 AUDIT_UNAVAILABLE).
      this.logger.event('error', 'audit_write_failed', {
        action: input.action,
        scope: input.scope,
        error: messageOf(e),
      });
    }
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
