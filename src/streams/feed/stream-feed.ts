import {
  ENDPOINT_CHANNELS,
  type StreamChannel,
  type StreamData,
  type StreamEndpoint,
  type UpstreamStreamProblem,
  type UpstreamStreamStatus,
} from '../../alpaca/stream/market-stream.port.js';
import type { OrderUpdate } from '../../alpaca/trading/trade-updates.port.js';
import { DEFAULT_ACCOUNT, perAccountName, type AccountsConfig } from '../../core/config/alpaca-accounts.js';

export type StatusInfo = { gap?: { from: string; to: string; reason: string }; problem?: UpstreamStreamProblem };

/**
 * The upstream streams a feed carries: Alpaca's two market-data endpoints, and per Alpaca account
 * its trading stream's `trade_updates` (one socket per account like the others, so it rides on the
 * same feeds: one socket per instance locally, one for the whole fleet with REDIS_URL). The
 * `default` account's is `orders` (the name it had before accounts), a named one's `orders:<name>`.
 */
export type OrdersStream = 'orders' | `orders:${string}`;
export type FeedStream = StreamEndpoint | OrdersStream;

export function ordersStream(account: string): OrdersStream {
  return perAccountName('orders', account) as OrdersStream;
}

export function isOrdersStream(stream: FeedStream): stream is OrdersStream {
  return stream === 'orders' || stream.startsWith('orders:');
}

export function accountOfStream(stream: OrdersStream): string {
  return stream === 'orders' ? DEFAULT_ACCOUNT : stream.slice('orders:'.length);
}

/** Every stream a feed may carry, from the configured accounts (read once at boot). */
export function feedStreams(accounts: AccountsConfig): FeedStream[] {
  return ['stocks', 'options', ...accounts.list.map((a) => ordersStream(a.name))];
}

/** `orders` has a single channel whose only "symbol" is the whole account. */
export type FeedChannel = StreamChannel | 'orders';

export function channelsOf(stream: FeedStream): readonly FeedChannel[] {
  return isOrdersStream(stream) ? ['orders'] : ENDPOINT_CHANNELS[stream];
}

/** A value per stream, made the first time the stream is named. */
export class PerStream<T> {
  private readonly values = new Map<FeedStream, T>();

  constructor(private readonly fresh: () => T) {}

  of(stream: FeedStream): T {
    let value = this.values.get(stream);
    if (value === undefined) {
      value = this.fresh();
      this.values.set(stream, value);
    }
    return value;
  }

  set(stream: FeedStream, value: T): void {
    this.values.set(stream, value);
  }
}
export const ALL_ORDERS = '*';

/** What is wanted upstream, per channel (absent channel = none). */
export type FeedSubscription = Partial<Record<FeedChannel, ReadonlySet<string>>>;

/** A data message of any feed stream: market data, or an order event with the order as Alpaca sent it. */
export type FeedData = StreamData | { type: 'order_update'; symbol: string | null; data: OrderUpdate };

/** What a feed tells the hub of this instance. */
export interface FeedListener {
  data(stream: FeedStream, messages: readonly FeedData[], receivedAt: string): void;
  /**
   * The same messages, on the one instance that read them from Alpaca (the fleet's leader, or this
   * instance's own socket), before they are relayed: for work done once per upstream message
   * (the audit trail of order events), not once per instance.
   */
  read(stream: FeedStream, messages: readonly FeedData[], receivedAt: string): void;
  status(stream: FeedStream, status: UpstreamStreamStatus, info: StatusInfo): void;
  refused(stream: FeedStream, problem: UpstreamStreamProblem): void;
  /** In a fleet: this instance took (true) or gave up (false) the stream's upstream socket. */
  leadership(stream: FeedStream, leading: boolean): void;
  /** The symbols streamed for the stream changed (fleet-wide where there is a fleet). */
  streamed(stream: FeedStream, union: FeedSubscription): void;
}

/**
 * Where upstream data comes from for this instance. Locally: its own Alpaca socket per stream.
 * In a fleet (REDIS_URL): one socket per stream for the whole fleet, held by the leader, its
 * messages relayed through Redis to every instance.
 */
export abstract class StreamFeed {
  abstract start(listener: FeedListener): void;
  /** This instance's union for the stream (empty when it wants nothing). */
  abstract want(stream: FeedStream, wanted: FeedSubscription): void;
  /** Symbols (over the stream's channels) other instances stream, for the plan's limit. */
  abstract otherSymbols(stream: FeedStream): ReadonlySet<string>;
  abstract close(): Promise<void>;
}

export function isEmpty(s: FeedSubscription): boolean {
  return Object.values(s).every((set) => set === undefined || set.size === 0);
}

export function symbolsOf(s: FeedSubscription): Set<string> {
  const out = new Set<string>();
  for (const set of Object.values(s)) if (set !== undefined) for (const sym of set) out.add(sym);
  return out;
}
