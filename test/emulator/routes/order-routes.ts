/**
 * Orders (§4.3). Lifecycle kept deterministic: POST answers `accepted`; the first order read
 * afterwards (list, by id, by client id) shows it `new`, as if the venue had acknowledged it in
 * between. Nothing fills by itself: tests edit fixtures.orders to simulate fills. Every change
 * is also emitted on state.orderEvents (the trading stream's source).
 */
import type { EmulatorState, RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { invalidTradingParam, orderRejected, tradingNotFound } from '../http/http-error.js';
import { createOrder } from '../orders/order-factory.js';
import { QueryReader, splitList } from '../http/query-params.js';
import { compareNanos, nowRfc3339Nanos, parseRfc3339Nanos } from '../market/wire-time.js';

type Order = Record<string, unknown>;

/** Terminal statuses: "closed" for listing and not cancelable. */
export const CLOSED_STATUSES = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day']);
/** Not cancelable: closed, or a cancel already in flight. */
export const NOT_CANCELABLE = new Set([...CLOSED_STATUSES, 'pending_cancel']);
const ORDER_LIMIT = { min: 1, max: 500, fallback: 50 };

/** Turns orders created here from `accepted` into `new`: called before every order read. */
export function acknowledgePending(state: EmulatorState): void {
  if (state.pendingAcceptance.size === 0) return;
  const now = nowRfc3339Nanos();
  for (const order of state.fixtures.orders) {
    if (typeof order.id === 'string' && state.pendingAcceptance.has(order.id) && order.status === 'accepted') {
      order.status = 'new';
      order.updated_at = now;
    }
  }
  state.pendingAcceptance.clear();
}

function submittedNanos(order: Order): bigint {
  const stamp = order.submitted_at ?? order.created_at;
  return typeof stamp === 'string' ? (parseRfc3339Nanos(stamp) ?? 0n) : 0n;
}

/** GET /v2/orders filters (TR-SPEC getAllOrders): after/until are exclusive, by submission time. */
function listOrders(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query, invalidTradingParam);
  const status = reader.oneOf('status', ['open', 'closed', 'all'] as const) ?? 'open';
  const limit = reader.limit(ORDER_LIMIT);
  const direction = reader.oneOf('direction', ['asc', 'desc'] as const) ?? 'desc';
  const side = reader.oneOf('side', ['buy', 'sell'] as const);
  const after = reader.time('after', 'start');
  const until = reader.time('until', 'start');
  const symbols = new Set(splitList(query.symbols));

  acknowledgePending(context.state);
  const selected = context.state.fixtures.orders
    .filter((order) => status === 'all' || CLOSED_STATUSES.has(String(order.status)) === (status === 'closed'))
    .filter((order) => symbols.size === 0 || symbols.has(String(order.symbol)))
    .filter((order) => side === undefined || order.side === side)
    .filter(
      (order) =>
        (after === undefined || submittedNanos(order) > after) &&
        (until === undefined || submittedNanos(order) < until),
    )
    .sort((a, b) => compareNanos(submittedNanos(a), submittedNanos(b)) * (direction === 'asc' ? 1 : -1));
  return { status: 200, body: selected.slice(0, limit) };
}

export function findOrder(state: EmulatorState, predicate: (order: Order) => boolean): Order {
  const order = state.fixtures.orders.find(predicate);
  if (order === undefined) throw tradingNotFound('order not found');
  return order;
}

function submitOrder(context: RouteContext): RouteResult {
  const { fixtures, pendingAcceptance } = context.state;
  const order = createOrder({
    body: context.request.body,
    orders: fixtures.orders,
    optionContracts: fixtures.optionContracts,
    account: fixtures.account,
  });
  fixtures.orders.push(order);
  pendingAcceptance.add(String(order.id));
  context.state.orderEvents.emit('new', order);
  // Answer a snapshot: the stored order will change (accepted → new) on the next read.
  return { status: 200, body: { ...order } };
}

function cancelOrder(context: RouteContext): RouteResult {
  const order = findOrder(context.state, (candidate) => candidate.id === context.params.order_id);
  if (NOT_CANCELABLE.has(String(order.status))) throw orderRejected('order is not cancelable');
  const now = nowRfc3339Nanos();
  Object.assign(order, { status: 'canceled', canceled_at: now, updated_at: now });
  context.state.pendingAcceptance.delete(String(order.id));
  context.state.orderEvents.emit('canceled', order, { timestamp: now });
  return { status: 204 };
}

export const orderRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/v2/orders', handle: listOrders, empty: () => [] },
  { method: 'POST', path: '/v2/orders', handle: submitOrder, empty: () => ({}) },
  {
    method: 'GET',
    path: '/v2/orders:by_client_order_id',
    handle: (context) => {
      const clientOrderId = context.request.query.client_order_id;
      if (clientOrderId === undefined || clientOrderId === '') throw invalidTradingParam('client_order_id is required');
      acknowledgePending(context.state);
      return { status: 200, body: findOrder(context.state, (order) => order.client_order_id === clientOrderId) };
    },
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/orders/{order_id}',
    handle: (context) => {
      acknowledgePending(context.state);
      return { status: 200, body: findOrder(context.state, (order) => order.id === context.params.order_id) };
    },
    empty: () => ({}),
  },
  { method: 'DELETE', path: '/v2/orders/{order_id}', handle: cancelOrder, empty: () => ({}) },
];
