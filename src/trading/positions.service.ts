import { Injectable } from '@nestjs/common';
import type { Attributed } from '../core/attribution/provenance.js';
import { AppError } from '../core/errors/app-error.js';
import type { Caller } from '../core/identity/caller.js';
import { AuditService } from '../audit/audit.service.js';
import type { AuditAction } from '../audit/audit.types.js';
import type { Sourced } from '../alpaca/stocks/market-data.port.js';
import { TradingAccountsPort } from '../alpaca/trading/trading.port.js';
import type { ClosePositionQuery, TradingObject } from '../alpaca/trading/trading.models.js';
import { UpstreamError } from '../alpaca/http/upstream.error.js';
import { requireOccSymbol } from '../options/occ-symbol.js';
import { RiskGate } from '../risk/risk-gate.service.js';
import { decimalPlaces, integerDigits, isPositiveDecimal } from '../core/validation/decimal-string.js';
import type { ClosePositionQueryDto } from './dto/position-params.dto.js';
import type { Problem } from './orders/mleg-rules.js';
import { auditedBulkWrite } from './bulk-write.js';
import { tradingAnswer } from './trading-reads.service.js';
import { TradingHalts } from './halt/trading-halts.service.js';

/** TR-SPEC deleteOpenPosition: "Can accept up to 9 decimal points" for both. */
const MAX_PLACES = 9;
const MAX_QTY_DIGITS = 9;
const NO_POSITION = /no available position/i;

export interface ExerciseResult {
  symbol: string;
  exercise_submitted: true;
}

/** qty xor percentage (or neither: the whole position), each a decimal Alpaca accepts; percentage in (0, 100]. */
export function closeQuery(q: ClosePositionQueryDto): ClosePositionQuery {
  const p: Problem[] = [];
  if (q.qty !== undefined && q.percentage !== undefined)
    p.push({ field: 'percentage', problems: ['send qty or percentage, not both'] });
  if (
    q.qty !== undefined &&
    (!isPositiveDecimal(q.qty) || decimalPlaces(q.qty) > MAX_PLACES || integerDigits(q.qty) > MAX_QTY_DIGITS)
  ) {
    p.push({ field: 'qty', problems: [`qty must be a positive decimal with at most ${MAX_PLACES} decimal places`] });
  }
  if (q.percentage !== undefined) {
    const pct = q.percentage;
    const atMostHundred = integerDigits(pct) < 3 || /^0*100(?:\.0*)?$/.test(pct);
    if (!isPositiveDecimal(pct) || decimalPlaces(pct) > MAX_PLACES || !atMostHundred) {
      p.push({
        field: 'percentage',
        problems: [`percentage must be above 0 and at most 100, with at most ${MAX_PLACES} decimal places`],
      });
    }
  }
  if (p.length > 0)
    throw new AppError('INVALID_PARAMETER', {
      message: `${p[0]?.field}: ${p[0]?.problems.join('; ')}`,
      details: { fields: p },
    });
  return { qty: q.qty, percentage: q.percentage };
}

/**
 * Closing positions and exercising options: audited before they are sent, sent once, never
 * retried (a close creates an order; Alpaca takes no client_order_id for it, so a lost answer is
 * reported as unknown rather than guessed).
 */
@Injectable()
export class PositionsService {
  constructor(
    private readonly accounts: TradingAccountsPort,
    private readonly audit: AuditService,
    private readonly halts: TradingHalts,
    private readonly risk: RiskGate,
  ) {}

  async close(symbol: string, q: ClosePositionQueryDto, caller: Caller): Promise<Attributed<TradingObject>> {
    const query = closeQuery(q);
    const resource = `position:${symbol}`;
    const risk = await this.risk.check({ kind: 'close', resource, symbol, query }, caller);
    await this.audit
      .recordOrRefuse({
        action: 'position_close_requested',
        resource,
        outcome: 'pending',
        caller,
        details: { ...query },
      })
      .catch(risk.undo);
    let order: Sourced<TradingObject>;
    try {
      order = await risk.sent(this.accounts.forCaller(caller).closePosition(symbol, query));
    } catch (e: unknown) {
      throw await this.failed(
        e,
        'position_close_outcome',
        resource,
        caller,
        `GET /api/v1/positions/${symbol} and GET /api/v1/orders?status=all`,
      );
    }
    await this.audit.recordBestEffort({
      action: 'position_close_outcome',
      resource,
      outcome: 'order_created',
      caller,
      details: { order_id: order.value['id'] ?? null, status: order.value['status'] ?? null },
    });
    return tradingAnswer(order);
  }

  /** Alpaca tries every position and reports each (207); the list comes back as Alpaca sent it. */
  async closeAll(cancelOrders: boolean | undefined, caller: Caller): Promise<Attributed<TradingObject[]>> {
    return auditedBulkWrite(this.audit, {
      requested: 'positions_close_all_requested',
      outcome: 'positions_close_all_outcome',
      resource: 'positions:all',
      caller,
      key: 'symbol',
      details: { cancel_orders: cancelOrders ?? null },
      send: () => this.accounts.forCaller(caller).closeAllPositions(cancelOrders),
    });
  }

  async exercise(contract: string, caller: Caller): Promise<Attributed<ExerciseResult>> {
    const symbol = requireOccSymbol(contract).symbol;
    const resource = `position:${symbol}`;
    this.halts.assertOpen(caller, 'exercise', resource);
    const risk = await this.risk.check({ kind: 'exercise', resource, symbol }, caller);
    await this.audit
      .recordOrRefuse({ action: 'option_exercise_requested', resource, outcome: 'pending', caller })
      .catch(risk.undo);
    let accepted: Sourced<null>;
    try {
      accepted = await risk.sent(this.accounts.forCaller(caller).exercise(symbol));
    } catch (e: unknown) {
      if (e instanceof UpstreamError && e.upstreamStatus === 403 && NO_POSITION.test(e.upstreamMessage ?? '')) {
        await this.audit.recordBestEffort({
          action: 'option_exercise_outcome',
          resource,
          outcome: 'POSITION_NOT_FOUND',
          caller,
          details: { upstream_status: 403 },
        });
        throw new AppError('POSITION_NOT_FOUND', {
          message: `No position in ${symbol} to exercise (Alpaca: ${e.upstreamMessage}).`,
          details: { symbol, upstream_status: 403, upstream_code: e.upstreamCode, upstream_message: e.upstreamMessage },
        });
      }
      throw await this.failed(e, 'option_exercise_outcome', resource, caller, `GET /api/v1/positions/${symbol}`);
    }
    await this.audit.recordBestEffort({ action: 'option_exercise_outcome', resource, outcome: 'submitted', caller });
    return tradingAnswer({ value: { symbol, exercise_submitted: true }, provenance: accepted.provenance });
  }

  /** Audits a failed write and turns it into what the client should hear. */
  private async failed(
    e: unknown,
    action: Extract<AuditAction, `${string}_outcome`>,
    resource: string,
    caller: Caller,
    check: string,
  ): Promise<Error> {
    if (!(e instanceof UpstreamError)) return e instanceof Error ? e : new Error(String(e));
    const status = e.upstreamStatus;
    const details = { upstream_status: status, upstream_code: e.upstreamCode, upstream_message: e.upstreamMessage };
    if (
      e.code === 'UPSTREAM_TIMEOUT' ||
      e.code === 'UPSTREAM_API_UNAVAILABLE' ||
      e.code === 'UPSTREAM_INVALID_RESPONSE'
    ) {
      await this.audit.recordBestEffort({
        action,
        resource,
        outcome: 'unknown',
        caller,
        details: { cause: e.code, ...details },
      });
      return new AppError('ORDER_OUTCOME_UNKNOWN', {
        message: 'Alpaca did not confirm the request and it is not retried: it may or may not have been carried out.',
        details: { resource, cause: e.code, check },
      });
    }
    await this.audit.recordBestEffort({
      action,
      resource,
      outcome: status === 403 || status === 422 ? 'rejected' : e.code,
      caller,
      details,
    });
    if (status === 403 || status === 422) {
      return new AppError('ORDER_REJECTED', {
        message: `Alpaca refused: ${e.upstreamMessage ?? 'no reason given'}`,
        details: { resource, ...details },
      });
    }
    return e;
  }
}
