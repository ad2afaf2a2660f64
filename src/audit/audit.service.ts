import { currentScope } from '../core/telemetry/request-scope.js';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Attributed, NEVER_CACHED, type Provenance } from '../core/attribution/provenance.js';
import { newestTimestamp } from '../core/attribution/timestamps.js';
import { AppError } from '../core/errors/app-error.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { AccountMetrics } from './account-metrics.js';
import { ReadinessRegistry } from '../core/readiness/readiness.registry.js';
import { Clock } from '../core/time/clock.js';
import type { Caller } from '../core/identity/caller.js';
import type { Principal } from '../core/identity/principal.js';
import { AuditStore } from './store/audit.store.js';
import { AuditCheckpointer } from './audit-checkpointer.js';
import type {
  AuditAction,
  AuditActor,
  AuditEntry,
  AuditPage,
  AuditQuery,
  AuditRecord,
  VerifyResult,
} from './audit.types.js';

/**
 * The request an event belongs to, for a log line about it (the record itself carries it too):
 * a caller's request is the scope's, which the logger adds to every line; an event given its
 * request id (a refusal summary, a stream refusal) names it here.
 */
function requestOf(input: RecordInput): { request_id?: string } {
  return input.caller !== undefined || input.requestId === undefined || input.requestId === null
    ? {}
    : { request_id: input.requestId };
}

export interface RecordInput {
  action: AuditAction;
  resource: string;
  outcome: string;
  details?: Record<string, unknown>;
  /** Who made the request the event belongs to (actor and client IP; the request id is its scope's). */
  caller?: Caller;
  /** When the actor is not (yet) the caller's, e.g. a failed authentication. */
  principal?: Principal;
  /** Without `caller`: the request id and client address the event belongs to. */
  requestId?: string | null;
  clientIp?: string | null;
  /**
   * The Alpaca account the event is about (an order event from an account's trade-updates stream).
   * Absent: the caller's account, on the records of orders, positions and refusals (namesAccount).
   */
  account?: string;
}

/** The records that name the account they concern (orders, position writes, fills, refusals). */
function namesAccount(action: AuditAction): boolean {
  return action.startsWith('order') || action.startsWith('position') || action.startsWith('option_exercise');
}

function accountOf(input: RecordInput): { account?: string } {
  const account = input.account ?? (namesAccount(input.action) ? input.caller?.account : undefined);
  return account === undefined ? {} : { account };
}

function actorOf(p: Principal | undefined): AuditActor {
  return p === undefined
    ? { sub: null, roles: [], key_id: null }
    : { sub: p.sub, roles: [...p.roles], key_id: p.keyId };
}

/**
 * Records who did what, where it happens. `record` resolves once the record is durable; for
 * orders callers use `recordOrRefuse`, which turns a failed write into 503 AUDIT_UNAVAILABLE so
 * that nothing is traded unaudited. Other events (`recordBestEffort`) never fail the request.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly store: AuditStore,
    private readonly logger: WinstonLogger,
    private readonly metrics: GatewayMetrics,
    private readonly accountMetrics: AccountMetrics,
    readiness: ReadinessRegistry,
    private readonly checkpointer: AuditCheckpointer,
    private readonly clock: Clock,
  ) {
    // Orders are refused while the trail cannot be written, so an unwritable store means unready.
    readiness.register({
      name: 'audit_store',
      check: async () => {
        if (!(await this.store.writable())) throw new Error(`the ${this.store.kind} audit store is not writable`);
        return { store: this.store.kind };
      },
    });
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.store.init();
      this.checkpointer.start();
    } catch (e: unknown) {
      // The gateway still serves market data; order routes refuse until the store works.
      this.logger.event('error', 'audit_store_unavailable', {
        store: this.store.kind,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // The head as this instance leaves it, signed, before the store closes.
    await this.checkpointer.stop();
    await this.store.close();
  }

  async record(input: RecordInput): Promise<AuditRecord> {
    try {
      const record = await this.append(input);
      this.metrics.observeAuditEvent(input.action, 'recorded');
      if (record.account !== undefined) this.accountMetrics.observe(record.account, record.action);
      this.checkpointer.noteAppended();
      return record;
    } catch (e: unknown) {
      this.metrics.observeAuditEvent(input.action, 'failed');
      throw e;
    }
  }

  /**
   * Records the event unless one with the same dedupe key is already in the trail (null then):
   * for events several instances may each see, such as order events around a leader handover.
   */
  async recordOnce(input: RecordInput, dedupeKey: string): Promise<AuditRecord | null> {
    try {
      const record = await this.store.appendOnce(this.entry(input), dedupeKey);
      this.metrics.observeAuditEvent(input.action, record === null ? 'duplicate' : 'recorded');
      if (record?.account !== undefined) this.accountMetrics.observe(record.account, record.action);
      if (record !== null) this.checkpointer.noteAppended();
      return record;
    } catch (e: unknown) {
      this.metrics.observeAuditEvent(input.action, 'failed');
      throw e;
    }
  }

  private append(input: RecordInput): Promise<AuditRecord> {
    return this.store.append(this.entry(input));
  }

  private entry(input: RecordInput): AuditEntry {
    const caller = input.caller;
    const principal = input.principal ?? caller?.principal;
    return {
      actor: actorOf(principal),
      action: input.action,
      resource: input.resource,
      outcome: input.outcome,
      request_id: caller === undefined ? (input.requestId ?? null) : (currentScope()?.requestId ?? null),
      client_ip: caller === undefined ? (input.clientIp ?? principal?.ip ?? null) : caller.clientIp,
      ...accountOf(input),
      details: input.details ?? {},
    };
  }

  async recordOrRefuse(input: RecordInput): Promise<AuditRecord> {
    try {
      return await this.record(input);
    } catch (e: unknown) {
      this.logger.event('error', 'audit_write_failed', {
        action: input.action,
        error: e instanceof Error ? e.message : String(e),
        ...requestOf(input),
      });
      throw new AppError('AUDIT_UNAVAILABLE', { cause: e, retryAfter: 30 });
    }
  }

  async recordBestEffort(input: RecordInput): Promise<void> {
    try {
      await this.record(input);
    } catch (e: unknown) {
      this.logger.event('error', 'audit_write_failed', {
        action: input.action,
        error: e instanceof Error ? e.message : String(e),
        ...requestOf(input),
      });
    }
  }

  /** One page of records in sequence order, as answered to GET /audit/events. */
  async page(q: AuditQuery): Promise<Attributed<AuditPage>> {
    const fetchedAt = this.clock.now();
    // One extra record tells whether another page exists.
    const found = await this.store.query({ ...q, limit: q.limit + 1 });
    const events = found.slice(0, q.limit);
    const hasMore = found.length > q.limit;
    const page: AuditPage = {
      events,
      page_info: { has_more: hasMore, next_cursor: hasMore ? (events[events.length - 1]?.seq ?? null) : null },
    };
    return this.fromTrail(page, newestTimestamp(events.map((e) => e.time)), fetchedAt);
  }

  /** The whole chain checked, as answered to GET /audit/verify. */
  async verified(): Promise<Attributed<VerifyResult>> {
    const fetchedAt = this.clock.now();
    return this.fromTrail(await this.store.verify(), null, fetchedAt);
  }

  /**
   * What the audit routes answer is the gateway's own record, read from its store on every
   * request: provider `gateway`, no upstream call (so no upstream request id), never cached.
   */
  private fromTrail<T>(data: T, dataTimestamp: string | null, fetchedAt: number): Attributed<T> {
    const provenance: Provenance = {
      dataSource: 'gateway_audit',
      provider: 'gateway',
      providerHost: `audit_store:${this.store.kind}`,
      feed: null,
      dataTimestamp,
      upstreamRequestIds: [],
      fetchedAt,
    };
    return new Attributed(data, provenance, NEVER_CACHED, null, true);
  }

  writable(): Promise<boolean> {
    return this.store.writable();
  }

  /** The store's database answers (the readiness `postgres` check uses the store's own pool). */
  ping(): Promise<void> {
    return this.store.ping();
  }
}
