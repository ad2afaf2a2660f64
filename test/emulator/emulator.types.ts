/**
 * Public types of the Alpaca emulator. Wire shapes keep Alpaca's one-letter keys exactly
 * (MD-SPEC `stock_quote`, `stock_trade`, `stock_bar`, `option_quote`, ... ; see
 * docs/alpaca-wire.md "REST shapes" and "Options data") so the gateway's mappers are exercised against
 * the real format.
 */

import type { StreamOptions } from './stream/stream.types.js';
import type { EmulatorAccountConfig } from './accounts/emulator-accounts.js';

export type EmulatorHost = 'data' | 'trading';

export interface RecordedRequest {
  host: EmulatorHost;
  method: string;
  /** Path without query string, percent-decoded. */
  path: string;
  /** Query parameters; when a name repeats, the last value wins. */
  query: Record<string, string>;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  /** Date.now() when the request was received. */
  at: number;
  /** The APCA-API-KEY-ID header as sent; absent when there was none. */
  keyId?: string;
  /**
   * The name of the emulator account whose credentials (key id and secret) came in; absent when
   * they matched no account (such a request is answered 401, unless a fault answers first).
   */
  account?: string;
}

interface FaultFilter {
  host?: EmulatorHost;
  method?: string;
  /** Matched against RecordedRequest.path; a string must match exactly. */
  path?: string | RegExp;
  /** How many matching requests the fault affects; unlimited when absent. */
  times?: number;
  /**
   * Only requests made with this account's credentials (its name or key id; stored as the name).
   * Absent: every request, whatever its credentials, as with one account.
   */
  account?: string;
}

export type FaultKind =
  | { kind: 'status'; status: number; body?: string | object; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'malformed' }
  | { kind: 'reset' }
  | { kind: 'empty' }
  | { kind: 'accept-then-hang' };

export type FaultSpec = FaultFilter & FaultKind;

/** The stream* members configure the market-data WebSockets (see StreamOptions). */
export interface EmulatorOptions extends StreamOptions {
  /** The one account's credentials when `accounts` is absent (defaults: emulator-key-id / emulator-secret-key). */
  keyId?: string;
  secretKey?: string;
  /**
   * Several Alpaca accounts behind one emulator (not together with keyId/secretKey). Each has its
   * own account object (own id and account_number), positions, orders, activities, portfolio
   * history and trade_updates, picked by the credentials a request or trading-stream connection
   * comes with; market data (REST and stream) is shared and open to every account's credentials.
   * The first account is the default of every method that takes an account, and its trading
   * state is `fixtures` itself. Absent: one account, named 'default'.
   */
  accounts?: ReadonlyArray<EmulatorAccountConfig>;
  latencyMs?: number;
  dataPort?: number;
  tradingPort?: number;
  /** What X-RateLimit-Limit/Remaining count down from per minute (default 200, Alpaca's free plan). */
  rateLimitPerMinute?: number;
  /**
   * Default false: fixtures are served exactly as they are (what every spec asserts on). True: stock
   * latest quotes/trades, snapshots and bars keep their prices but carry timestamps of `now`, and
   * `/v2/clock` follows a 09:30-16:00 New-York weekday session instead of fixtures.clock (see
   * live-market-data.ts). Options keep their fixture stamps: those contracts expired in 2024, and a
   * quote stamped today on an expired contract would contradict the contract list.
   */
  liveData?: boolean;
  /** The time liveData follows, in epoch ms; default the stream clock's (the system clock). */
  now?: () => number;
  /**
   * Default false: fixtures keep their dates (expired 2024 option contracts, 2022 bars and news).
   * True (the demo): on construction and reset() the fixtures' dates follow today in New York,
   * values unchanged: option expirations become the Fridays after today with every OCC symbol
   * rebuilt to match, market-data stamps move by whole weeks into the days before today, and with
   * liveData no daily bar exists for today before the 09:30 open (live-dates.ts). Read from `now`.
   */
  liveDates?: boolean;
  /**
   * Default false. True: every recorded REST request is checked against Alpaca's OpenAPI specs
   * (test/emulator/spec/alpaca-operations.json); what fails lands in `specViolations`.
   */
  specCheck?: boolean;
}

/** MD-SPEC `stock_quote`. `z` is optional because §7.4's snapshot quote lacks it. */
export interface WireStockQuote {
  t: string;
  bx: string;
  bp: number;
  bs: number;
  ax: string;
  ap: number;
  as: number;
  c: string[];
  z?: string;
}

/** MD-SPEC `stock_trade`. */
export interface WireStockTrade {
  t: string;
  x: string;
  p: number;
  s: number;
  c: string[];
  i: number;
  z: string;
  u?: 'canceled' | 'incorrect' | 'corrected';
}

/** MD-SPEC `stock_bar` / `option_bar`. */
export interface WireBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

/** MD-SPEC `stock_snapshot`: every member optional, and a member may be null on the wire. */
export interface WireStockSnapshot {
  latestTrade?: WireStockTrade | null;
  latestQuote?: WireStockQuote | null;
  minuteBar?: WireBar | null;
  dailyBar?: WireBar | null;
  prevDailyBar?: WireBar | null;
}

/** MD-SPEC `option_quote`: `c` is a single string and there is no `z`. */
export interface WireOptionQuote {
  t: string;
  bx: string;
  bp: number;
  bs: number;
  ax: string;
  ap: number;
  as: number;
  c: string;
}

/** MD-SPEC `option_trade`: no `i`, no `z`. */
export interface WireOptionTrade {
  t: string;
  x: string;
  p: number;
  s: number;
  c: string;
}

export interface WireGreeks {
  delta: number;
  gamma: number;
  rho: number;
  theta: number;
  vega: number;
}

/** MD-SPEC `option_snapshot`: all members optional; absent members are omitted, never null. */
export interface WireOptionSnapshot {
  latestQuote?: WireOptionQuote;
  latestTrade?: WireOptionTrade;
  greeks?: WireGreeks;
  impliedVolatility?: number;
  minuteBar?: WireBar;
  dailyBar?: WireBar;
  prevDailyBar?: WireBar;
}

/** MD-SPEC `stock_auction`; `s` is optional on the wire. */
export interface WireAuction {
  t: string;
  x: string;
  p: number;
  s?: number;
  c: string;
}

/** MD-SPEC `stock_daily_auctions`. */
export interface WireDailyAuctions {
  d: string;
  o: WireAuction[];
  c: WireAuction[];
}

/** Condition and exchange code tables (MD-SPEC `stock_conditions`, `option_exchanges`, …). */
export interface CodeFixtures {
  stockConditions: Record<'trade' | 'quote', Record<string, string>>;
  stockExchanges: Record<string, string>;
  optionConditions: Record<'trade' | 'quote', Record<string, string>>;
  optionExchanges: Record<string, string>;
}

/** TR-SPEC `legacy_clock`. */
export interface WireClock {
  timestamp: string;
  is_open: boolean;
  next_open: string;
  next_close: string;
}

export interface EmulatorFixtures {
  stockQuotes: Record<string, WireStockQuote>;
  stockTrades: Record<string, WireStockTrade>;
  /** A null value makes the emulator answer `"SYM": null` (GO TestSnapshots' `"INVALID": null`). */
  stockSnapshots: Record<string, WireStockSnapshot | null>;
  /** Sorted ascending by `t`. */
  stockBars: Record<string, WireBar[]>;
  /** Keyed by OCC symbol; serves options snapshots, the chain and options latest quotes/trades. */
  optionSnapshots: Record<string, WireOptionSnapshot>;
  clock: WireClock;
  account: Record<string, unknown>;
  positions: Array<Record<string, unknown>>;
  orders: Array<Record<string, unknown>>;
  optionContracts: Array<Record<string, unknown>>;
  /** GET /v2/account/activities, newest first (ids sort by time). */
  activities: Array<Record<string, unknown>>;
  /** GET /v2/account/portfolio/history: `daily` answers timeframe 1D (and the default), `intraday` the rest. */
  portfolioHistory: { daily: Record<string, unknown>; intraday: Record<string, unknown> };
  /** Historical quotes / trades / auctions per symbol, ascending by time. */
  stockQuoteHistory: Record<string, WireStockQuote[]>;
  stockTradeHistory: Record<string, WireStockTrade[]>;
  stockAuctions: Record<string, WireDailyAuctions[]>;
  stockLatestBars: Record<string, WireBar>;
  /** Option bars / trades per OCC symbol, ascending by time. */
  optionBars: Record<string, WireBar[]>;
  optionTrades: Record<string, WireOptionTrade[]>;
  codes: CodeFixtures;
  /** Newest first. */
  news: Array<Record<string, unknown>>;
  /** Lists by Alpaca's type key (cash_dividends, …). */
  corporateActions: Record<string, Array<Record<string, unknown>>>;
  mostActives: Record<string, unknown>;
  movers: Record<string, unknown>;
  assets: Array<Record<string, unknown>>;
  calendar: Array<Record<string, unknown>>;
}
