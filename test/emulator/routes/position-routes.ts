/**
 * Closing positions and exercising options (§4.2; TR-SPEC deleteOpenPosition,
 * deleteAllOpenPositions, optionExercise). A close creates a market order and fills it at the
 * position's current_price at once, emitting the order's `new` then `fill`.
 */
import type { EmulatorState, RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { EmulatorHttpError, invalidTradingParam, tradingNotFound } from '../http/http-error.js';
import { fromUnits, percentOf, toUnits } from '../market/decimal-units.js';
import { createOrder } from '../orders/order-factory.js';
import { OPTION_SYMBOL } from '../http/query-params.js';
import { nowRfc3339Nanos } from '../market/wire-time.js';
import { cancelOpenOrders } from './order-lifecycle-routes.js';

type Position = Record<string, unknown>;

const HUNDRED_PERCENT = toUnits('100') ?? 0n;

function findPosition(state: EmulatorState, key: string): Position | undefined {
  return state.fixtures.positions.find((p) => p.symbol === key || p.asset_id === key);
}

/** §7.16's 403 for more than is available (shares held for open orders are not). */
function insufficientQty(position: Position, requested: bigint, available: bigint): EmulatorHttpError {
  const existing = toUnits(position.qty) ?? 0n;
  const abs = (n: bigint): bigint => (n < 0n ? -n : n);
  return new EmulatorHttpError(403, {
    available: fromUnits(available),
    code: 40310000,
    existing_qty: fromUnits(abs(existing)),
    held_for_orders: fromUnits(abs(existing) - available),
    message: `insufficient qty available for order (requested: ${fromUnits(requested)}, available: ${fromUnits(available)})`,
    symbol: position.symbol,
  });
}

/** Creates and fills the closing order; the answer is the order as created (accepted). */
function closeQty(state: EmulatorState, position: Position, requested: bigint): Record<string, unknown> {
  const held = toUnits(position.qty) ?? 0n;
  const long = held >= 0n;
  const available = toUnits(position.qty_available) ?? (long ? held : -held);
  if (requested <= 0n) throw invalidTradingParam('qty must be above zero');
  if (requested > (available < 0n ? -available : available))
    throw insufficientQty(position, requested, available < 0n ? -available : available);
  const { fixtures, orderEvents } = state;
  const order = createOrder({
    body: {
      symbol: position.symbol,
      qty: fromUnits(requested),
      side: long ? 'sell' : 'buy',
      type: 'market',
      time_in_force: 'day',
    },
    orders: fixtures.orders,
    optionContracts: fixtures.optionContracts,
  });
  fixtures.orders.push(order);
  const answer = { ...order };
  orderEvents.emit('new', order);

  const now = nowRfc3339Nanos();
  const price = position.current_price ?? null;
  Object.assign(order, {
    status: 'filled',
    filled_qty: order.qty,
    filled_avg_price: price,
    filled_at: now,
    updated_at: now,
  });
  const left = long ? held - requested : held + requested;
  if (left === 0n) fixtures.positions.splice(fixtures.positions.indexOf(position), 1);
  else
    Object.assign(position, {
      qty: fromUnits(left),
      qty_available: fromUnits((long ? 1n : -1n) * (available - requested)),
    });
  orderEvents.emit('fill', order, { timestamp: now, price, qty: order.qty, position_qty: fromUnits(left) });
  return answer;
}

function closePosition(context: RouteContext): RouteResult {
  const position = findPosition(context.state, context.params.symbol_or_asset_id);
  if (position === undefined) throw tradingNotFound('position not found');
  const { qty, percentage } = context.request.query;
  if (qty !== undefined && percentage !== undefined)
    throw invalidTradingParam('qty and percentage cannot be used together');
  const held = toUnits(position.qty) ?? 0n;
  const whole = held < 0n ? -held : held;
  let requested = whole;
  if (qty !== undefined) {
    const units = toUnits(qty);
    if (units === undefined || units <= 0n) throw invalidTradingParam(`invalid qty: ${qty}`);
    requested = units;
  } else if (percentage !== undefined) {
    const pct = toUnits(percentage);
    if (pct === undefined || pct <= 0n || pct > HUNDRED_PERCENT)
      throw invalidTradingParam(`invalid percentage: ${percentage}`);
    requested = percentOf(whole, pct);
  }
  return { status: 200, body: closeQty(context.state, position, requested) };
}

/** DELETE /v2/positions: 207, one `{symbol, status, body}` per position (TR-SPEC PositionClosedReponse). */
function closeAllPositions(context: RouteContext): RouteResult {
  if (context.request.query.cancel_orders === 'true') cancelOpenOrders(context.state);
  const entries = [...context.state.fixtures.positions].map((position) => {
    const held = toUnits(position.qty) ?? 0n;
    try {
      return {
        symbol: position.symbol,
        status: 200,
        body: closeQty(context.state, position, held < 0n ? -held : held),
      };
    } catch (error: unknown) {
      if (error instanceof EmulatorHttpError)
        return { symbol: position.symbol, status: error.status, body: error.body };
      throw error;
    }
  });
  return { status: 207, body: entries };
}

/**
 * POST /v2/positions/{symbol_or_contract_id}/exercise: TR-SPEC's 422 `invalid symbol`, 403 `no
 * available position` and `cannot exercise short position`; otherwise the position is exercised
 * (gone) and an OPEXC activity recorded; 200 with no body.
 */
function exercise(context: RouteContext): RouteResult {
  const key = context.params.symbol_or_contract_id;
  const contract = context.state.fixtures.optionContracts.find((c) => c.id === key);
  const symbol = typeof contract?.symbol === 'string' ? contract.symbol : key;
  if (!OPTION_SYMBOL.test(symbol)) throw new EmulatorHttpError(422, { code: 42210000, message: 'invalid symbol' });
  const position = findPosition(context.state, symbol);
  if (position === undefined)
    throw new EmulatorHttpError(403, { code: 40310000, message: 'no available position for the specified contract' });
  if ((toUnits(position.qty) ?? 0n) < 0n)
    throw new EmulatorHttpError(403, { code: 40310001, message: 'cannot exercise short position' });
  const { fixtures } = context.state;
  fixtures.positions.splice(fixtures.positions.indexOf(position), 1);
  const now = nowRfc3339Nanos();
  const stamp = now.replace(/\D/g, '').slice(0, 17);
  fixtures.activities.unshift({
    activity_type: 'OPEXC',
    id: `${stamp}::${String(position.asset_id)}`,
    date: now.slice(0, 10),
    created_at: now,
    net_amount: '0',
    qty: position.qty,
    symbol,
    status: 'executed',
  });
  return { status: 200 };
}

export const positionRoutes: RouteDefinition[] = [
  { method: 'DELETE', path: '/v2/positions', handle: closeAllPositions, empty: () => [] },
  { method: 'DELETE', path: '/v2/positions/{symbol_or_asset_id}', handle: closePosition, empty: () => ({}) },
  { method: 'POST', path: '/v2/positions/{symbol_or_contract_id}/exercise', handle: exercise, empty: () => ({}) },
];
