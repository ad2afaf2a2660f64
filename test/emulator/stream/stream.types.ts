/**
 * Public types of the emulator's market-data streams (docs/alpaca-wire.md "Framing and encoding" to "Stream errors"; §-numbers below: its "Section numbers in older comments").
 * Wire messages keep Alpaca's one-letter keys; endpoints are named by their URL path.
 */

/** The stream paths served on the data listener (§1); anything else is a 404 at upgrade. */
export type StreamEndpoint =
  '/v2/iex' | '/v2/sip' | '/v2/delayed_sip' | '/v2/test' | '/v1beta1/indicative' | '/v1beta1/opra';

/** Chosen per connection by the upgrade's Content-Type (§2); options accept only msgpack. */
export type StreamEncoding = 'json' | 'msgpack';

/** Channels a client may name in subscribe/unsubscribe on a stock stream (§3). */
export type StockRequestChannel =
  'trades' | 'quotes' | 'bars' | 'updatedBars' | 'dailyBars' | 'statuses' | 'lulds' | 'imbalances';

/** Every channel an ack can list: stock channels plus the two derived from `trades` (§3). */
export type StreamChannel = StockRequestChannel | 'corrections' | 'cancelErrors';

/** A connection's current subscription: channel → symbols in the order they were added. */
export type StreamSubscription = Partial<Record<StreamChannel, string[]>>;

/**
 * One server→client data message as Alpaca writes it: `T` first, `S` the symbol, `t` an
 * RFC-3339 string with nanoseconds (sent as a msgpack timestamp on msgpack connections).
 */
export interface StreamDataMessage {
  T: string;
  S: string;
  [key: string]: unknown;
}

/** A stream connection as the emulator saw it; the object is updated in place until it closes. */
export interface StreamConnectionRecord {
  /** 1, 2, 3, ... per emulator; the key for streamSubscription(). */
  id: number;
  endpoint: StreamEndpoint;
  encoding: StreamEncoding;
  /** clock.now() at the upgrade, and at the close. */
  openedAt: number;
  closedAt?: number;
  /** True once `authenticated` was sent (stays true after the close). */
  authenticated: boolean;
  /** The key id that authenticated. */
  keyId?: string;
  /** WebSocket close code; 1006 means no close frame (an unclean drop). */
  closeCode?: number;
}

/** A client frame as received, decoded from JSON (text frame) or msgpack (binary frame). */
export interface StreamActionRecord {
  connectionId: number;
  endpoint: StreamEndpoint;
  at: number;
  /** The decoded frame; for a frame that does not decode, its raw text (binary as hex). */
  frame: unknown;
  decoded: boolean;
}

/** The live view of one open connection. */
export interface StreamConnectionView {
  id: number;
  endpoint: StreamEndpoint;
  authenticated: boolean;
  subscription: StreamSubscription;
}

/**
 * Time for the stream side: auth timeout, 406 slot hold, delayed closes, pings and auto-ticks
 * all go through it, so tests can substitute a ManualClock and never sleep.
 */
export interface StreamClock {
  now(): number;
  /** Runs `callback` once after `ms`; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export interface StreamOptions {
  /** Default: the system clock. */
  streamClock?: StreamClock;
  /** Auto-tick period in ms; off when absent (tests call streamTick()). */
  streamTickMs?: number;
  /** No successful auth within this → 404 `auth timeout`, then close (default 10 s, §3). */
  streamAuthTimeoutMs?: number;
  /** Authenticated connections per key per endpoint (default 1, §5). */
  streamConnectionLimit?: number;
  /** How long an unclean drop keeps its 406 slot (default 90 s, §5 FORUM-406). */
  streamSlotHoldMs?: number;
  /** Delay between a 406 and closing that socket (default 10 s, §5 OBS). */
  streamRejectCloseMs?: number;
  /** Max distinct symbols per connection outside the bar channels; unlimited when absent (§5). */
  streamSymbolLimit?: number;
  /** Server ping period; off when absent (Alpaca pings every ~54 s, §6). */
  streamPingMs?: number;
  /** A ping unanswered this long ends the socket without a close frame (default 6 s, §6). */
  streamPongTimeoutMs?: number;
}
