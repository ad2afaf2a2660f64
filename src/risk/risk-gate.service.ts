import { Injectable } from '@nestjs/common';
import { AppError } from '../core/errors/app-error.js';
import type { Caller } from '../core/identity/caller.js';
import { requireAccount } from '../core/identity/account.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { AuditService } from '../audit/audit.service.js';
import type {
  ClosePositionQuery,
  OrderRequest,
  ReplaceOrderRequest,
  TradingObject,
  TradingValue,
} from '../alpaca/trading/trading.models.js';
import { UpstreamError } from '../alpaca/http/upstream.error.js';
import { Dec } from './exact-decimal.js';
import { counterSubject, RiskCounters, type CounterAsk, type Reservation } from './risk-counters.js';
import { optionRoot, RiskLookups, type RiskFacts } from './risk-facts.js';
import { judge, limitOf } from './risk-judgement.js';
import { RiskMetrics } from './risk-metrics.js';
import { ORDER_TYPES, usesCounters, type OrderType, type RiskRules, type RuleName } from './risk-policy.js';
import { RiskPolicyService } from './risk-policy.service.js';
import {
  dailyNotionalBreach,
  ordersPerMinuteBreach,
  unavailable,
  type Breach,
  type Side,
  type Ticket,
  type TicketLeg,
} from './risk-rules.js';

/** An order write the gate judges, with the audit resource its refusal is recorded under. */
export type RiskOperation =
  | { kind: 'submit'; resource: string; order: OrderRequest }
  | { kind: 'replace'; resource: string; orderId: string; patch: ReplaceOrderRequest }
  | { kind: 'close'; resource: string; symbol: string; query: ClosePositionQuery }
  | { kind: 'exercise'; resource: string; symbol: string };

/**
 * An order the gate let through. Its place in the fleet's counts (orders per minute, daily
 * notional) is held from the check; it stays when Alpaca accepted the write, or may have (a lost
 * answer), and is given back when nothing was placed.
 */
export interface RiskPass {
  /** Wraps Alpaca's answer to the write. */
  sent<T>(answer: Promise<T>): Promise<T>;
  /** For `.catch` on what runs between the check and the send (the requested-audit record): gives the counts back and rethrows. */
  readonly undo: (e: unknown) => never;
}

const LOST_ANSWER = new Set(['UPSTREAM_TIMEOUT', 'UPSTREAM_API_UNAVAILABLE', 'UPSTREAM_INVALID_RESPONSE']);

/** Whether a failed write may still have placed an order (its answer was lost): then it stays counted. */
function mayHavePlaced(e: unknown): boolean {
  return (
    e instanceof UpstreamError && LOST_ANSWER.has(e.code) && (e.upstreamStatus === null || e.upstreamStatus >= 500)
  );
}

function passHolding(reservation: Reservation | null): RiskPass {
  const release = (): void => void reservation?.release();
  return {
    sent: <T>(answer: Promise<T>): Promise<T> =>
      answer.catch((e: unknown) => {
        if (!mayHavePlaced(e)) release();
        throw e;
      }),
    undo: (e: unknown): never => {
      release();
      throw e;
    },
  };
}

/** With no rule to apply: nothing held, nothing to give back. */
const OPEN = passHolding(null);

function text(v: TradingValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function decimal(v: TradingValue | undefined): Dec | null {
  const t = text(v);
  return t === null ? null : Dec.parse(t);
}

function orderType(v: TradingValue | undefined): OrderType | null {
  const t = text(v);
  return t !== null && (ORDER_TYPES as readonly string[]).includes(t) ? (t as OrderType) : null;
}

function sideOf(v: TradingValue | undefined, intent?: TradingValue): Side {
  if (v === 'buy' || v === 'sell') return v;
  return typeof intent === 'string' && intent.startsWith('buy') ? 'buy' : 'sell';
}

function leg(symbol: string, side: Side, qty: Dec | null): TicketLeg {
  const upper = symbol.toUpperCase();
  return { symbol: upper, underlying: optionRoot(upper), side, qty };
}

/**
 * The pre-trade risk gate: one place, called by every order write of both faces (submit,
 * replace, close with a quantity, exercise, multi-leg) before anything is audited as requested or
 * sent. It applies the caller's policy (RISK_POLICY_FILE) rule by rule, cheapest first; the first
 * rule the order breaks refuses it with 422 RISK_LIMIT_EXCEEDED `{rule, limit, requested}`,
 * audited as `order_refused` and counted per rule. A fact a rule needs and cannot get (a fresh
 * quote, a position) refuses the order naming that rule.
 */
@Injectable()
export class RiskGate {
  constructor(
    private readonly policies: RiskPolicyService,
    private readonly lookups: RiskLookups,
    private readonly counters: RiskCounters,
    private readonly audit: AuditService,
    private readonly metrics: RiskMetrics,
    private readonly logger: WinstonLogger,
  ) {}

  async check(op: RiskOperation, caller: Caller): Promise<RiskPass> {
    const account = requireAccount(caller);
    const governing = this.policies.governing(caller.principal, account);
    if (governing.kind === 'none') return OPEN;
    if (governing.kind === 'missing') {
      throw await this.refuse(op, account, caller, governing.name, {
        rule: 'risk_policy',
        limit: this.policies.names(),
        requested: governing.name,
        reason: `the key's risk policy "${governing.name}" is not in RISK_POLICY_FILE`,
      });
    }
    const { name, rules } = governing;
    if (Object.keys(rules).length === 0) return OPEN;
    const facts = this.lookups.facts(account);
    const ticket = await this.ticketOf(op, facts, account);
    // A close of a position there is none of: Alpaca answers it (404), nothing can trade.
    if (ticket === null) return OPEN;
    const judged = await judge(rules, ticket, facts);
    if ('rule' in judged) throw await this.refuse(op, account, caller, name, judged);
    if (!usesCounters(rules)) return OPEN;
    const subject = counterSubject(caller.principal, account);
    const counted = await this.reserve(rules, ticket, judged.notional, subject);
    if ('rule' in counted) throw await this.refuse(op, account, caller, name, counted);
    return passHolding(counted);
  }

  /** The order as the rules see it; replacements read their order, closes their position. */
  private async ticketOf(op: RiskOperation, facts: RiskFacts, account: string): Promise<Ticket | null> {
    switch (op.kind) {
      case 'submit':
        return this.submitted(op.order);
      case 'replace':
        return this.replaced(await this.lookups.order(op.orderId, account), op.patch);
      case 'close': {
        if (op.query.qty === undefined && op.query.percentage === undefined) return null;
        const position = await this.lookups.position(op.symbol, account);
        if (position === null || position.sign() === 0) return null;
        facts.knownPosition(op.symbol.toUpperCase(), position);
        const held = position.abs();
        const qty =
          op.query.qty !== undefined
            ? Dec.of(op.query.qty)
            : held
                .mul(Dec.of(op.query.percentage ?? '100'))
                .shift(2)
                .ceil(9);
        return {
          operation: 'close',
          type: 'market',
          legs: [leg(op.symbol, position.sign() > 0 ? 'sell' : 'buy', qty)],
          limitPrice: null,
          notional: null,
          opensOrder: true,
        };
      }
      case 'exercise':
        return {
          operation: 'exercise',
          type: null,
          legs: [leg(op.symbol, 'sell', null)],
          limitPrice: null,
          notional: null,
          opensOrder: false,
        };
    }
  }

  private submitted(o: OrderRequest): Ticket {
    const qty = o.qty === undefined ? null : Dec.of(o.qty);
    if (o.order_class === 'mleg') {
      const units = qty ?? Dec.of(1);
      const legs = (o.legs ?? []).map((l) =>
        leg(l.symbol, sideOf(l.side, l.position_intent), units.mul(Dec.of(l.ratio_qty))),
      );
      return { operation: 'submit', type: o.type, legs, limitPrice: null, notional: null, opensOrder: true };
    }
    const limited = (o.type === 'limit' || o.type === 'stop_limit') && o.limit_price !== undefined;
    return {
      operation: 'submit',
      type: o.type,
      legs: [leg(o.symbol ?? '', o.side ?? 'buy', qty)],
      limitPrice: limited ? Dec.of(o.limit_price ?? '') : null,
      notional: o.notional === undefined ? null : Dec.of(o.notional),
      opensOrder: true,
    };
  }

  /** The order as it would read after the replacement: its symbol, side and type, the new qty and limit price. */
  private replaced(order: TradingObject, patch: ReplaceOrderRequest): Ticket {
    const type = orderType(order['type']);
    const qty = patch.qty !== undefined ? Dec.of(patch.qty) : decimal(order['qty']);
    if (order['order_class'] === 'mleg' && Array.isArray(order['legs'])) {
      const units = qty ?? Dec.of(1);
      const legs = order['legs'].flatMap((l) => {
        if (l === null || typeof l !== 'object' || Array.isArray(l)) return [];
        const symbol = text(l['symbol']);
        return symbol === null
          ? []
          : [leg(symbol, sideOf(l['side'], l['position_intent']), units.mul(decimal(l['ratio_qty']) ?? Dec.of(1)))];
      });
      return { operation: 'replace', type, legs, limitPrice: null, notional: null, opensOrder: false };
    }
    const limited = type === 'limit' || type === 'stop_limit';
    return {
      operation: 'replace',
      type,
      legs: [leg(text(order['symbol']) ?? '', sideOf(order['side']), qty)],
      limitPrice: limited
        ? patch.limit_price !== undefined
          ? Dec.of(patch.limit_price)
          : decimal(order['limit_price'])
        : null,
      notional: qty === null ? decimal(order['notional']) : null,
      opensOrder: false,
    };
  }

  /** The counters last: only an order every other rule let through takes a place in them. */
  private async reserve(
    rules: RiskRules,
    t: Ticket,
    notional: Dec | null,
    subject: string,
  ): Promise<Reservation | Breach> {
    // An exercise sends no price: it counts as an order, not as notional.
    const daily =
      rules.max_daily_notional !== undefined && notional !== null
        ? { limitCents: Dec.of(rules.max_daily_notional).centsUp(), cents: notional.centsUp() }
        : null;
    const ask: CounterAsk = { subject, perMinuteLimit: rules.max_orders_per_minute ?? null, daily };
    const out = await this.counters.reserve(ask);
    if (out.ok) return out.reservation;
    if (out.rule === 'max_orders_per_minute')
      return (
        ordersPerMinuteBreach(rules, out.count) ??
        unavailable('max_orders_per_minute', limitOf(rules, 'max_orders_per_minute'), 'counter')
      );
    if (out.rule === 'max_daily_notional') {
      return (
        dailyNotionalBreach(rules, Dec.fromCents(out.usedCents), notional ?? Dec.ZERO) ??
        unavailable('max_daily_notional', limitOf(rules, 'max_daily_notional'), 'counter')
      );
    }
    const rule: RuleName = rules.max_orders_per_minute !== undefined ? 'max_orders_per_minute' : 'max_daily_notional';
    return unavailable(
      rule,
      limitOf(rules, rule),
      `the fleet's counters (Redis) did not answer: ${t.operation} refused until they do`,
    );
  }

  private async refuse(
    op: RiskOperation,
    account: string,
    caller: Caller,
    policy: string,
    breach: Breach,
  ): Promise<AppError> {
    const { rule, limit, requested } = breach;
    const details: Record<string, unknown> = { rule, limit, requested, account };
    if (breach.reason !== undefined) details['reason'] = breach.reason;
    this.metrics.observeRefusal(breach.rule);
    this.logger.event('info', 'risk_refused', { policy, operation: op.kind, resource: op.resource, ...details });
    await this.audit.recordBestEffort({
      action: 'order_refused',
      resource: op.resource,
      outcome: 'refused',
      caller,
      details,
    });
    const message =
      breach.reason === undefined
        ? `Refused by risk policy "${policy}": ${breach.rule} is ${JSON.stringify(breach.limit)}, this ${op.kind} asks for ${JSON.stringify(breach.requested)}. Nothing was sent to Alpaca.`
        : `Refused by risk policy "${policy}": ${breach.rule} could not be checked (${breach.reason}). Nothing was sent to Alpaca.`;
    return new AppError('RISK_LIMIT_EXCEEDED', { message, details });
  }
}
