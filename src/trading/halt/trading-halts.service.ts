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
import { haltCovering, type Applied, type Halt, type HaltChange, type HaltScope, type HaltState } from './halt-scope.js';
import { HaltStore } from './halt-store.js';

/**
 * How a change reached the other instances: `redis` published (they apply it at once);
 * `postgres` not published (Redis away or not configured), the others read it from PostgreSQL
 * within TRADING_HALT_REFRESH_MS; `pending` Redis away and no PostgreSQL, the others learn it when
 * Redis answers again; `none` no Redis and no PostgreSQL (one instance).
 */
export type Propagation = 'redis' | 'postgres' | 'pending' | 'none';

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
const UNKNOWN_REASON = 'The trading halt state cannot be read on this instance (its store is unreadable and the fleet has not answered); orders are refused until it can be.';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

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
  /** Null while unknown: every order write is refused. */
  private state: HaltState | null = null;
  private byScope = new Map<HaltScope, Halt>();
  private readonly unknownSince: string;
  private readonly fleet: HaltFleet | null;
  private redisUp = true;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  /** The store's tables or directory exist (made at boot, or on the first read that works after a failed boot). */
  private storeReady = false;
  private closing = false;

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
    this.fleet = client === null ? null : new HaltFleet(client);
    this.unknownSince = this.nowIso();
    metrics.observeState(null);
  }

  async onModuleInit(): Promise<void> {
    try {
      this.adopt(await this.loadStore(), 'store');
    } catch (e: unknown) {
      // Fails closed: orders are refused until the state is read (every refresh tries again).
      this.logger.event('error', 'trading_halt_state_unavailable', { store: this.store.kind, error: messageOf(e) });
    }
    if (this.fleet !== null) {
      this.fleet.listen(
        (state) => this.adopt(state, 'redis'),
        // (Re)subscribed: messages may have been missed meanwhile.
        () => void this.refresh(),
        (e) => this.logger.event('debug', 'trading_halt_redis_error', { error: e.message }),
      );
      await this.refresh();
    }
    this.timer = setInterval(() => void this.refresh(), this.config.tradingHalt.refreshMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.fleet?.close();
    await this.refreshing;
    await this.store.close();
  }

  /**
   * Throws 423 TRADING_HALTED when a halt covers the caller (`all`, or `key:<its key id>`), or 423
   * while the state is unknown; audits the refusal (`order_refused`) and counts it. From memory
   * only: call it once the request is known to be new (after idempotent replays), right before the
   * order is audited and sent.
   */
  assertOpen(caller: Caller, operation: HaltedOperation, resource: string): void {
    const halt = this.state === null ? { scope: 'all' as const, reason: UNKNOWN_REASON, since: this.unknownSince, by: 'gateway' } : haltCovering(this.byScope, caller.principal);
    if (halt === null) return;
    const details = { scope: halt.scope, reason: halt.reason, since: halt.since, ...(this.state === null ? { state: 'unknown' } : {}) };
    this.metrics.observeRefusal(operation);
    // Not awaited: the refusal must not wait on the trail (recordBestEffort logs its own failure).
    void this.audit.recordBestEffort({ action: 'order_refused', resource, outcome: 'TRADING_HALTED', caller, details: { rule: 'trading_halted', operation, ...details } });
    throw new AppError('TRADING_HALTED', {
      message: halt.scope === 'all' ? `Trading is halted for every caller: ${halt.reason}` : `Trading is halted for this API key: ${halt.reason}`,
      details,
    });
  }

  /** The halts in force as this instance knows them; `known` false while it cannot know them. */
  current(): { known: boolean; halts: Halt[] } {
    return { known: this.state !== null, halts: [...(this.state?.halts ?? [])] };
  }

  get storeKind(): 'postgres' | 'file' {
    return this.store.kind;
  }

  /** Sets (or replaces) the halt of a scope for the whole fleet; audited with who and why. */
  async halt(scope: HaltScope, reason: string, caller: Caller, cancelOpenOrders: boolean): Promise<HaltSet> {
    const halt: Halt = { scope, reason, since: this.nowIso(), by: caller.principal?.sub ?? 'unknown' };
    const { applied, propagation } = await this.commit({ op: 'halt', halt });
    await this.recordChange({
      action: 'trading_halted', scope, outcome: 'halted', caller,
      details: { scope, reason, since: halt.since, cancel_open_orders: cancelOpenOrders, replaced: applied.previous, propagation },
    });
    return { halt, replaced: applied.previous, halts: applied.state.halts, propagation };
  }

  /** Ends the halt of a scope for the whole fleet (nothing when none is in force); audited with who and why. */
  async resume(scope: HaltScope, reason: string | null, caller: Caller): Promise<HaltEnded> {
    const { applied, propagation } = await this.commit({ op: 'resume', scope });
    const ended = applied.previous;
    await this.recordChange({
      action: 'trading_resumed', scope, outcome: ended === null ? 'not_halted' : 'resumed', caller,
      details: { scope, reason, halt: ended, propagation },
    });
    return { ended, halts: applied.state.halts, propagation };
  }

  /**
   * Durable first, then in force here, then told to the fleet. With PostgreSQL the database makes
   * the change (and its version); without it Redis does when it answers (this instance's file keeps
   * a copy, as every instance's does when it hears), else this instance alone.
   */
  private async commit(change: HaltChange): Promise<{ applied: Applied; propagation: Propagation }> {
    if (this.store.shared) {
      const applied = await this.durably(() => this.store.apply(change, this.state ?? { version: 0, halts: [] }));
      this.adopt(applied.state, 'change');
      // Held a version the database never made (it was reset): a read of it puts this instance right at once.
      if (this.state !== null && this.state.version > applied.state.version) await this.refresh();
      return { applied, propagation: await this.tell(applied.state) };
    }
    const current = this.state;
    if (current === null) {
      throw new AppError('INTERNAL_SERVICE_ERROR', {
        message: 'The trading halt state cannot be read on this instance (its file is unreadable), so it cannot be changed here; nothing was changed.',
        details: { store: this.store.kind },
      });
    }
    if (this.fleet !== null) {
      let applied: Applied | null = null;
      try {
        applied = await this.fleet.apply(change, current);
        this.redisBack();
      } catch (e: unknown) {
        this.redisAway(e);
      }
      if (applied !== null) {
        this.adopt(applied.state, 'change');
        // In force on the fleet already; every instance that hears it keeps it in its own file too.
        await this.store.keep(applied.state).catch((e: unknown) => this.logger.event('error', 'trading_halt_store_write_failed', { store: this.store.kind, error: messageOf(e) }));
        return { applied, propagation: 'redis' };
      }
    }
    const applied = await this.durably(() => this.store.apply(change, current));
    this.adopt(applied.state, 'change');
    return { applied, propagation: this.fleet === null ? 'none' : 'pending' };
  }

  private async durably(write: () => Promise<Applied>): Promise<Applied> {
    try {
      await this.ensureStore();
      return await write();
    } catch (e: unknown) {
      this.logger.event('error', 'trading_halt_store_write_failed', { store: this.store.kind, error: messageOf(e) });
      throw new AppError('INTERNAL_SERVICE_ERROR', {
        message: 'The trading halt store could not be written; nothing was changed.',
        details: { store: this.store.kind },
        cause: e,
      });
    }
  }

  /** A change made in PostgreSQL, published to every instance; unpublished, they read it from PostgreSQL. */
  private async tell(state: HaltState): Promise<Propagation> {
    if (this.fleet === null) return 'postgres';
    try {
      await this.fleet.publish(state);
      this.redisBack();
      return 'redis';
    } catch (e: unknown) {
      this.redisAway(e);
      return 'postgres';
    }
  }

  private async recordChange(input: { action: 'trading_halted' | 'trading_resumed'; scope: HaltScope; outcome: string; caller: Caller; details: Record<string, unknown> }): Promise<void> {
    try {
      await this.audit.record({ action: input.action, resource: `trading_halt:${input.scope}`, outcome: input.outcome, caller: input.caller, details: input.details });
    } catch (e: unknown) {
      // The change is in force: the admin must hear so. While the trail cannot be written every order is refused anyway (503 AUDIT_UNAVAILABLE).
      this.logger.event('error', 'audit_write_failed', { action: input.action, scope: input.scope, error: messageOf(e) });
    }
  }

  /** Takes a state when it is newer than the one held (or none is held). */
  private adopt(next: HaltState, source: 'store' | 'redis' | 'change'): void {
    const held = this.state;
    if (held !== null && next.version <= held.version) return;
    this.take(next, source);
  }

  private take(next: HaltState, source: 'store' | 'redis' | 'change'): void {
    const held = this.state;
    this.state = next;
    this.byScope = new Map(next.halts.map((h) => [h.scope, h]));
    this.metrics.observeState(next.halts);
    const before = held === null ? null : held.halts.map((h) => `${h.scope}@${h.since}`).join(',');
    const after = next.halts.map((h) => `${h.scope}@${h.since}`).join(',');
    if (before !== after) this.logger.event(held === null ? 'info' : 'warn', 'trading_halts', { version: next.version, scopes: next.halts.map((h) => h.scope), source });
    // A file keeps this instance's copy of what the fleet decided, for a restart without Redis's copy.
    if (source === 'redis' && !this.store.shared) {
      this.store.keep(next).catch((e: unknown) => this.logger.event('error', 'trading_halt_store_write_failed', { store: this.store.kind, error: messageOf(e) }));
    }
  }

  private async ensureStore(): Promise<void> {
    if (this.storeReady) return;
    await this.store.init();
    this.storeReady = true;
  }

  private async loadStore(): Promise<HaltState> {
    await this.ensureStore();
    return this.store.load();
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * The safety net under pub/sub. With PostgreSQL: its state is the truth, read every time, and
   * Redis's copy is put right when it differs (flushed, or a publication lost); while PostgreSQL
   * cannot be read, Redis's copy is taken when newer. Without PostgreSQL: Redis's state is taken
   * when newer, or this instance's written back when Redis lost it or holds an older one.
   */
  private async refreshOnce(): Promise<void> {
    if (this.closing) return;
    if (this.store.shared && (await this.refreshFromStore())) {
      await this.repairRedis();
      return;
    }
    if (!this.store.shared && this.state === null) {
      try {
        this.take(await this.loadStore(), 'store');
        this.logger.event('info', 'trading_halt_state_available', { store: this.store.kind });
      } catch (e: unknown) {
        this.logger.event('debug', 'trading_halt_store_read_failed', { store: this.store.kind, error: messageOf(e) });
      }
    }
    if (this.fleet === null) return;
    try {
      const remote = await this.fleet.read();
      this.redisBack();
      const held = this.state;
      if (!this.store.shared && held !== null && (remote === null || remote.version < held.version)) await this.fleet.publish(held);
      else if (remote !== null) this.adopt(remote, 'redis');
    } catch (e: unknown) {
      this.redisAway(e);
    }
  }

  /**
   * PostgreSQL's state taken whenever its version differs from the one held, lower included (a
   * reset database outranks whatever Redis said). A lower version is read twice: a change heard on
   * Redis while the first read was under way must not be undone by that read.
   */
  private async refreshFromStore(): Promise<boolean> {
    try {
      let stored = await this.loadStore();
      if (this.state !== null && stored.version < this.state.version) stored = await this.store.load();
      const unknown = this.state === null;
      if (unknown || stored.version !== this.state?.version) this.take(stored, 'store');
      if (unknown) this.logger.event('info', 'trading_halt_state_available', { store: this.store.kind });
      return true;
    } catch (e: unknown) {
      this.logger.event('debug', 'trading_halt_store_read_failed', { store: this.store.kind, error: messageOf(e) });
      return false;
    }
  }

  /** Redis's copy made PostgreSQL's again when it differs, for the instances that read it while PostgreSQL is out of their reach. */
  private async repairRedis(): Promise<void> {
    const held = this.state;
    if (this.fleet === null || held === null) return;
    try {
      const remote = await this.fleet.read();
      this.redisBack();
      if (remote === null || remote.version !== held.version) await this.fleet.publish(held, { force: true });
    } catch (e: unknown) {
      this.redisAway(e);
    }
  }

  private redisAway(e: unknown): void {
    if (!this.redisUp) return;
    this.redisUp = false;
    this.logger.event('warn', 'trading_halt_redis_unavailable', {
      error: messageOf(e),
      fallback: this.store.shared ? 'halts read from PostgreSQL every refresh' : 'last known halts kept; changes reach other instances when Redis answers',
    });
  }

  private redisBack(): void {
    if (this.redisUp) return;
    this.redisUp = true;
    this.logger.event('info', 'trading_halt_redis_available', {});
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
