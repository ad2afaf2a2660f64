/**
 * Replacing an order and cancelling every open order (§4.3; TR-SPEC patchOrderByOrderId,
 * deleteAllOrders). Every change is emitted on state.orderEvents after it is made.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorState, RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { EmulatorHttpError, invalidTradingParam, orderRejected } from '../http/http-error.js';
import { nowRfc3339Nanos } from '../market/wire-time.js';
import { acknowledgePending, CLOSED_STATUSES, findOrder } from './order-routes.js';

type Order = Record<string, unknown>;

/** TR-SPEC: "Order cannot be replaced when the status is accepted, pending_new, pending_cancel or pending_replace". */
const NOT_REPLACEABLE = new Set([...CLOSED_STATUSES, 'accepted', 'pending_new', 'pending_cancel', 'pending_replace']);
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;
const WHOLE = /^[1-9]\d*$/;
const TIMES_IN_FORCE = new Set(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']);

function field(body: Record<string, unknown>, name: string, pattern: RegExp): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !pattern.test(text.replace(/^-/, '')))
    throw invalidTradingParam(`invalid ${name}: ${JSON.stringify(value)}`);
  return text;
}

/** What the PATCH body changes, checked against the order it applies to. */
function changesFor(order: Order, raw: unknown, orders: Order[]): Order {
  const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const changes: Order = {};
  const qty = field(body, 'qty', WHOLE);
  const limit = field(body, 'limit_price', DECIMAL);
  const stop = field(body, 'stop_price', DECIMAL);
  const trail = field(body, 'trail', DECIMAL);
  if (qty !== undefined) changes.qty = qty;
  if (limit !== undefined) {
    if (order.type !== 'limit' && order.type !== 'stop_limit')
      throw orderRejected(`limit_price cannot be set on a ${String(order.type)} order`);
    if (limit.startsWith('-') && order.order_class !== 'mleg') throw orderRejected(`invalid limit_price ${limit}`);
    changes.limit_price = limit;
  }
  if (stop !== undefined) {
    if (order.type !== 'stop' && order.type !== 'stop_limit')
      throw orderRejected(`stop_price cannot be set on a ${String(order.type)} order`);
    changes.stop_price = stop;
  }
  if (trail !== undefined) {
    if (order.type !== 'trailing_stop') throw orderRejected('trail works only for trailing_stop orders');
    if (order.trail_percent !== null) changes.trail_percent = trail;
    else changes.trail_price = trail;
  }
  if (body.time_in_force !== undefined) {
    if (typeof body.time_in_force !== 'string' || !TIMES_IN_FORCE.has(body.time_in_force))
      throw invalidTradingParam(`invalid time_in_force: ${JSON.stringify(body.time_in_force)}`);
    changes.time_in_force = body.time_in_force;
  }
  const clientOrderId = body.client_order_id;
  if (typeof clientOrderId === 'string' && clientOrderId !== '') {
    if (orders.some((o) => o.client_order_id === clientOrderId))
      throw new EmulatorHttpError(422, { code: 40010001, message: 'client_order_id must be unique' });
    changes.client_order_id = clientOrderId;
  } else {
    changes.client_order_id = randomUUID();
  }
  return changes;
}

/**
 * PATCH /v2/orders/{order_id}: a new order with `replaces`, the old one `replaced` with
 * `replaced_by`; the answer is the new order (status accepted, `new` on the next read). Events:
 * the old order's pending_replace and replaced, then the new order's new.
 */
function replaceOrder(context: RouteContext): RouteResult {
  acknowledgePending(context.state);
  const { fixtures, pendingAcceptance, orderEvents } = context.state;
  const old = findOrder(context.state, (candidate) => candidate.id === context.params.order_id);
  if (NOT_REPLACEABLE.has(String(old.status)))
    throw orderRejected(`order is not replaceable (status ${String(old.status)})`);
  if (old.notional !== null && old.asset_class !== 'ipo') throw orderRejected('notional orders cannot be replaced');
  const changes = changesFor(old, context.request.body, fixtures.orders);
  const now = nowRfc3339Nanos();
  const id = randomUUID();
  const replacement: Order = {
    ...old,
    ...changes,
    id,
    created_at: now,
    updated_at: now,
    submitted_at: now,
    filled_at: null,
    filled_qty: '0',
    filled_avg_price: null,
    replaced_at: null,
    replaced_by: null,
    replaces: old.id,
    status: 'accepted',
    legs: Array.isArray(old.legs)
      ? old.legs.map((leg: Order) => ({ ...leg, id: randomUUID(), replaces: leg.id }))
      : old.legs,
  };
  Object.assign(old, { status: 'pending_replace', updated_at: now });
  orderEvents.emit('pending_replace', old, { timestamp: now });
  Object.assign(old, { status: 'replaced', replaced_at: now, replaced_by: id, updated_at: now });
  fixtures.orders.push(replacement);
  pendingAcceptance.add(id);
  orderEvents.emit('replaced', old, { timestamp: now });
  orderEvents.emit('new', replacement);
  return { status: 200, body: { ...replacement } };
}

/**
 * DELETE /v2/orders: 207 with one entry per open order. Cancelable ones are canceled (entry
 * `{id, status: 200}`, the TR-SPEC CanceledOrderResponse example); one whose cancel is already
 * pending cannot be canceled again: TR-SPEC says Alpaca answers "status 500" for an order that is
 * no longer cancelable, with an error body as in §4.3 (code INVENTED).
 */
export function cancelOpenOrders(state: EmulatorState): Array<Record<string, unknown>> {
  acknowledgePending(state);
  const open = state.fixtures.orders.filter((order) => !CLOSED_STATUSES.has(String(order.status)));
  return open.map((order) => {
    if (order.status === 'pending_cancel')
      return { id: order.id, status: 500, body: { code: 50010000, message: 'order is not cancelable' } };
    const now = nowRfc3339Nanos();
    Object.assign(order, { status: 'canceled', canceled_at: now, updated_at: now });
    state.pendingAcceptance.delete(String(order.id));
    state.orderEvents.emit('canceled', order, { timestamp: now });
    return { id: order.id, status: 200 };
  });
}

function cancelAllOrders(context: RouteContext): RouteResult {
  return { status: 207, body: cancelOpenOrders(context.state) };
}

export const orderLifecycleRoutes: RouteDefinition[] = [
  { method: 'PATCH', path: '/v2/orders/{order_id}', handle: replaceOrder, empty: () => ({}) },
  { method: 'DELETE', path: '/v2/orders', handle: cancelAllOrders, empty: () => [] },
];
