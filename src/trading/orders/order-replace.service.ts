import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import type { Caller } from '../../core/identity/caller.js';
import { requireAccount } from '../../core/identity/account.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { Clock } from '../../core/time/clock.js';
import { AuditService } from '../../audit/audit.service.js';
import type { Sourced } from '../../alpaca/stocks/market-data.port.js';
import { TradingAccountsPort } from '../../alpaca/trading/trading.port.js';
import type { ReplaceOrderRequest, TradingObject } from '../../alpaca/trading/trading.models.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';
import { RiskGate } from '../../risk/risk-gate.service.js';
import type { ReplaceOrderDto } from '../dto/replace-order.dto.js';
import { IdempotencyMemory, resolveIdempotencyKey } from './idempotency.js';
import { isThisReplacement, replaceFingerprint, toReplaceRequest } from './replace-rules.js';
import { findByKey, settleReplacement, text, type Settled } from './replace-lookups.js';
import {
  DUPLICATE_KEY,
  orderNotReplaced,
  replaceConflict,
  replacementOutcomeUnknown,
  replacementRejected,
} from './order-write-errors.js';
import { TradingHalts } from '../halt/trading-halts.service.js';

export interface ReplaceResult {
  /** The new order (Alpaca's answer, or as found after a lost answer, or as it reads now on a replay). */
  order: Sourced<TradingObject>;
  clientOrderId: string;
  replayed: boolean;
  reconciled: boolean;
}

interface Running {
  fingerprint: string;
  result: Promise<ReplaceResult>;
}

/**
 * PATCH /orders/{id}, with the rules of submission: validated, audited before it is sent, sent
 * once and never retried. The Idempotency-Key becomes the new order's client_order_id, so a repeat
 * replays and a different body under the same key is a 409. A lost answer is reconciled from what
 * Alpaca holds: the new order by that client_order_id, else the old order's `replaced_by`.
 */
@Injectable()
export class OrderReplaceService {
  private readonly memory: IdempotencyMemory;
  private readonly inflight = new Map<string, Running>();

  constructor(
    private readonly accounts: TradingAccountsPort,
    private readonly audit: AuditService,
    private readonly logger: WinstonLogger,
    private readonly halts: TradingHalts,
    private readonly risk: RiskGate,
    clock: Clock,
  ) {
    this.memory = new IdempotencyMemory(clock);
  }

  async replace(
    orderId: string,
    dto: ReplaceOrderDto,
    idempotencyHeader: string | undefined,
    caller: Caller,
  ): Promise<ReplaceResult> {
    const { key } = resolveIdempotencyKey(idempotencyHeader, dto.client_order_id);
    const request = toReplaceRequest(dto, key);
    const fingerprint = replaceFingerprint(orderId, request);
    // Concurrent repeats on this instance share one PATCH (keys are per account, as Alpaca's client_order_id).
    const scoped = `${requireAccount(caller)}\n${key}`;
    const running = this.inflight.get(scoped);
    if (running !== undefined) {
      if (running.fingerprint !== fingerprint) throw replaceConflict(key, null);
      return { ...(await running.result), replayed: true };
    }
    const result = this.replaceOnce(orderId, request, fingerprint, caller).finally(() => this.inflight.delete(scoped));
    this.inflight.set(scoped, { fingerprint, result });
    return result;
  }

  private async replaceOnce(
    orderId: string,
    request: ReplaceOrderRequest,
    fingerprint: string,
    caller: Caller,
  ): Promise<ReplaceResult> {
    const key = request.client_order_id;
    const resource = `order_id:${orderId}`;
    const known = this.memory.get(`${requireAccount(caller)}\n${key}`);
    if (known !== undefined) {
      if (known.fingerprint !== fingerprint) throw replaceConflict(key, known.orderId);
      const order = await this.accounts.forCaller(caller).order(known.orderId);
      await this.audit.recordBestEffort({
        action: 'order_replace_outcome',
        resource,
        outcome: 'replayed',
        caller,
        details: { client_order_id: key, new_order_id: known.orderId },
      });
      return { order, clientOrderId: key, replayed: true, reconciled: false };
    }

    this.halts.assertOpen(caller, 'replace', resource);
    const risk = await this.risk.check({ kind: 'replace', resource, orderId, patch: request }, caller);
    await this.audit
      .recordOrRefuse({
        action: 'order_replace_requested',
        resource,
        outcome: 'pending',
        caller,
        details: { replace: request },
      })
      .catch(risk.undo);
    let order: Sourced<TradingObject>;
    try {
      order = await risk.sent(this.accounts.forCaller(caller).replaceOrder(orderId, request));
    } catch (e: unknown) {
      return this.onFailure(e, orderId, request, fingerprint, caller);
    }
    return this.accepted(order, orderId, fingerprint, caller, false);
  }

  private async onFailure(
    e: unknown,
    orderId: string,
    request: ReplaceOrderRequest,
    fingerprint: string,
    caller: Caller,
  ): Promise<ReplaceResult> {
    if (!(e instanceof UpstreamError)) throw e;
    const key = request.client_order_id;
    const resource = `order_id:${orderId}`;
    const status = e.upstreamStatus;
    // A repeat that reached Alpaca (another instance, a restart) is refused: as a duplicate key, or
    // because the old order is already replaced. Either way Alpaca holds the replacement under our key.
    if (status === 422) {
      const replay = await this.replayFromAlpaca(
        orderId,
        request,
        fingerprint,
        caller,
        DUPLICATE_KEY.test(e.upstreamMessage ?? ''),
      );
      if (replay !== null) return replay;
    }
    if (
      e.code === 'UPSTREAM_TIMEOUT' ||
      e.code === 'UPSTREAM_API_UNAVAILABLE' ||
      e.code === 'UPSTREAM_INVALID_RESPONSE'
    ) {
      return this.reconcile(orderId, request, fingerprint, caller, e);
    }
    await this.audit.recordBestEffort({
      action: 'order_replace_outcome',
      resource,
      outcome: status === 403 || status === 422 ? 'rejected' : e.code,
      caller,
      details: { client_order_id: key, upstream_status: status, upstream_message: e.upstreamMessage },
    });
    if (status === 403 || status === 422) {
      throw replacementRejected(orderId, key, e);
    }
    // 404 (ORDER_NOT_FOUND), 401, 429, 400: nothing was replaced.
    throw e;
  }

  /**
   * After a 422: the replacement Alpaca already holds under this key (a repeat), a 409 when the key
   * names another order, or null when Alpaca holds nothing under it (a genuine refusal).
   */
  private async replayFromAlpaca(
    orderId: string,
    request: ReplaceOrderRequest,
    fingerprint: string,
    caller: Caller,
    duplicateKey: boolean,
  ): Promise<ReplaceResult | null> {
    const key = request.client_order_id;
    const existing = duplicateKey
      ? await this.accounts.forCaller(caller).orderByClientId(key)
      : await findByKey(this.accounts.forCaller(caller), key).catch((e: unknown) => {
          this.logger.event('debug', 'order_replace_lookup_failed', {
            order_id: orderId,
            client_order_id: key,
            error: e instanceof AppError ? e.code : String(e),
          });
          return null;
        });
    if (existing === null) return null;
    if (!isThisReplacement(existing.value, orderId, request)) throw replaceConflict(key, text(existing.value['id']));
    const newId = text(existing.value['id']) ?? '';
    this.memory.set(`${requireAccount(caller)}\n${key}`, fingerprint, newId);
    await this.audit.recordBestEffort({
      action: 'order_replace_outcome',
      resource: `order_id:${orderId}`,
      outcome: 'replayed',
      caller,
      details: { client_order_id: key, new_order_id: newId },
    });
    return { order: existing, clientOrderId: key, replayed: true, reconciled: false };
  }

  /**
   * The PATCH's answer was lost. Alpaca applies a replacement at once (the old order turns
   * pending_replace or replaced), so reads settle it without waiting; when they cannot, the client
   * hears 504 ORDER_OUTCOME_UNKNOWN and repeats with the same key.
   */
  private async reconcile(
    orderId: string,
    request: ReplaceOrderRequest,
    fingerprint: string,
    caller: Caller,
    cause: UpstreamError,
  ): Promise<ReplaceResult> {
    const key = request.client_order_id;
    let settled: Settled | null;
    try {
      settled = await settleReplacement(this.accounts.forCaller(caller), orderId, key);
    } catch (e: unknown) {
      this.logger.event('warn', 'order_replace_lookup_failed', {
        order_id: orderId,
        client_order_id: key,
        error: e instanceof AppError ? e.code : String(e),
      });
      settled = null;
    }
    if (settled !== null && 'found' in settled) {
      if (!isThisReplacement(settled.found.value, orderId, request))
        throw replaceConflict(key, text(settled.found.value['id']));
      this.logger.event('warn', 'order_replace_reconciled', {
        order_id: orderId,
        client_order_id: key,
        cause: cause.code,
      });
      return this.accepted(settled.found, orderId, fingerprint, caller, true);
    }
    if (settled !== null) return this.notReplaced(orderId, key, caller, cause, settled.replacedBy);
    await this.audit.recordBestEffort({
      action: 'order_replace_outcome',
      resource: `order_id:${orderId}`,
      outcome: 'unknown',
      caller,
      details: { client_order_id: key, cause: cause.code },
    });
    throw replacementOutcomeUnknown(orderId, key, cause);
  }

  private async notReplaced(
    orderId: string,
    key: string,
    caller: Caller,
    cause: UpstreamError,
    replacedBy: string | null,
  ): Promise<never> {
    await this.audit.recordBestEffort({
      action: 'order_replace_outcome',
      resource: `order_id:${orderId}`,
      outcome: 'absent',
      caller,
      details: { client_order_id: key, cause: cause.code, replaced_by: replacedBy },
    });
    throw orderNotReplaced(orderId, key, cause, replacedBy);
  }

  private async accepted(
    order: Sourced<TradingObject>,
    orderId: string,
    fingerprint: string,
    caller: Caller,
    reconciled: boolean,
  ): Promise<ReplaceResult> {
    const key = text(order.value['client_order_id']) ?? '';
    const newId = text(order.value['id']) ?? '';
    this.memory.set(`${requireAccount(caller)}\n${key}`, fingerprint, newId);
    try {
      await this.audit.record({
        action: 'order_replace_outcome',
        resource: `order_id:${orderId}`,
        outcome: 'replaced',
        caller,
        details: {
          client_order_id: key,
          new_order_id: newId,
          new_order_status: order.value['status'] ?? null,
          reconciled,
        },
      });
    } catch (e: unknown) {
      // The replacement exists: the client must hear so. The gap is loud in the log.
      this.logger.event('error', 'audit_write_failed_after_order', {
        order_id: orderId,
        new_order_id: newId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    return { order, clientOrderId: key, replayed: false, reconciled };
  }
}
