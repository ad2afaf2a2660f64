/**
 * Alpaca's wire format (alpaca-api.md §2–4), one-letter keys and all. These types never leave the
 * alpaca module: mappers turn them into our snake_case models.
 */
export interface WireStockQuote {
  t: string;
  bx: string;
  bp: number;
  bs: number;
  ax: string;
  ap: number;
  as: number;
  c: string[];
  /** Required by the spec but missing from some real payloads (alpaca-api.md §7.4). */
  z?: string;
}

export interface WireStockTrade {
  t: string;
  x: string;
  p: number;
  s: number;
  c: string[];
  /** uint64; kept as a string when it would not fit a double exactly. */
  i: number | string;
  z?: string;
  u?: string;
}

export interface WireBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n?: number;
  vw?: number;
}

export interface WireStockSnapshot {
  latestTrade?: WireStockTrade | null;
  latestQuote?: WireStockQuote | null;
  minuteBar?: WireBar | null;
  dailyBar?: WireBar | null;
  prevDailyBar?: WireBar | null;
}

export interface WireLatestQuotes {
  quotes: Record<string, WireStockQuote>;
}

export interface WireLatestTrades {
  trades: Record<string, WireStockTrade>;
}

/** Stock multi-snapshots are a bare map; unknown symbols may be absent or null. */
export type WireStockSnapshots = Record<string, WireStockSnapshot | null>;

export interface WireBarsPage {
  bars: Record<string, WireBar[]>;
  next_page_token: string | null;
}

export interface WireClock {
  timestamp: string;
  is_open: boolean;
  next_open: string;
  next_close: string;
}

/** Alpaca's error body; `code` is optional on market data and may be a string (alpaca-api.md §5.1). */
export interface WireError {
  code?: number | string;
  message?: string;
}
