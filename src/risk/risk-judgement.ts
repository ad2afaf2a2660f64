import { Dec } from './exact-decimal.js';
import type { Fact, RiskFacts } from './risk-facts.js';
import type { RiskRules, RuleName } from './risk-policy.js';
import {
  notionalBreach,
  notionalOf,
  openOrdersBreach,
  optionsBreach,
  orderTypeBreach,
  positionBreach,
  priceBandBreach,
  qtyBreach,
  reduceOnlyBreach,
  shortBreach,
  signedQty,
  symbolsBreach,
  unavailable,
  type Breach,
  type Ticket,
} from './risk-rules.js';

/** Rules that need each leg's quantity (a notional order's is its notional ÷ the latest quote). */
const QTY_RULES: RuleName[] = ['max_order_qty', 'max_position_qty', 'allow_short', 'reduce_only'];

/**
 * Every rule but the counters, cheapest first: the order's own fields, then prices (cache or one
 * upstream call), then the account (position, open orders). Returns the first breach, or the
 * order's notional for the daily counter (null when no rule needed it).
 */
export async function judge(rules: RiskRules, t: Ticket, facts: RiskFacts): Promise<Breach | { notional: Dec | null }> {
  const own = symbolsBreach(rules, t.legs) ?? optionsBreach(rules, t.legs) ?? orderTypeBreach(rules, t.type);
  if (own !== null) return own;
  if (t.operation === 'exercise') return judgeExercise(rules, t, facts);

  /** Leg i's price for `rule`: the limit price of a single-instrument order, else the latest quote's side. */
  const priceOf = async (rule: RuleName, i: number): Promise<Dec | Breach> => {
    const l = t.legs[i];
    if (l === undefined) return unavailable(rule, limitOf(rules, rule), 'no such leg');
    if (t.limitPrice !== null && t.legs.length === 1) return t.limitPrice;
    return factOr(await facts.quoteSide(l.symbol, l.side), rule, rules);
  };
  let qtys: Dec[] | null = null;
  /** Each leg's quantity; a notional order's is its notional ÷ the quote, rounded up to 9 places. */
  const qtysFor = async (rule: RuleName): Promise<Dec[] | Breach> => {
    if (qtys !== null) return qtys;
    const out: Dec[] = [];
    for (const [i, l] of t.legs.entries()) {
      if (l.qty !== null) {
        out.push(l.qty);
        continue;
      }
      const price = await priceOf(rule, i);
      if (!(price instanceof Dec)) return price;
      out.push((t.notional ?? Dec.ZERO).divCeil(price, 9));
    }
    qtys = out;
    return out;
  };

  if (rules.max_order_qty !== undefined) {
    const q = await qtysFor('max_order_qty');
    const b = Array.isArray(q) ? qtyBreach(rules, q) : q;
    if (b !== null) return b;
  }
  if (rules.price_band_pct !== undefined && t.limitPrice !== null && t.legs.length === 1) {
    const trade = factOr(await facts.lastTrade(t.legs[0]?.symbol ?? ''), 'price_band_pct', rules);
    const b = trade instanceof Dec ? priceBandBreach(rules, t.limitPrice, trade) : trade;
    if (b !== null) return b;
  }
  let notional: Dec | null = null;
  const needsNotional =
    rules.max_order_notional !== undefined
      ? 'max_order_notional'
      : rules.max_daily_notional !== undefined
        ? 'max_daily_notional'
        : null;
  if (needsNotional !== null) {
    if (t.notional !== null) notional = t.notional;
    else {
      const q = await qtysFor(needsNotional);
      if (!Array.isArray(q)) return q;
      const prices: Dec[] = [];
      for (const i of t.legs.keys()) {
        const p = await priceOf(needsNotional, i);
        if (!(p instanceof Dec)) return p;
        prices.push(p);
      }
      notional = notionalOf(t.legs, q, prices);
    }
    const b =
      notional === null
        ? unavailable(needsNotional, limitOf(rules, needsNotional), 'no price for a leg')
        : notionalBreach(rules, notional);
    if (b !== null) return b;
  }
  for (const rule of QTY_RULES.slice(1)) {
    if (
      rules[rule] === undefined ||
      (rule === 'allow_short' && rules.allow_short !== false) ||
      (rule === 'reduce_only' && rules.reduce_only !== true)
    )
      continue;
    const q = await qtysFor(rule);
    if (!Array.isArray(q)) return q;
    for (const [i, l] of t.legs.entries()) {
      const position = factOr(await facts.position(l.symbol), rule, rules);
      if (!(position instanceof Dec)) return position;
      const change = signedQty(l.side, q[i] ?? Dec.ZERO);
      const b =
        rule === 'max_position_qty'
          ? positionBreach(rules, position, change)
          : rule === 'allow_short'
            ? shortBreach(rules, position, change)
            : reduceOnlyBreach(rules, position, change);
      if (b !== null) return b;
    }
  }
  if (rules.max_open_orders !== undefined && t.opensOrder) {
    const open = factOr(await facts.openOrders(), 'max_open_orders', rules);
    const b = typeof open === 'number' ? openOrdersBreach(rules, open) : open;
    if (b !== null) return b;
  }
  return { notional };
}

/** An exercise is no order: the symbol rules, allow_options, and max_order_qty (the contracts held). */
async function judgeExercise(rules: RiskRules, t: Ticket, facts: RiskFacts): Promise<Breach | { notional: null }> {
  const contract = t.legs[0]?.symbol ?? '';
  if (rules.max_order_qty !== undefined) {
    const held = factOr(await facts.position(contract), 'max_order_qty', rules);
    const b = held instanceof Dec ? qtyBreach(rules, [held.abs()]) : held;
    if (b !== null) return b;
  }
  return { notional: null };
}

function factOr<T>(fact: Fact<T>, rule: RuleName, rules: RiskRules): T | Breach {
  return fact.ok ? fact.value : unavailable(rule, limitOf(rules, rule), fact.reason);
}

export function limitOf(rules: RiskRules, rule: RuleName): Breach['limit'] {
  const v = rules[rule];
  return v ?? null;
}
