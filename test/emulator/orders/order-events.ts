/**
 * Order lifecycle events inside the emulator: every route or control method that changes an
 * order (submit, fill, cancel, replace, expire, reject, close a position...) emits one here,
 * with the order as it reads after the change. The trading stream (`trade_updates`) listens and
 * sends them to subscribed sockets in Alpaca's shape (TR-SPEC / docs/alpaca-wire.md "Trade-updates stream").
 */

/** Alpaca's trade_updates event names. */
export type OrderEventName =
  | 'new'
  | 'fill'
  | 'partial_fill'
  | 'canceled'
  | 'expired'
  | 'done_for_day'
  | 'replaced'
  | 'rejected'
  | 'pending_new'
  | 'stopped'
  | 'pending_cancel'
  | 'pending_replace'
  | 'calculated'
  | 'suspended'
  | 'order_replace_rejected'
  | 'order_cancel_rejected';

export interface OrderEvent {
  event: OrderEventName;
  /** A snapshot of the order after the change. */
  order: Record<string, unknown>;
  /** Extra members Alpaca sends with some events (fill: price, qty, position_qty, timestamp). */
  extra?: Record<string, unknown>;
}

export type OrderEventListener = (event: OrderEvent) => void;

export class OrderEvents {
  private readonly listeners = new Set<OrderEventListener>();
  /** Every event emitted, in order (tests assert on it). */
  readonly emitted: OrderEvent[] = [];

  emit(event: OrderEventName, order: Record<string, unknown>, extra?: Record<string, unknown>): void {
    const record: OrderEvent =
      extra === undefined ? { event, order: { ...order } } : { event, order: { ...order }, extra };
    this.emitted.push(record);
    for (const listener of this.listeners) listener(record);
  }

  listen(listener: OrderEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.emitted.length = 0;
  }
}
