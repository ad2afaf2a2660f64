/**
 * What happens to orders at the venue, driven by tests: fills (whole or partial), expiries and
 * rejections. Each changes the stored order the way Alpaca's would read afterwards and emits the
 * trade_updates event Alpaca sends for it (docs/alpaca-wire.md "Trade-updates stream": fills carry price, qty,
 * position_qty, timestamp and execution_id).
 */
import { randomUUID } from 'node:crypto';
import type { OrderEvent, OrderEvents } from '../orders/order-events.js';
import { nowRfc3339Nanos } from '../market/wire-time.js';
import { addDecimal, compareDecimal, subtractDecimal, weightedAverage } from './decimal-text.js';

type Order = Record<string, unknown>;

/** The one account's orders these controls act on. */
interface OrderBook {
  orders: Order[];
}

/** Orders in these statuses no longer trade. */
const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day']);

export interface FillOptions {
  /** Decimal string; default: everything still open. */
  qty?: string;
  /** Decimal string, e.g. "187.42". */
  price: string;
  /** Decimal string; default: the signed sum of the symbol's filled orders after this fill. */
  positionQty?: string;
}

export class OrderControls {
  constructor(
    private readonly book: () => OrderBook,
    private readonly pendingAcceptance: Set<string>,
    private readonly events: OrderEvents,
  ) {}

  fill(orderId: string, options: FillOptions): OrderEvent {
    const order = this.openOrder(orderId);
    const ordered = String(order.qty);
    const filledBefore = typeof order.filled_qty === 'string' ? order.filled_qty : '0';
    const qty = options.qty ?? subtractDecimal(ordered, filledBefore);
    const filled = addDecimal(filledBefore, qty);
    if (compareDecimal(qty, '0') <= 0 || compareDecimal(filled, ordered) > 0)
      throw new RangeError(`cannot fill ${qty} of order ${orderId} (${filledBefore} of ${ordered} filled)`);
    const now = nowRfc3339Nanos();
    const complete = compareDecimal(filled, ordered) === 0;
    const average =
      typeof order.filled_avg_price === 'string'
        ? weightedAverage(order.filled_avg_price, filledBefore, options.price, qty)
        : options.price;
    Object.assign(order, {
      filled_qty: filled,
      filled_avg_price: average,
      status: complete ? 'filled' : 'partially_filled',
      updated_at: now,
    });
    if (complete) order.filled_at = now;
    const extra = {
      timestamp: now,
      price: options.price,
      qty,
      position_qty: options.positionQty ?? this.position(String(order.symbol)),
      execution_id: randomUUID(),
    };
    return this.emit(complete ? 'fill' : 'partial_fill', order, extra);
  }

  expire(orderId: string): OrderEvent {
    const order = this.openOrder(orderId);
    const now = nowRfc3339Nanos();
    Object.assign(order, { status: 'expired', expired_at: now, updated_at: now });
    return this.emit('expired', order, { timestamp: now });
  }

  reject(orderId: string): OrderEvent {
    const order = this.openOrder(orderId);
    const now = nowRfc3339Nanos();
    Object.assign(order, { status: 'rejected', failed_at: now, updated_at: now });
    return this.emit('rejected', order, { timestamp: now });
  }

  private emit(event: OrderEvent['event'], order: Order, extra: Record<string, unknown>): OrderEvent {
    this.events.emit(event, order, extra);
    const last = this.events.emitted.at(-1);
    if (last === undefined) throw new Error('order event was not recorded');
    return last;
  }

  /** An order that can still change; one still `accepted` reads `new` first, as on any read. */
  private openOrder(orderId: string): Order {
    const order = this.book().orders.find((o) => o.id === orderId);
    if (order === undefined) throw new RangeError(`no order ${orderId}`);
    if (TERMINAL.has(String(order.status))) throw new RangeError(`order ${orderId} is ${String(order.status)}`);
    if (this.pendingAcceptance.delete(orderId) && order.status === 'accepted') order.status = 'new';
    return order;
  }

  /** The position the symbol's filled quantities add up to (buys positive, sells negative). */
  private position(symbol: string): string {
    let total = '0';
    for (const o of this.book().orders) {
      if (o.symbol !== symbol || typeof o.filled_qty !== 'string') continue;
      total = o.side === 'sell' ? subtractDecimal(total, o.filled_qty) : addDecimal(total, o.filled_qty);
    }
    return total;
  }
}
