/**
 * The rules' arithmetic, pure: given an order, the policy and the facts a rule needs (a price, a
 * position, a count), whether the order breaks it. Limits are inclusive. Nothing here fetches or
 * guesses: a fact that could not be had arrives as null and the rule that needs it refuses.
 */
import { Dec } from './exact-decimal.js';
import type { OrderType, RiskRules, RuleName } from './risk-policy.js';

/** Contracts are quoted per share and cover 100 (OCC's standard deliverable). */
export const OPTION_MULTIPLIER = Dec.of(100);

export type Side = 'buy' | 'sell';

/** One instrument an order trades: the order itself, or one leg of a multi-leg order. */
export interface TicketLeg {
  symbol: string;
  /** For an option contract, its OCC root (the underlying's ticker or a variant); null for a stock. */
  underlying: string | null;
  side: Side;
  /** Shares or contracts; null when the order gives a dollar notional instead. */
  qty: Dec | null;
}

/** What the gate judges: any order write, reduced to what the rules look at. */
export interface Ticket {
  operation: 'submit' | 'replace' | 'close' | 'exercise';
  /** Alpaca's order type; null for an exercise (not an order). */
  type: OrderType | null;
  legs: TicketLeg[];
  /** The single-instrument order's limit price (limit, stop_limit); null otherwise and for multi-leg (a net price). */
  limitPrice: Dec | null;
  /** USD given by the client (a notional market order). */
  notional: Dec | null;
  /** Whether it adds an open order (a submission or a close; a replacement takes its order's place). */
  opensOrder: boolean;
}

/** A refusal: the rule, its limit, and what the order asked for (null when the rule's fact could not be had). */
export interface Breach {
  rule: RuleName | 'risk_policy';
  limit: number | boolean | string[] | null;
  requested: number | boolean | string | string[] | null;
  /** Only when the rule could not be checked: why (a price or position that could not be had). */
  reason?: string;
}

/** A rule that cannot be checked without a fact it did not get refuses the order, saying why. */
export function unavailable(rule: RuleName, limit: Breach['limit'], reason: string): Breach {
  return { rule, limit, requested: null, reason };
}

/** Signed change of a position: + for a buy, − for a sell. */
export function signedQty(side: Side, qty: Dec): Dec {
  return side === 'buy' ? qty : qty.neg();
}

/** The symbols of an order and, for its option legs, their underlyings: what the symbol lists are matched against. */
function namesOf(leg: TicketLeg): string[] {
  return leg.underlying === null ? [leg.symbol] : [leg.symbol, leg.underlying];
}

/** symbols_allowed: every leg's symbol (or, for an option, its underlying) listed. symbols_denied: none listed. */
export function symbolsBreach(rules: RiskRules, legs: readonly TicketLeg[]): Breach | null {
  const allowed = rules.symbols_allowed;
  if (allowed !== undefined) {
    const outside = legs.find((l) => !namesOf(l).some((n) => allowed.includes(n)));
    if (outside !== undefined) return { rule: 'symbols_allowed', limit: allowed, requested: outside.symbol };
  }
  const denied = rules.symbols_denied;
  if (denied !== undefined) {
    const inside = legs.find((l) => namesOf(l).some((n) => denied.includes(n)));
    if (inside !== undefined) return { rule: 'symbols_denied', limit: denied, requested: inside.symbol };
  }
  return null;
}

/** allow_options false: no option contract, on any leg (an exercise included). */
export function optionsBreach(rules: RiskRules, legs: readonly TicketLeg[]): Breach | null {
  if (rules.allow_options !== false) return null;
  const option = legs.find((l) => l.underlying !== null);
  return option === undefined ? null : { rule: 'allow_options', limit: false, requested: option.symbol };
}

export function orderTypeBreach(rules: RiskRules, type: OrderType | null): Breach | null {
  const types = rules.order_types;
  if (types === undefined || type === null || types.includes(type)) return null;
  return { rule: 'order_types', limit: types, requested: type };
}

/** max_order_qty: every leg's quantity (a multi-leg order: the strategy's qty × the leg's ratio). */
export function qtyBreach(rules: RiskRules, qtys: readonly Dec[]): Breach | null {
  if (rules.max_order_qty === undefined) return null;
  const limit = Dec.of(rules.max_order_qty);
  const over = qtys.find((q) => q.gt(limit));
  return over === undefined ? null : { rule: 'max_order_qty', limit: rules.max_order_qty, requested: over.toNumber() };
}

/**
 * An order's USD notional: the client's notional, else Σ legs qty × price (× 100 for a contract).
 * `prices[i]` is leg i's price (the limit price, else the latest quote's side); null if any is
 * missing (the rule that needs it then refuses).
 */
export function notionalOf(
  legs: readonly TicketLeg[],
  qtys: readonly Dec[],
  prices: ReadonlyArray<Dec | null>,
): Dec | null {
  let total = Dec.ZERO;
  for (const [i, leg] of legs.entries()) {
    const qty = qtys[i];
    const price = prices[i];
    if (qty === undefined || price === undefined || price === null) return null;
    total = total.add(qty.mul(price).mul(leg.underlying === null ? Dec.of(1) : OPTION_MULTIPLIER));
  }
  return total;
}

export function notionalBreach(rules: RiskRules, notional: Dec): Breach | null {
  if (rules.max_order_notional === undefined) return null;
  return notional.gt(Dec.of(rules.max_order_notional))
    ? { rule: 'max_order_notional', limit: rules.max_order_notional, requested: notional.toNumber() }
    : null;
}

/**
 * price_band_pct: |limit − latest trade| ≤ pct % of the latest trade, decided as
 * |limit − trade| × 100 ≤ pct × trade (no division). `requested` is the limit's distance in
 * percent, rounded up to 4 places for the message only.
 */
export function priceBandBreach(rules: RiskRules, limitPrice: Dec, trade: Dec): Breach | null {
  if (rules.price_band_pct === undefined) return null;
  const distance = limitPrice.sub(trade).abs();
  if (!distance.mul(Dec.of(100)).gt(Dec.of(rules.price_band_pct).mul(trade))) return null;
  return {
    rule: 'price_band_pct',
    limit: rules.price_band_pct,
    requested: distance.mul(Dec.of(100)).divCeil(trade, 4).toNumber(),
  };
}

/** max_position_qty: |current position ± this order's qty| (open orders not counted). */
export function positionBreach(rules: RiskRules, position: Dec, change: Dec): Breach | null {
  if (rules.max_position_qty === undefined) return null;
  const after = position.add(change).abs();
  return after.gt(Dec.of(rules.max_position_qty))
    ? { rule: 'max_position_qty', limit: rules.max_position_qty, requested: after.toNumber() }
    : null;
}

/** allow_short false: a sell may not take the position below flat. `requested`: the position it would leave. */
export function shortBreach(rules: RiskRules, position: Dec, change: Dec): Breach | null {
  if (rules.allow_short !== false) return null;
  const after = position.add(change);
  return change.sign() < 0 && after.sign() < 0
    ? { rule: 'allow_short', limit: false, requested: after.toNumber() }
    : null;
}

/**
 * reduce_only: the order must shrink |position| without crossing flat (ending flat is fine); with
 * no position every order is refused. `requested`: the position it would leave.
 */
export function reduceOnlyBreach(rules: RiskRules, position: Dec, change: Dec): Breach | null {
  if (rules.reduce_only !== true) return null;
  const after = position.add(change);
  const shrinks = position.sign() !== 0 && change.sign() === -position.sign() && after.sign() !== -position.sign();
  return shrinks ? null : { rule: 'reduce_only', limit: true, requested: after.toNumber() };
}

/** max_open_orders: the account's open orders as Alpaca lists them, plus this one. */
export function openOrdersBreach(rules: RiskRules, open: number): Breach | null {
  if (rules.max_open_orders === undefined) return null;
  return open + 1 > rules.max_open_orders
    ? { rule: 'max_open_orders', limit: rules.max_open_orders, requested: open + 1 }
    : null;
}

/** max_orders_per_minute: orders sent in the last 60 s, plus this one. */
export function ordersPerMinuteBreach(rules: RiskRules, sentLastMinute: number): Breach | null {
  if (rules.max_orders_per_minute === undefined) return null;
  return sentLastMinute + 1 > rules.max_orders_per_minute
    ? { rule: 'max_orders_per_minute', limit: rules.max_orders_per_minute, requested: sentLastMinute + 1 }
    : null;
}

/**
 * max_daily_notional: what was sent this New York day plus this order's notional, both in whole
 * cents rounded up (what the fleet's counter holds).
 */
export function dailyNotionalBreach(rules: RiskRules, sentToday: Dec, notional: Dec): Breach | null {
  if (rules.max_daily_notional === undefined) return null;
  const total = sentToday.add(notional.ceil(2));
  return total.gt(Dec.of(rules.max_daily_notional))
    ? { rule: 'max_daily_notional', limit: rules.max_daily_notional, requested: total.toNumber() }
    : null;
}
