import { AppError } from '../../core/errors/app-error.js';
import type { OrderRequest } from '../../alpaca/trading/trading.models.js';
import { decimalPlaces, integerDigits, isAtLeastOne, isPositiveDecimal } from '../../core/validation/decimal-string.js';
import type { CreateOrderDto } from '../dto/create-order.dto.js';
import { mlegProblems, requireOccLegs, type Problem } from './mleg-rules.js';

const QTY_PLACES = 9;
const NOTIONAL_PLACES = 2;
const PERCENT_PLACES = 4;
/** Alpaca refuses sub-penny prices: 2 places at $1.00 and above, 4 below. */
export function pricePlaces(value: string): number {
  return isAtLeastOne(value) ? 2 : 4;
}

/**
 * Integer digits accepted per kind of amount: far above any order Alpaca fills (a billion
 * shares, a ten-million-dollar share price), yet no 400-digit number is ever forwarded.
 */
const MAX_INTEGER_DIGITS = { qty: 9, notional: 10, price: 7, percent: 3 } as const;

function checkDecimal(
  problems: Problem[],
  field: string,
  value: string | undefined,
  maxPlaces: (v: string) => number,
  maxIntegerDigits: number,
): void {
  if (value === undefined) return;
  if (!isPositiveDecimal(value)) {
    problems.push({ field, problems: [`${field} must be a positive decimal string such as "10" or "150.25"`] });
    return;
  }
  if (integerDigits(value) > maxIntegerDigits) {
    problems.push({ field, problems: [`${field} allows at most ${maxIntegerDigits} digits before the decimal point`] });
    return;
  }
  const max = maxPlaces(value);
  if (decimalPlaces(value) > max)
    problems.push({ field, problems: [`${field} allows at most ${max} decimal places for this value`] });
}

function need(problems: Problem[], cond: boolean, field: string, message: string): void {
  if (!cond) problems.push({ field, problems: [message] });
}

function exactlyOneQuantity(o: CreateOrderDto): Problem[] {
  const p: Problem[] = [];
  need(
    p,
    (o.qty === undefined) !== (o.notional === undefined),
    o.qty === undefined ? 'qty' : 'notional',
    'send exactly one of qty and notional',
  );
  return p;
}

/** The combinations Alpaca requires, checked before any upstream call (docs/alpaca-wire.md "Trading objects and orders"). */
export function orderProblems(o: CreateOrderDto): Problem[] {
  if (o.order_class === 'mleg') return [...mlegProblems(o), ...exactlyOneQuantity(o)];
  const p: Problem[] = [];
  need(p, o.legs === undefined, 'legs', 'only order_class mleg takes legs');
  const { qty, notional, price, percent } = MAX_INTEGER_DIGITS;
  checkDecimal(p, 'qty', o.qty, () => QTY_PLACES, qty);
  checkDecimal(p, 'notional', o.notional, () => NOTIONAL_PLACES, notional);
  checkDecimal(p, 'limit_price', o.limit_price, pricePlaces, price);
  checkDecimal(p, 'stop_price', o.stop_price, pricePlaces, price);
  checkDecimal(p, 'trail_price', o.trail_price, pricePlaces, price);
  checkDecimal(p, 'trail_percent', o.trail_percent, () => PERCENT_PLACES, percent);
  checkDecimal(p, 'take_profit.limit_price', o.take_profit?.limit_price, pricePlaces, price);
  checkDecimal(p, 'stop_loss.stop_price', o.stop_loss?.stop_price, pricePlaces, price);
  checkDecimal(p, 'stop_loss.limit_price', o.stop_loss?.limit_price, pricePlaces, price);

  p.push(...exactlyOneQuantity(o));
  if (o.notional !== undefined) {
    need(
      p,
      o.type === 'market' && o.time_in_force === 'day',
      'notional',
      'notional orders must be market orders with time_in_force day',
    );
  }
  if (o.qty !== undefined && decimalPlaces(o.qty) > 0) {
    need(
      p,
      o.type === 'market' && o.time_in_force === 'day',
      'qty',
      'fractional qty needs a market order with time_in_force day',
    );
  }
  const usesLimit = o.type === 'limit' || o.type === 'stop_limit';
  const usesStop = o.type === 'stop' || o.type === 'stop_limit';
  need(p, !usesLimit || o.limit_price !== undefined, 'limit_price', `${o.type} orders need limit_price`);
  need(p, usesLimit || o.limit_price === undefined, 'limit_price', `${o.type} orders take no limit_price`);
  need(p, !usesStop || o.stop_price !== undefined, 'stop_price', `${o.type} orders need stop_price`);
  need(p, usesStop || o.stop_price === undefined, 'stop_price', `${o.type} orders take no stop_price`);
  if (o.type === 'trailing_stop') {
    need(
      p,
      (o.trail_price === undefined) !== (o.trail_percent === undefined),
      'trail_price',
      'trailing_stop needs exactly one of trail_price and trail_percent',
    );
  } else {
    need(
      p,
      o.trail_price === undefined && o.trail_percent === undefined,
      'trail_price',
      'only trailing_stop orders take trail_price or trail_percent',
    );
  }
  if (o.extended_hours === true) {
    need(
      p,
      o.type === 'limit' && (o.time_in_force === 'day' || o.time_in_force === 'gtc'),
      'extended_hours',
      'extended_hours needs a limit order with time_in_force day or gtc',
    );
  }
  const cls = o.order_class ?? 'simple';
  if (cls === 'bracket') {
    need(
      p,
      o.take_profit !== undefined && o.stop_loss !== undefined,
      'order_class',
      'bracket orders need take_profit and stop_loss',
    );
  } else if (cls === 'oco') {
    need(
      p,
      o.type === 'limit' && o.take_profit !== undefined && o.stop_loss !== undefined,
      'order_class',
      'oco orders are limit orders with take_profit and stop_loss',
    );
  } else if (cls === 'oto') {
    need(
      p,
      (o.take_profit === undefined) !== (o.stop_loss === undefined),
      'order_class',
      'oto orders need exactly one of take_profit and stop_loss',
    );
  } else {
    need(
      p,
      o.take_profit === undefined && o.stop_loss === undefined,
      'order_class',
      'take_profit and stop_loss need order_class bracket, oco or oto',
    );
  }
  return p;
}

/** Validates and builds the exact body sent to Alpaca, with the idempotency key as client_order_id. */
export function toOrderRequest(o: CreateOrderDto, clientOrderId: string): OrderRequest {
  // A leg that is not an option contract is named with its own catalog code, before the rest.
  if (o.order_class === 'mleg' && o.legs !== undefined) requireOccLegs(o.legs);
  const problems = orderProblems(o);
  if (problems.length > 0) {
    const first = problems[0];
    throw new AppError('INVALID_PARAMETER', {
      message: first === undefined ? undefined : `${first.field}: ${first.problems.join('; ')}`,
      details: { fields: problems },
    });
  }
  const request: OrderRequest = { type: o.type, time_in_force: o.time_in_force, client_order_id: clientOrderId };
  const optional = [
    'symbol',
    'side',
    'qty',
    'notional',
    'limit_price',
    'stop_price',
    'trail_price',
    'trail_percent',
    'extended_hours',
    'order_class',
    'position_intent',
    'take_profit',
    'stop_loss',
  ] as const;
  for (const k of optional) if (o[k] !== undefined) Object.assign(request, { [k]: o[k] });
  // Legs as sent, each with only the members given (plain objects, not DTO instances).
  if (o.legs !== undefined) {
    request.legs = o.legs.map((l) => ({
      symbol: l.symbol.toUpperCase(),
      ratio_qty: l.ratio_qty,
      ...(l.side === undefined ? {} : { side: l.side }),
      ...(l.position_intent === undefined ? {} : { position_intent: l.position_intent }),
    }));
  }
  return request;
}
