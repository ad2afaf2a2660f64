/**
 * Trading objects as Alpaca sends them (already snake_case): every decimal stays a string, unset
 * values are null. We copy the documented fields by name (alpaca-api.md §4) rather than pass the
 * vendor's object through, so an unexpected field never reaches clients unreviewed.
 */
export type TradingValue = string | number | boolean | null | TradingValue[] | { [k: string]: TradingValue };
export type TradingObject = Record<string, TradingValue>;

export const ACCOUNT_FIELDS = [
  'id', 'account_number', 'status', 'crypto_status', 'currency', 'cash', 'buying_power', 'regt_buying_power',
  'non_marginable_buying_power', 'options_buying_power', 'equity', 'last_equity', 'portfolio_value', 'long_market_value',
  'short_market_value', 'initial_margin', 'maintenance_margin', 'last_maintenance_margin', 'sma', 'multiplier',
  'shorting_enabled', 'trading_blocked', 'transfers_blocked', 'account_blocked', 'trade_suspended_by_user',
  'options_approved_level', 'options_trading_level', 'accrued_fees', 'pending_transfer_in', 'pending_transfer_out',
  'balance_asof', 'created_at',
] as const;

export const POSITION_FIELDS = [
  'asset_id', 'symbol', 'exchange', 'asset_class', 'asset_marginable', 'qty', 'qty_available', 'avg_entry_price', 'side',
  'market_value', 'cost_basis', 'unrealized_pl', 'unrealized_plpc', 'unrealized_intraday_pl', 'unrealized_intraday_plpc',
  'current_price', 'lastday_price', 'change_today',
] as const;

export const ORDER_FIELDS = [
  'id', 'client_order_id', 'created_at', 'updated_at', 'submitted_at', 'filled_at', 'expired_at', 'canceled_at', 'failed_at',
  'replaced_at', 'replaced_by', 'replaces', 'asset_id', 'symbol', 'asset_class', 'notional', 'qty', 'filled_qty',
  'filled_avg_price', 'order_class', 'type', 'side', 'position_intent', 'time_in_force', 'limit_price', 'stop_price', 'status',
  'extended_hours', 'legs', 'trail_percent', 'trail_price', 'hwm',
] as const;

/** What we send to POST /v2/orders (already validated). */
export interface OrderRequest {
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  time_in_force: 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
  qty?: string;
  notional?: string;
  limit_price?: string;
  stop_price?: string;
  trail_price?: string;
  trail_percent?: string;
  extended_hours?: boolean;
  order_class?: 'simple' | 'bracket' | 'oco' | 'oto';
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string; limit_price?: string };
  client_order_id: string;
}

export interface OrdersQuery {
  status?: 'open' | 'closed' | 'all';
  limit?: number;
  after?: string;
  until?: string;
  direction?: 'asc' | 'desc';
  symbols?: string;
  nested?: boolean;
}
