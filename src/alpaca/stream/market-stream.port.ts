import type { ErrorCode } from '../../core/errors/error-catalog.js';
import type {
  Bar,
  LuldBand,
  StockQuote,
  StockTrade,
  TradeCancelError,
  TradeCorrection,
  TradingStatus,
} from '../stocks/market-data.models.js';
import type { OptionQuote, OptionTrade } from '../options/options.models.js';

/**
 * Alpaca's market-data stream endpoints the gateway uses: the stock feed (`/v2/{ALPACA_STOCK_FEED}`,
 * JSON) and the options feed (`/v1beta1/{ALPACA_OPTIONS_FEED}`, msgpack). Alpaca allows one socket
 * per account and endpoint, so the gateway holds at most one of each.
 */
export type StreamEndpoint = 'stocks' | 'options';

/**
 * Channels per endpoint, in Alpaca's names (they are the keys of its subscribe frames): stocks have
 * quotes, trades, minute bars, updated bars, daily bars, trading statuses and LULD bands; options
 * quotes and trades. Alpaca adds corrections and cancel/errors to every `trades` symbol by itself
 * (docs/alpaca-wire.md "Market-data stream messages"): they are not channels to subscribe to, and arrive as data of `trades`.
 * Imbalances, news and order books are not carried.
 */
export type StreamChannel = 'quotes' | 'trades' | 'bars' | 'updatedBars' | 'dailyBars' | 'statuses' | 'lulds';
export const ENDPOINT_CHANNELS: Readonly<Record<StreamEndpoint, readonly StreamChannel[]>> = {
  stocks: ['quotes', 'trades', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds'],
  options: ['quotes', 'trades'],
};

/** The symbols wanted upstream, per channel (absent channel = none). */
export type UpstreamSubscription = Partial<Record<StreamChannel, ReadonlySet<string>>>;

/**
 * One data message in our names, values exactly as Alpaca sent them (the same fields as the REST
 * answers; `timestamp` verbatim: the JSON string, or for msgpack the timestamp extension written
 * as RFC 3339 with all nine fraction digits). Nothing is computed or defaulted.
 */
export type StreamData =
  | { type: 'quote'; symbol: string; data: StockQuote }
  | { type: 'trade'; symbol: string; data: StockTrade }
  | { type: 'bar'; symbol: string; data: Bar }
  /** A minute bar sent again because late trades changed it (Alpaca's `u`; same `timestamp` as the bar it replaces). */
  | { type: 'updated_bar'; symbol: string; data: Bar }
  /** The day's bar so far (Alpaca's `d`). */
  | { type: 'daily_bar'; symbol: string; data: Bar }
  | { type: 'status'; symbol: string; data: TradingStatus }
  | { type: 'luld'; symbol: string; data: LuldBand }
  /** Corrections and cancel/errors come with a `trades` subscription (Alpaca's `c` and `x`). */
  | { type: 'correction'; symbol: string; data: TradeCorrection }
  | { type: 'cancel_error'; symbol: string; data: TradeCancelError }
  | { type: 'option_quote'; symbol: string; data: OptionQuote }
  | { type: 'option_trade'; symbol: string; data: OptionTrade };

export type UpstreamStreamStatus =
  /** Opening, authenticating or subscribing; nothing flows yet. */
  | 'connecting'
  /** Authenticated and subscribed: data flows. */
  | 'live'
  /** Interrupted (dropped, stalled, refused with 406, ...); retrying with backoff. */
  | 'reconnecting'
  /** A refusal that retrying cannot fix (402 auth failed, 409 insufficient subscription, 411 scope). */
  | 'failed'
  /** Closed by its owner. */
  | 'closed';

/** A problem to pass on to clients, in catalog terms. */
export interface UpstreamStreamProblem {
  code: Extract<
    ErrorCode,
    | 'UPSTREAM_STREAM_UNAVAILABLE'
    | 'UPSTREAM_SUBSCRIPTION_REQUIRED'
    | 'UPSTREAM_AUTHENTICATION_FAILED'
    | 'STREAM_SYMBOL_LIMIT'
    | 'UPSTREAM_INVALID_RESPONSE'
  >;
  message: string;
  /** Alpaca's error code and text when it sent one (`{"T":"error","code":405,"msg":"..."}`). */
  details: { upstream_code?: number; upstream_message?: string; [key: string]: unknown };
}

/** What an upstream stream tells its owner. Called synchronously from the socket's read loop: never block. */
export interface UpstreamStreamListener {
  /** The data messages of one upstream frame, in order, with the time the frame was read (ISO 8601). */
  data(messages: readonly StreamData[], receivedAt: string): void;
  /**
   * Status changes. On every return to `live` after an interruption, `gap` is the interval in which
   * data may have been missed (from the last frame read before, to the moment data flows again).
   */
  status(
    status: UpstreamStreamStatus,
    info: { gap?: { from: string; to: string; reason: string }; problem?: UpstreamStreamProblem },
  ): void;
  /** A refusal of a subscription change that leaves the socket up (e.g. 405 symbol limit): the change was not applied. */
  refused(problem: UpstreamStreamProblem): void;
}

export interface UpstreamStream {
  readonly endpoint: StreamEndpoint;
  /**
   * The whole wanted subscription. The stream sends Alpaca only the differences to what Alpaca has
   * acknowledged (subscribe for added, unsubscribe for removed symbols), and the whole set again
   * after every reconnect.
   */
  update(wanted: UpstreamSubscription): void;
  /** What Alpaca last acknowledged (its `subscription` message), per channel. */
  acknowledged(): UpstreamSubscription;
  status(): UpstreamStreamStatus;
  /** Closes the socket cleanly (so Alpaca frees the connection slot at once) and stops reconnecting. */
  close(): Promise<void>;
}

/**
 * The port for Alpaca's market-data streams. `open` creates the stream and starts connecting at
 * once; the owner (the stream hub) holds at most one per endpoint.
 */
export abstract class MarketStreamPort {
  abstract open(endpoint: StreamEndpoint, listener: UpstreamStreamListener): UpstreamStream;
}
