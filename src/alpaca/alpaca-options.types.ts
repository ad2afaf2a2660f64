/**
 * Alpaca's options wire format (alpaca-api.md §3.2, §4.7). Like `alpaca.types.ts`, these types
 * never leave the alpaca module: the option mapper turns them into our models.
 */

/** MD-SPEC `option_quote`: `c` is one string (not an array) and there is no `z`. */
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

/** MD-SPEC `option_trade`: `c` is one string; no `i`, no `z`. */
export interface WireOptionTrade {
  t: string;
  x: string;
  p: number;
  s: number;
  c: string;
}

/** MD-SPEC `option_greeks`: present as a whole (all five members) or absent. */
export interface WireOptionGreeks {
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  rho: number;
}

/**
 * MD-SPEC `option_snapshot`: every member optional and, in practice, omitted when missing.
 * `impliedVolatility` is a sibling of `greeks`, not inside it. The bar members the 2026 spec
 * added are not part of our contract and are not read.
 */
export interface WireOptionSnapshot {
  latestQuote?: WireOptionQuote;
  latestTrade?: WireOptionTrade;
  greeks?: WireOptionGreeks;
  impliedVolatility?: number;
}

/** Snapshots by contract and the chain share one envelope (both keys required by the spec). */
export interface WireOptionSnapshotsPage {
  snapshots: Record<string, WireOptionSnapshot>;
  next_page_token: string | null;
}

/** TR-SPEC `OptionContract`; decimals are strings, open interest and close price may be null. */
export interface WireOptionContract {
  id: string;
  symbol: string;
  name: string;
  status: string;
  tradable: boolean;
  expiration_date: string;
  root_symbol?: string;
  underlying_symbol: string;
  underlying_asset_id: string;
  type: string;
  style: string;
  strike_price: string;
  multiplier: string;
  size: string;
  open_interest?: string;
  open_interest_date?: string;
  close_price?: string;
  close_price_date?: string;
}

export interface WireOptionContractsPage {
  option_contracts: WireOptionContract[];
  next_page_token: string | null;
}
