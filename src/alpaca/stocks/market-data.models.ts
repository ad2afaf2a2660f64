/**
 * Our models for stock market data: snake_case names, values exactly as Alpaca sent them.
 * Optional upstream members are null (never zero or a default).
 */
export interface StockQuote {
  timestamp: string;
  bid_price: number;
  bid_size: number;
  bid_exchange: string;
  ask_price: number;
  ask_size: number;
  ask_exchange: string;
  conditions: string[];
  tape: string | null;
}

export interface StockTrade {
  timestamp: string;
  price: number;
  size: number;
  exchange: string;
  conditions: string[];
  tape: string | null;
  /** Alpaca's uint64 trade id as a decimal string, so no digit is ever lost. */
  trade_id: string;
  /** `canceled` | `incorrect` | `corrected` when Alpaca flags the trade, else null. */
  update: string | null;
}

export interface Bar {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trade_count: number | null;
  vwap: number | null;
}

/** A stock's trading status (stream channel `statuses`): halts, pauses, resumptions; codes as Alpaca sent them (the CTA and UTP tables; docs/alpaca-wire.md). */
export interface TradingStatus {
  timestamp: string;
  status_code: string;
  status_message: string | null;
  reason_code: string | null;
  reason_message: string | null;
  tape: string | null;
}

/** A limit up-limit down price band (stream channel `lulds`). */
export interface LuldBand {
  timestamp: string;
  limit_up_price: number;
  limit_down_price: number;
  indicator: string | null;
  tape: string | null;
}

/** A correction of an earlier trade (sent with `trades`): the original and the corrected trade. Ids as decimal strings, like trade_id. */
export interface TradeCorrection {
  timestamp: string;
  exchange: string;
  original_trade_id: string;
  original_price: number;
  original_size: number;
  original_conditions: string[];
  corrected_trade_id: string;
  corrected_price: number;
  corrected_size: number;
  corrected_conditions: string[];
  tape: string | null;
}

/** An earlier trade canceled or flagged as an error (sent with `trades`); `action` is Alpaca's `C` (cancel) or `E` (error). */
export interface TradeCancelError {
  timestamp: string;
  trade_id: string;
  exchange: string;
  price: number;
  size: number;
  action: string;
  tape: string | null;
}

export interface StockSnapshot {
  latest_trade: StockTrade | null;
  latest_quote: StockQuote | null;
  minute_bar: Bar | null;
  daily_bar: Bar | null;
  prev_daily_bar: Bar | null;
  /** Which members Alpaca sent; a false flag goes with a null member. */
  availability: {
    latest_trade: boolean;
    latest_quote: boolean;
    minute_bar: boolean;
    daily_bar: boolean;
    prev_daily_bar: boolean;
  };
}

export interface BarsPage {
  /** Bars of the requested symbol on this page, in Alpaca's order. */
  bars: Bar[];
  next_page_token: string | null;
}

export interface MarketClock {
  timestamp: string;
  is_open: boolean;
  next_open: string;
  next_close: string;
}

export type BarsSort = 'asc' | 'desc';

export interface BarsQuery {
  symbol: string;
  timeframe: string;
  start?: string;
  end?: string;
  limit?: number;
  pageToken?: string;
  adjustment?: string;
  sort?: BarsSort;
  asof?: string;
}
