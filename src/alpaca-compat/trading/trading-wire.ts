import type { Asset, CalendarDay } from '../../alpaca/reference/market-reference.models.js';
import type { OptionContract } from '../../alpaca/options/options.models.js';
import type { TradingObject, TradingValue } from '../../alpaca/trading/trading.models.js';

/*
 * The few trading-host objects the gateway keeps under its own names, back in Alpaca's (TR-SPEC, see docs/alpaca-wire.md "Sources";
 * `Assets`, `OptionContract`, `legacy_calendar_day`, the 207 lists). Values are never touched.
 * Optional members the gateway holds as null because Alpaca did not send them are left out again.
 */

type Wire = Record<string, unknown>;

function withPresent(out: Wire, optional: Record<string, unknown>): Wire {
  for (const [k, v] of Object.entries(optional)) if (v !== null) out[k] = v;
  return out;
}

/** TR-SPEC `Assets`: `class` (the gateway's `asset_class`); the optional members only when Alpaca sent them. */
export function wireAsset(a: Asset): Wire {
  const out: Wire = {
    id: a.id,
    class: a.asset_class,
    exchange: a.exchange,
    symbol: a.symbol,
    name: a.name,
    status: a.status,
    tradable: a.tradable,
    marginable: a.marginable,
    shortable: a.shortable,
    easy_to_borrow: a.easy_to_borrow,
    fractionable: a.fractionable,
  };
  return withPresent(out, {
    cusip: a.cusip,
    attributes: a.attributes,
    borrow_status: a.borrow_status,
    margin_requirement_long: a.margin_requirement_long,
    margin_requirement_short: a.margin_requirement_short,
    maintenance_margin_requirement: a.maintenance_margin_requirement,
    min_order_size: a.min_order_size,
    min_trade_increment: a.min_trade_increment,
    price_increment: a.price_increment,
  });
}

/** TR-SPEC `legacy_calendar_day`; older answers have no settlement_date. */
export function wireCalendarDay(d: CalendarDay): Wire {
  const out: Wire = {
    date: d.date,
    open: d.open,
    close: d.close,
    session_open: d.session_open,
    session_close: d.session_close,
  };
  return withPresent(out, { settlement_date: d.settlement_date });
}

/** TR-SPEC `OptionContract`: `type` (the gateway's `option_type`); open interest and close price may be null. */
export function wireContract(c: OptionContract): Wire {
  return {
    id: c.id,
    symbol: c.symbol,
    name: c.name,
    status: c.status,
    tradable: c.tradable,
    expiration_date: c.expiration_date,
    root_symbol: c.root_symbol,
    underlying_symbol: c.underlying_symbol,
    underlying_asset_id: c.underlying_asset_id,
    type: c.option_type,
    style: c.style,
    strike_price: c.strike_price,
    multiplier: c.multiplier,
    size: c.size,
    open_interest: c.open_interest,
    open_interest_date: c.open_interest_date,
    close_price: c.close_price,
    close_price_date: c.close_price_date,
  };
}

/**
 * One entry of a 207 list as Alpaca sent it: /api/v1's `accepted` flag dropped; a cancel entry
 * carries a body only when Alpaca gave one (TR-SPEC `CanceledOrderResponse` is `{id, status}`),
 * a close entry always (`PositionClosedReponse`).
 */
export function wireMultiStatus(entry: TradingObject, keep: 'body' | 'body_if_any'): Record<string, TradingValue> {
  const out: Record<string, TradingValue> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'accepted') continue;
    if (k === 'body' && keep === 'body_if_any' && v === null) continue;
    out[k] = v;
  }
  return out;
}
