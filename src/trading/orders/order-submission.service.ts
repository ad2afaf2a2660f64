import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import type { Caller } from '../../core/identity/caller.js';
import { requireAccount } from '../../core/identity/account.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { Clock } from '../../core/time/clock.js';
import { AuditService } from '../../audit/audit.service.js';
import type { Sourced } from '../../alpaca/stocks/market-data.port.js';
import { TradingAccountsPort } from '../../alpaca/trading/trading.port.js';
import type { OrderRequest, TradingObject, TradingValue } from '../../alpaca/trading/trading.models.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';
import { RiskGate, type RiskPass } from '../../risk/risk-gate.service.js';
import type { CreateOrderDto } from '../dto/create-order.dto.js';
import { orderFingerprint, resolveIdempotencyKey, sameOrder } from './idempotency.js';
import { IdempotencyLedger, type Claim } from './idempotency-ledger.js';
import { SubmissionKeys } from './submission-keys.js';
import {
  DUPLICATE_KEY,
  orderNotPlaced,
  submissionConflict,
  submissionOutcomeUnknown,
  submissionRejected,
} from './order-write-errors.js';
import { TradingHalts } from '../halt/trading-halts.service.js';
import { toOrderRequest } from './order-rules.js';

export interface SubmissionResult {
  order: Sourced<TradingObject>;
  clientOrderId: string;
  /** True when this answers a repeat of an earlier submission (no new order). */
  replayed: boolean;
  /** True when the order was found by client_order_id after Alpaca's answer was lost. */
  reconciled: boolean;
}

interface Running {
  fingerprint: string;
  result: Promise<SubmissionResult>;
}

/** What was sent: the body's fingerprint and what the ledger said of its key before. */
interface Sent {
  fingerprint: string;
  claim: Claim;
}

/** After a lost answer: look the order up this many times, this far apart, before giving up. */
const RECONCILE_DELAYS_MS = [0, 250, 750];

/** id and status are validated strings (trading.mapper requires them); anything else is shown as JSON. */
function textOf(v: TradingValue | undefined): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

/**
 * POST /orders: validated, audited before it is sent, sent exactly once, never retried. When the
 * answer is lost (timeout, 5xx, unreadable) the order is looked up by client_order_id: found → it
 * is returned; absent twice → 503 saying no order was placed; unknown → 504 ORDER_OUTCOME_UNKNOWN.
 */
@Injectable()
export class OrderSubmissionService {
  private readonly keys: SubmissionKeys;
  private readonly inflight = new Map<string, Running>();

  constructor(
    private readonly accounts: TradingAccountsPort,
    private readonly audit: AuditService,
    private readonly logger: WinstonLogger,
    ledger: IdempotencyLedger,
    private readonly halts: TradingHalts,
    private readonly risk: RiskGate,
    clock: Clock,
  ) {
    this.keys = new SubmissionKeys(ledger, clock);
  }

  async submit(dto: CreateOrderDto, idempotencyHeader: string | undefined, caller: Caller): Promise<SubmissionResult> {
    const { key } = resolveIdempotencyKey(idempotencyHeader, dto.client_order_id);
    const request = toOrderRequest(dto, key);
    const fingerprint = orderFingerprint(request);
    // Concurrent repeats on this instance share one submission; another body under the key is a 409 at once.
    // Keys are per account: the same key on two accounts is two orders.
    const inflightKey = `${requireAccount(caller)}\n${key}`;
    const running = this.inflight.get(inflightKey);
    if (running !== undefined) {
      if (running.fingerprint !== fingerprint) throw submissionConflict(key, null);
      return { ...(await running.result), replayed: true };
    }
    const result = this.submitOnce(request, fingerprint, caller).finally(() => this.inflight.delete(inflightKey));
    this.inflight.set(inflightKey, { fingerprint, result });
    return result;
  }

  private async submitOnce(request: OrderRequest, fingerprint: string, caller: Caller): Promise<SubmissionResult> {
    const key = request.client_order_id;
    const known = this.keys.known(requireAccount(caller), key);
    if (known !== undefined) {
      if (known.fingerprint !== fingerprint) throw submissionConflict(key, null, known.orderId);
      return this.replayKnown(key, known.orderId, caller);
    }
    const claim = await this.keys.claim(requireAccount(caller), key, fingerprint);
    if (claim.kind === 'conflict') throw submissionConflict(key, null, claim.orderId ?? undefined);
    if (claim.kind === 'same' && claim.orderId !== null) return this.replayKnown(key, claim.orderId, caller);

    let risk: RiskPass;
    try {
      this.halts.assertOpen(caller, 'submit', `order:${key}`);
      risk = await this.risk.check({ kind: 'submit', resource: `order:${key}`, order: request }, caller);
      await this.audit
        .recordOrRefuse({
          action: 'order_requested',
          resource: `order:${key}`,
          outcome: 'pending',
          caller,
          details: { order: request },
        })
        .catch(risk.undo);
    } catch (e: unknown) {
      // Nothing was sent (halted, refused by the risk gate, or unaudited): the key is free again for any body.
      await this.keys.releaseOwn(requireAccount(caller), claim, key, fingerprint);
      throw e;
    }
    let order: Sourced<TradingObject>;
    try {
      order = await risk.sent(this.accounts.forCaller(caller).submitOrder(request));
    } catch (e: unknown) {
      return this.onSubmitFailure(e, request, { fingerprint, claim }, caller);
    }
    return this.accepted(order, request, fingerprint, caller, false);
  }

  /** A repeat of a body whose order is known: that order as it reads now, nothing sent. */
  private async replayKnown(key: string, orderId: string, caller: Caller): Promise<SubmissionResult> {
    const order = await this.accounts.forCaller(caller).order(orderId);
    await this.audit.recordBestEffort({
      action: 'order_replayed',
      resource: `order:${key}`,
      outcome: 'replayed',
      caller,
      details: { order_id: orderId },
    });
    return { order, clientOrderId: key, replayed: true, reconciled: false };
  }

  private async onSubmitFailure(
    e: unknown,
    request: OrderRequest,
    sent: Sent,
    caller: Caller,
  ): Promise<SubmissionResult> {
    const key = request.client_order_id;
    const { fingerprint, claim } = sent;
    if (!(e instanceof UpstreamError)) throw e;
    const status = e.upstreamStatus;
    if (status === 422 && DUPLICATE_KEY.test(e.upstreamMessage ?? ''))
      return this.replayFromAlpaca(request, sent, caller);
    if (status === 403 || status === 422) {
      await this.keys.releaseOwn(requireAccount(caller), claim, key, fingerprint);
      await this.audit.recordBestEffort({
        action: 'order_rejected',
        resource: `order:${key}`,
        outcome: 'rejected',
        caller,
        details: { upstream_status: status, upstream_message: e.upstreamMessage },
      });
      throw submissionRejected(key, e);
    }
    if (
      e.code === 'UPSTREAM_TIMEOUT' ||
      e.code === 'UPSTREAM_API_UNAVAILABLE' ||
      e.code === 'UPSTREAM_INVALID_RESPONSE'
    ) {
      return this.reconcile(request, fingerprint, caller, e).catch(async (lost: unknown) => {
        // Alpaca has no such order: the key is free again, as if never sent.
        if (lost instanceof AppError && lost.details['order_placed'] === false)
          await this.keys.releaseOwn(requireAccount(caller), claim, key, fingerprint);
        throw lost;
      });
    }
    // 401, 429, 400: Alpaca refused before creating anything.
    await this.keys.releaseOwn(requireAccount(caller), claim, key, fingerprint);
    await this.audit.recordBestEffort({
      action: 'order_not_placed',
      resource: `order:${key}`,
      outcome: e.code,
      caller,
      details: { upstream_status: status },
    });
    throw e;
  }

  private async reconcile(
    request: OrderRequest,
    fingerprint: string,
    caller: Caller,
    cause: UpstreamError,
  ): Promise<SubmissionResult> {
    const key = request.client_order_id;
    let absentCount = 0;
    for (const delay of RECONCILE_DELAYS_MS) {
      await sleep(delay);
      try {
        const found = await this.accounts.forCaller(caller).orderByClientId(key);
        this.logger.event('warn', 'order_reconciled', { client_order_id: key, cause: cause.code });
        return await this.accepted(found, request, fingerprint, caller, true);
      } catch (e: unknown) {
        absentCount = e instanceof AppError && e.code === 'ORDER_NOT_FOUND' ? absentCount + 1 : 0;
        // Two answers in a row that Alpaca has no such order: it was not placed.
        if (absentCount >= 2) return this.notPlaced(key, caller, cause);
      }
    }
    await this.audit.recordBestEffort({
      action: 'order_outcome_unknown',
      resource: `order:${key}`,
      outcome: 'unknown',
      caller,
      details: { cause: cause.code },
    });
    throw submissionOutcomeUnknown(key, cause);
  }

  private async notPlaced(key: string, caller: Caller, cause: UpstreamError): Promise<never> {
    await this.audit.recordBestEffort({
      action: 'order_not_placed',
      resource: `order:${key}`,
      outcome: 'absent',
      caller,
      details: { cause: cause.code },
    });
    throw orderNotPlaced(key, cause);
  }

  /**
   * Alpaca already holds an order under this key. When the fleet's ledger says the key was first
   * sent with this very body, it is a replay; otherwise (the ledger is off, away, or learned of
   * the key only now) Alpaca's copy must show every field equal, or it is a 409.
   */
  private async replayFromAlpaca(request: OrderRequest, sent: Sent, caller: Caller): Promise<SubmissionResult> {
    const key = request.client_order_id;
    const { fingerprint, claim } = sent;
    const existing = await this.accounts.forCaller(caller).orderByClientId(key);
    if (claim.kind !== 'same' && !sameOrder(existing.value, request)) {
      // Our claim named a body Alpaca never took under this key: it must not make a later repeat a "replay".
      await this.keys.releaseOwn(requireAccount(caller), claim, key, fingerprint);
      throw submissionConflict(key, existing.value);
    }
    this.keys.remember(requireAccount(caller), key, fingerprint, textOf(existing.value['id']));
    await this.audit.recordBestEffort({
      action: 'order_replayed',
      resource: `order:${key}`,
      outcome: 'replayed',
      caller,
      details: { order_id: existing.value['id'] },
    });
    return { order: existing, clientOrderId: key, replayed: true, reconciled: false };
  }

  private async accepted(
    order: Sourced<TradingObject>,
    request: OrderRequest,
    fingerprint: string,
    caller: Caller,
    reconciled: boolean,
  ): Promise<SubmissionResult> {
    const key = request.client_order_id;
    const orderId = textOf(order.value['id']);
    this.keys.remember(requireAccount(caller), key, fingerprint, orderId);
    try {
      await this.audit.record({
        action: 'order_accepted',
        resource: `order:${key}`,
        outcome: textOf(order.value['status']),
        caller,
        details: { order_id: orderId, reconciled },
      });
    } catch (e: unknown) {
      // The order exists: the client must hear so. The gap is loud in the log.
      this.logger.event('error', 'audit_write_failed_after_order', {
        client_order_id: key,
        order_id: orderId,
        error: e instanceof Error ? e.message : String(e),
      });
    }
    return { order, clientOrderId: key, replayed: false, reconciled };
  }
}
