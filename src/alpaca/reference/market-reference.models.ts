/**
 * Our models for the pass-through market data (history pages, news, corporate actions,
 * screeners, condition and exchange codes, assets, the calendar): snake_case names, values exactly
 * as Alpaca sent them, null where Alpaca left a member out. Plain objects only (no Map), so a cached
 * copy survives the JSON round trip of the shared Redis layer.
 */

/** One page of a multi-symbol history endpoint: per symbol, the items of this page in Alpaca's order. */
export interface SymbolPage<T> {
  by_symbol: Record<string, T[]>;
  next_page_token: string | null;
}

/** One page of a list endpoint (news). */
export interface ListPage<T> {
  items: T[];
  next_page_token: string | null;
}

/** Per-symbol latest values of a multi-symbol endpoint; a symbol Alpaca had nothing for is absent. */
export type SymbolRecord<T> = Record<string, T>;

/** Condition or exchange codes: code → Alpaca's description. */
export type CodeMap = Record<string, string>;

/** One auction print (MD-SPEC `stock_auction`). */
export interface StockAuction {
  timestamp: string;
  exchange: string;
  price: number;
  /** Alpaca sends no size for some auction prints. */
  size: number | null;
  condition: string;
}

/** Opening and closing auctions of one day (MD-SPEC `stock_daily_auctions`). */
export interface DailyAuctions {
  date: string;
  opens: StockAuction[];
  closes: StockAuction[];
}

export interface NewsImage {
  size: string;
  url: string;
}

/** MD-SPEC `news`; `content` is empty text unless include_content was asked for. */
export interface NewsArticle {
  id: number;
  headline: string;
  author: string;
  created_at: string;
  updated_at: string;
  summary: string;
  content: string;
  url: string | null;
  images: NewsImage[];
  symbols: string[];
  source: string;
}

/** One corporate action: the members its type declares, each as Alpaca sent it or null. */
export type CorporateAction = Record<
  string,
  string | number | boolean | null | Array<Record<string, string | number | null>>
>;

/** The 15 corporate-action lists of one page; a type Alpaca did not send is null. */
export type CorporateActions = Record<string, CorporateAction[] | null>;

export interface CorporateActionsPage {
  corporate_actions: CorporateActions;
  next_page_token: string | null;
}

export interface MostActive {
  symbol: string;
  volume: number;
  trade_count: number;
}

export interface MostActives {
  most_actives: MostActive[];
  last_updated: string;
}

export interface Mover {
  symbol: string;
  percent_change: number;
  change: number;
  price: number;
}

export interface Movers {
  gainers: Mover[];
  losers: Mover[];
  market_type: string;
  last_updated: string;
}

/** TR-SPEC `Assets`; `class` is renamed `asset_class` as on positions. Decimals stay strings. */
export interface Asset {
  id: string;
  asset_class: string;
  exchange: string;
  symbol: string;
  name: string;
  status: string;
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easy_to_borrow: boolean;
  fractionable: boolean;
  cusip: string | null;
  attributes: string[] | null;
  borrow_status: string | null;
  margin_requirement_long: string | null;
  margin_requirement_short: string | null;
  maintenance_margin_requirement: number | null;
  min_order_size: string | null;
  min_trade_increment: string | null;
  price_increment: string | null;
}

/** TR-SPEC `legacy_calendar_day`; older answers lack settlement_date. */
export interface CalendarDay {
  date: string;
  open: string;
  close: string;
  session_open: string;
  session_close: string;
  settlement_date: string | null;
}
