import type { UpstreamStreamListener, UpstreamStreamStatus } from '../stream/market-stream.port.js';

/**
 * One `trade_updates` event (docs/alpaca-wire.md "Trade-updates stream") in our names. Alpaca's own names are already
 * snake_case, so the mapping keeps them; only the fields it documents are carried, each exactly as
 * sent: `order` is the REST Order object untouched (decimals stay strings, nulls stay null),
 * `timestamp` is Alpaca's string verbatim or null when the event has none (`new` has none), and
 * the fill members are present only when Alpaca sent them. Unknown event names pass through.
 */
export interface OrderUpdate {
  event: string;
  /** `order.id`, repeated for routing and deduplication (not computed: copied). */
  order_id: string;
  /** `order.symbol` (for mleg orders Alpaca may send null). */
  symbol: string | null;
  timestamp: string | null;
  execution_id?: string;
  price?: string;
  qty?: string;
  position_qty?: string;
  order: Record<string, unknown>;
}

/** What the trade-updates stream tells its owner. Called from the socket's read loop: never block. */
export interface TradeUpdatesListener {
  /** The events of one upstream frame with the time it was read (ISO 8601). */
  data(updates: readonly OrderUpdate[], receivedAt: string): void;
  /** Same contract as the market-data streams: the return to `live` after an interruption carries the gap. */
  status: UpstreamStreamListener['status'];
}

export interface TradeUpdatesStream {
  status(): UpstreamStreamStatus;
  /** Closes the socket cleanly and stops reconnecting. */
  close(): Promise<void>;
}

/**
 * The port for Alpaca's account stream (`trade_updates` at the trading host's `/stream`), one per
 * configured account (`account` is its name in ALPACA_ACCOUNTS, `default` without it). `open`
 * starts connecting at once: authenticate, listen to `trade_updates`, and keep it alive with
 * backoff; Alpaca has no replay, so every return after an interruption reports a gap.
 */
export abstract class TradeUpdatesPort {
  abstract open(account: string, listener: TradeUpdatesListener): TradeUpdatesStream;
}
