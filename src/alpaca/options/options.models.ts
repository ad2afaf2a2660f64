/**
 * Our models for options market data: snake_case names, values exactly as Alpaca sent them.
 * Greeks, implied volatility, the latest quote and the latest trade are optional upstream; when
 * Alpaca sends none they are null here with a false availability flag, never a computed value.
 */

export interface OptionQuote {
  timestamp: string;
  bid_price: number;
  bid_size: number;
  bid_exchange: string;
  ask_price: number;
  ask_size: number;
  ask_exchange: string;
  /** Alpaca's single quote condition code (e.g. "A", " "). */
  condition: string;
}

export interface OptionTrade {
  timestamp: string;
  price: number;
  size: number;
  exchange: string;
  /** Alpaca's single trade condition code (e.g. "I"). */
  condition: string;
}

export interface OptionGreeks {
  delta: number;
  gamma: number;
  theta: number;
  vega: number;
  rho: number;
}

/** One contract's snapshot as Alpaca has it; every member may be missing. */
export interface OptionSnapshot {
  latest_quote: OptionQuote | null;
  latest_trade: OptionTrade | null;
  greeks: OptionGreeks | null;
  implied_volatility: number | null;
  latest_quote_available: boolean;
  latest_trade_available: boolean;
  greeks_available: boolean;
  iv_available: boolean;
}

export type OptionType = 'call' | 'put';

/** One page of `/v1beta1/options/snapshots/{underlying}`, contracts in Alpaca's order. */
export interface OptionChainPage {
  snapshots: Array<{ symbol: string; snapshot: OptionSnapshot }>;
  next_page_token: string | null;
}

/** Chain filters, passed to Alpaca as given (strikes stay the caller's decimal strings). */
export interface OptionChainQuery {
  underlying: string;
  type?: OptionType;
  strikePriceGte?: string;
  strikePriceLte?: string;
  expirationDate?: string;
  expirationDateGte?: string;
  expirationDateLte?: string;
  limit?: number;
  pageToken?: string;
}

/** TR-SPEC `OptionContract` in our names; every decimal is Alpaca's string. */
export interface OptionContract {
  id: string;
  symbol: string;
  name: string;
  status: string;
  tradable: boolean;
  expiration_date: string;
  root_symbol: string | null;
  underlying_symbol: string;
  underlying_asset_id: string;
  option_type: string;
  style: string;
  strike_price: string;
  multiplier: string;
  size: string;
  open_interest: string | null;
  open_interest_date: string | null;
  close_price: string | null;
  close_price_date: string | null;
}

export interface OptionContractsPage {
  contracts: OptionContract[];
  next_page_token: string | null;
}

/** `/v2/options/contracts` filters with Alpaca's names, passed as given. */
export interface OptionContractsQuery {
  underlyingSymbols?: string;
  status?: 'active' | 'inactive';
  expirationDate?: string;
  expirationDateGte?: string;
  expirationDateLte?: string;
  rootSymbol?: string;
  type?: OptionType;
  style?: 'american' | 'european';
  strikePriceGte?: string;
  strikePriceLte?: string;
  limit?: number;
  pageToken?: string;
}
