import type { BatchItem, DedupedBatchSummary } from '../core/attribution/batch-result.js';
import type { OptionContract, OptionSnapshot, OptionType } from '../alpaca/options/options.models.js';

/* What the options routes answer with (inside the success envelope). */

/** Terms decoded from the OCC symbol: decoding, not computing. */
export interface OptionContractTerms {
  symbol: string;
  root_symbol: string;
  expiration_date: string;
  option_type: OptionType;
  /** Decimal string, e.g. "162.5". */
  strike_price: string;
}

/** A contract's terms and Alpaca's snapshot of it. */
export type OptionQuoteResult = OptionContractTerms & OptionSnapshot;

export type OptionBatchItem = BatchItem<OptionQuoteResult, 'OPTION_DATA_UNAVAILABLE'>;

export interface OptionBatchResult {
  quotes: OptionBatchItem[];
  summary: DedupedBatchSummary;
}

export interface PageInfo {
  has_more: boolean;
  next_page_token: string | null;
  /** Items on this page. */
  count: number;
}

/** How complete this page is: how many contracts carry each optional member. */
export interface ChainCompleteness {
  contracts: number;
  with_greeks: number;
  with_implied_volatility: number;
  with_latest_quote: number;
  with_latest_trade: number;
}

export interface OptionChainResult {
  underlying_symbol: string;
  contracts: OptionQuoteResult[];
  completeness: ChainCompleteness;
  page_info: PageInfo;
}

export interface OptionContractsResult {
  contracts: OptionContract[];
  page_info: PageInfo;
}
