import { AppError } from '../../core/errors/app-error.js';
import { invalidSymbolDetails, parseOccSymbol, type OccParseResult } from '../../options/occ-symbol.js';
import type { CreateOrderDto, OrderLegDto } from '../dto/create-order.dto.js';

export interface Problem {
  field: string;
  problems: string[];
}

/** A leg's ratio: a whole number of contracts per unit of the strategy, no sign, no leading zero. */
const RATIO = /^[1-9]\d{0,5}$/;
/** Options trade in whole contracts (TR-SPEC: qty counts units of the strategy). */
const WHOLE_QTY = /^[1-9]\d{0,8}$/;
/** A net price: positive is a debit, negative a credit (TR-SPEC postOrder `limit_price`); zero is neither. */
const NET_PRICE = /^-?(?:0|[1-9]\d{0,6})(?:\.\d{1,4})?$/;
/** TR-SPEC `TimeInForce`: "Options trading: day"; `type`: options take market and limit. */
const MLEG_TYPES = new Set(['market', 'limit']);

function intentSide(intent: NonNullable<OrderLegDto['position_intent']>): 'buy' | 'sell' {
  return intent.startsWith('buy') ? 'buy' : 'sell';
}

/**
 * Every leg's symbol must be an OCC option symbol: one INVALID_OPTION_SYMBOL naming each bad leg
 * (its index and which parts of the symbol are wrong), before anything is sent.
 */
export function requireOccLegs(legs: readonly OrderLegDto[]): void {
  const bad = legs
    .map((leg, index) => ({ index, result: parseOccSymbol(leg.symbol) }))
    .filter((x): x is { index: number; result: Extract<OccParseResult, { ok: false }> } => !x.result.ok);
  if (bad.length === 0) return;
  throw new AppError('INVALID_OPTION_SYMBOL', {
    message: `Every leg of a multi-leg order must be an OCC option symbol: ${bad.map((b) => `legs[${b.index}] ${JSON.stringify(b.result.symbol)}`).join(', ')}.`,
    details: { invalid_legs: bad.map((b) => ({ leg: b.index, ...invalidSymbolDetails(b.result) })) },
  });
}

/** What an mleg order needs beyond the DTO's shapes (leg count is checked there). */
export function mlegProblems(o: CreateOrderDto): Problem[] {
  const p: Problem[] = [];
  const need = (cond: boolean, field: string, message: string): void => {
    if (!cond) p.push({ field, problems: [message] });
  };
  const legs = o.legs ?? [];
  need(legs.length > 0, 'legs', 'mleg orders need legs');
  need(o.symbol === undefined, 'symbol', 'mleg orders carry their symbols on the legs, not on the order');
  need(o.side === undefined, 'side', 'mleg orders carry their sides on the legs, not on the order');
  need(o.position_intent === undefined, 'position_intent', 'mleg orders carry position_intent on the legs');
  need(MLEG_TYPES.has(o.type), 'type', 'mleg orders are market or limit orders');
  need(o.time_in_force === 'day', 'time_in_force', 'options orders take time_in_force day');
  need(o.notional === undefined, 'notional', 'mleg orders take qty (units of the strategy), not notional');
  need(o.qty === undefined || WHOLE_QTY.test(o.qty), 'qty', 'qty must be a whole number of strategy units, e.g. "1"');
  need(
    o.type !== 'limit' || (o.limit_price !== undefined && NET_PRICE.test(o.limit_price) && /[1-9]/.test(o.limit_price)),
    'limit_price',
    'limit mleg orders need a non-zero net limit_price (positive debit, negative credit) with at most 4 decimal places',
  );
  need(o.extended_hours !== true, 'extended_hours', 'mleg orders do not trade in extended hours');
  need(
    o.take_profit === undefined && o.stop_loss === undefined,
    'order_class',
    'mleg orders take no take_profit or stop_loss',
  );
  const seen = new Map<string, number>();
  legs.forEach((leg, i) => {
    need(RATIO.test(leg.ratio_qty), `legs[${i}].ratio_qty`, 'ratio_qty must be a whole number above zero, e.g. "1"');
    need(
      leg.side !== undefined || leg.position_intent !== undefined,
      `legs[${i}].side`,
      'each leg needs side or position_intent',
    );
    if (leg.side !== undefined && leg.position_intent !== undefined) {
      need(
        intentSide(leg.position_intent) === leg.side,
        `legs[${i}].position_intent`,
        `${leg.position_intent} contradicts side ${leg.side}`,
      );
    }
    const symbol = leg.symbol.toUpperCase();
    const first = seen.get(symbol);
    if (first === undefined) seen.set(symbol, i);
    else
      p.push({
        field: `legs[${i}].symbol`,
        problems: [`${symbol} is already legs[${first}]: each contract may appear in one leg only`],
      });
  });
  return p;
}
