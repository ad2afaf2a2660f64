/**
 * Trading objects as Alpaca sends them (already snake_case): every decimal stays a string, unset
 * values are null. We copy the documented fields by name (docs/alpaca-wire.md "Trading objects and orders") rather than pass the
 * vendor's object through, so an unexpected field never reaches clients unreviewed.
 */
export type TradingValue = string | number | boolean | null | TradingValue[] | { [k: string]: TradingValue };
export type TradingObject = Record<string, TradingValue>;

export const ACCOUNT_FIELDS = [
  'id',
  'account_number',
  'status',
  'crypto_status',
  'currency',
  'cash',
  'buying_power',
  'regt_buying_power',
  'non_marginable_buying_power',
  'options_buying_power',
  'equity',
  'last_equity',
  'portfolio_value',
  'long_market_value',
  'short_market_value',
  'initial_margin',
  'maintenance_margin',
  'last_maintenance_margin',
  'sma',
  'multiplier',
  'shorting_enabled',
  'trading_blocked',
  'transfers_blocked',
  'account_blocked',
  'trade_suspended_by_user',
  'options_approved_level',
  'options_trading_level',
  'accrued_fees',
  'pending_transfer_in',
  'pending_transfer_out',
  'balance_asof',
  'created_at',
] as const;

export const POSITION_FIELDS = [
  'asset_id',
  'symbol',
  'exchange',
  'asset_class',
  'asset_marginable',
  'qty',
  'qty_available',
  'avg_entry_price',
  'side',
  'market_value',
  'cost_basis',
  'unrealized_pl',
  'unrealized_plpc',
  'unrealized_intraday_pl',
  'unrealized_intraday_plpc',
  'current_price',
  'lastday_price',
  'change_today',
] as const;

export const ORDER_FIELDS = [
  'id',
  'client_order_id',
  'created_at',
  'updated_at',
  'submitted_at',
  'filled_at',
  'expired_at',
  'canceled_at',
  'failed_at',
  'replaced_at',
  'replaced_by',
  'replaces',
  'asset_id',
  'symbol',
  'asset_class',
  'notional',
  'qty',
  'filled_qty',
  'filled_avg_price',
  'order_class',
  'type',
  'side',
  'position_intent',
  'time_in_force',
  'limit_price',
  'stop_price',
  'status',
  'extended_hours',
  'legs',
  'trail_percent',
  'trail_price',
  'hwm',
] as const;

/** An order leg as Alpaca answers it: an order of its own plus its ratio (TR-SPEC `OrderLeg`). */
export const LEG_FIELDS = [...ORDER_FIELDS, 'ratio_qty'] as const;

/**
 * Activities (TR-SPEC `TradingActivities` and `NonTradeActivities`). An activity is one or the
 * other, so only the members Alpaca sent are copied: a dividend never grows a `price: null`.
 */
export const ACTIVITY_FIELDS = [
  'id',
  'activity_type',
  'activity_sub_type',
  'transaction_time',
  'type',
  'price',
  'qty',
  'side',
  'symbol',
  'leaves_qty',
  'order_id',
  'cum_qty',
  'order_status',
  'date',
  'created_at',
  'net_amount',
  'per_share_amount',
  'currency',
  'cusip',
  'group_id',
  'status',
  'description',
] as const;

/** TR-SPEC `PortfolioHistory`: numbers as Alpaca sends them (JSON numbers; null entries kept). */
export const PORTFOLIO_HISTORY_FIELDS = [
  'timestamp',
  'equity',
  'profit_loss',
  'profit_loss_pct',
  'base_value',
  'base_value_asof',
  'timeframe',
  'cashflow',
] as const;

export type PositionIntent = 'buy_to_open' | 'buy_to_close' | 'sell_to_open' | 'sell_to_close';

/** One leg of a multi-leg options order (TR-SPEC `MLegOrderLeg`). */
export interface OrderLegRequest {
  symbol: string;
  ratio_qty: string;
  side?: 'buy' | 'sell';
  position_intent?: PositionIntent;
}

/** What we send to POST /v2/orders (already validated). `symbol` and `side` are absent on mleg orders. */
export interface OrderRequest {
  symbol?: string;
  side?: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  time_in_force: 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
  qty?: string;
  notional?: string;
  limit_price?: string;
  stop_price?: string;
  trail_price?: string;
  trail_percent?: string;
  extended_hours?: boolean;
  order_class?: 'simple' | 'bracket' | 'oco' | 'oto' | 'mleg';
  position_intent?: PositionIntent;
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string; limit_price?: string };
  legs?: OrderLegRequest[];
  client_order_id: string;
}

/** What we send to PATCH /v2/orders/{id} (TR-SPEC `PatchOrderRequest`); the key becomes the new order's client_order_id. */
export interface ReplaceOrderRequest {
  qty?: string;
  limit_price?: string;
  stop_price?: string;
  trail?: string;
  time_in_force?: 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
  client_order_id: string;
}

/** DELETE /v2/positions/{symbol}: at most one of the two (validated). */
export interface ClosePositionQuery {
  qty?: string;
  percentage?: string;
}

export interface ActivitiesQuery {
  activity_types?: string;
  category?: 'trade_activity' | 'non_trade_activity';
  date?: string;
  after?: string;
  until?: string;
  direction?: 'asc' | 'desc';
  page_size?: number;
  page_token?: string;
}

export interface PortfolioHistoryQuery {
  period?: string;
  timeframe?: string;
  intraday_reporting?: 'market_hours' | 'extended_hours' | 'continuous';
  start?: string;
  end?: string;
  pnl_reset?: 'per_day' | 'no_reset';
  extended_hours?: boolean;
  cashflow_types?: string;
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
