import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import { AppError } from '../../core/errors/app-error.js';
import type { HaltFleet } from './halt-fleet.js';
import type { HaltMetrics } from './halt-metrics.js';
import type { Applied, Halt, HaltChange, HaltScope, HaltState } from './halt-scope.js';
import type { HaltStore } from './halt-store.js';

/**
 * How a change reached the other instances: `redis` published (they apply it at once);
 * `postgres` not published (Redis away or not configured), the others read it from PostgreSQL
 * within TRADING_HALT_REFRESH_MS; `pending` Redis away and no PostgreSQL, the others learn it when
 * Redis answers again; `none` no Redis and no PostgreSQL (one instance).
 */
export type Propagation = 'redis' | 'postgres' | 'pending' | 'none';

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The halts this instance holds, kept in step with its store and the fleet (TradingHalts' sync,
 * see its comment): read at start, heard on Redis, re-read every refresh, and changed durably
 * first, then told. A state is taken only when its version is newer than the one held.
 */
export class HaltSync {
  /** Null while unknown: every order write is refused. */
  private held: HaltState | null = null;
  private scopes = new Map<HaltScope, Halt>();
  private redisUp = true;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  /** The store's tables or directory exist (made at boot, or on the first read that works after a failed boot). */
  private storeReady = false;
  private closing = false;

  constructor(
    private readonly store: HaltStore,
    private readonly fleet: HaltFleet | null,
    private readonly logger: WinstonLogger,
    private readonly metrics: HaltMetrics,
  ) {}

  /** The state held; null while unknown. */
  get state(): HaltState | null {
    return this.held;
  }

  /** The halts held, by scope. */
  get byScope(): ReadonlyMap<HaltScope, Halt> {
    return this.scopes;
  }

  /** Reads the store, listens to the fleet, and re-reads every `refreshMs`. */
  async start(refreshMs: number): Promise<void> {
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
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref();
  }

  /** Stops listening and refreshing; resolves once a refresh under way is over. */
  async stop(): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.fleet?.close();
    await this.refreshing;
  }

  /**
   * Durable first, then in force here, then told to the fleet. With PostgreSQL the database makes
   * the change (and its version); without it Redis does when it answers (this instance's file keeps
   * a copy, as every instance's does when it hears), else this instance alone.
   */
  async commit(change: HaltChange): Promise<{ applied: Applied; propagation: Propagation }> {
    if (this.store.shared) {
      const applied = await this.durably(() => this.store.apply(change, this.held ?? { version: 0, halts: [] }));
      this.adopt(applied.state, 'change');
      // Held a version the database never made (it was reset): a read of it puts this instance right at once.
      if (this.held !== null && this.held.version > applied.state.version) await this.refresh();
      return { applied, propagation: await this.tell(applied.state) };
    }
    const current = this.held;
    if (current === null) {
      throw new AppError('INTERNAL_SERVICE_ERROR', {
        message:
          'The trading halt state cannot be read on this instance (its file is unreadable), so it cannot be changed here; nothing was changed.',
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
        await this.store.keep(applied.state).catch((e: unknown) =>
          this.logger.event('error', 'trading_halt_store_write_failed', {
            store: this.store.kind,
            error: messageOf(e),
          }),
        );
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

  /** Takes a state when it is newer than the one held (or none is held). */
  private adopt(next: HaltState, source: 'store' | 'redis' | 'change'): void {
    const held = this.held;
    if (held !== null && next.version <= held.version) return;
    this.take(next, source);
  }

  private take(next: HaltState, source: 'store' | 'redis' | 'change'): void {
    const held = this.held;
    this.held = next;
    this.scopes = new Map(next.halts.map((h) => [h.scope, h]));
    this.metrics.observeState(next.halts);
    const before = held === null ? null : held.halts.map((h) => `${h.scope}@${h.since}`).join(',');
    const after = next.halts.map((h) => `${h.scope}@${h.since}`).join(',');
    if (before !== after)
      this.logger.event(held === null ? 'info' : 'warn', 'trading_halts', {
        version: next.version,
        scopes: next.halts.map((h) => h.scope),
        source,
      });
    // A file keeps this instance's copy of what the fleet decided, for a restart without Redis's copy.
    if (source === 'redis' && !this.store.shared) {
      this.store.keep(next).catch((e: unknown) =>
        this.logger.event('error', 'trading_halt_store_write_failed', {
          store: this.store.kind,
          error: messageOf(e),
        }),
      );
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
    if (!this.store.shared && this.held === null) {
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
      const held = this.held;
      if (!this.store.shared && held !== null && (remote === null || remote.version < held.version))
        await this.fleet.publish(held);
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
      if (this.held !== null && stored.version < this.held.version) stored = await this.store.load();
      const unknown = this.held === null;
      if (unknown || stored.version !== this.held?.version) this.take(stored, 'store');
      if (unknown) this.logger.event('info', 'trading_halt_state_available', { store: this.store.kind });
      return true;
    } catch (e: unknown) {
      this.logger.event('debug', 'trading_halt_store_read_failed', { store: this.store.kind, error: messageOf(e) });
      return false;
    }
  }

  /** Redis's copy made PostgreSQL's again when it differs, for the instances that read it while PostgreSQL is out of their reach. */
  private async repairRedis(): Promise<void> {
    const held = this.held;
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
      fallback: this.store.shared
        ? 'halts read from PostgreSQL every refresh'
        : 'last known halts kept; changes reach other instances when Redis answers',
    });
  }

  private redisBack(): void {
    if (this.redisUp) return;
    this.redisUp = true;
    this.logger.event('info', 'trading_halt_redis_available', {});
  }
}
