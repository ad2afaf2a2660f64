import type {
  WireOptionContract,
  WireOptionGreeks,
  WireOptionQuote,
  WireOptionSnapshot,
  WireOptionTrade,
} from './option-wire.types.js';
import type { OptionContract, OptionGreeks, OptionQuote, OptionSnapshot, OptionTrade } from './options.models.js';

/** Pure wire → model mappers for options: renames only, no arithmetic on any value. */
export function toOptionQuote(q: WireOptionQuote): OptionQuote {
  return {
    timestamp: q.t,
    bid_price: q.bp,
    bid_size: q.bs,
    bid_exchange: q.bx,
    ask_price: q.ap,
    ask_size: q.as,
    ask_exchange: q.ax,
    condition: q.c,
  };
}

export function toOptionTrade(t: WireOptionTrade): OptionTrade {
  return { timestamp: t.t, price: t.p, size: t.s, exchange: t.x, condition: t.c };
}

export function toOptionGreeks(g: WireOptionGreeks): OptionGreeks {
  return { delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega, rho: g.rho };
}

export function toOptionSnapshot(s: WireOptionSnapshot): OptionSnapshot {
  const latestQuote = s.latestQuote ? toOptionQuote(s.latestQuote) : null;
  const latestTrade = s.latestTrade ? toOptionTrade(s.latestTrade) : null;
  const greeks = s.greeks ? toOptionGreeks(s.greeks) : null;
  const iv = s.impliedVolatility ?? null;
  return {
    latest_quote: latestQuote,
    latest_trade: latestTrade,
    greeks,
    implied_volatility: iv,
    latest_quote_available: latestQuote !== null,
    latest_trade_available: latestTrade !== null,
    greeks_available: greeks !== null,
    iv_available: iv !== null,
  };
}

export function toOptionContract(c: WireOptionContract): OptionContract {
  return {
    id: c.id,
    symbol: c.symbol,
    name: c.name,
    status: c.status,
    tradable: c.tradable,
    expiration_date: c.expiration_date,
    root_symbol: c.root_symbol ?? null,
    underlying_symbol: c.underlying_symbol,
    underlying_asset_id: c.underlying_asset_id,
    option_type: c.type,
    style: c.style,
    strike_price: c.strike_price,
    multiplier: c.multiplier,
    size: c.size,
    open_interest: c.open_interest ?? null,
    open_interest_date: c.open_interest_date ?? null,
    close_price: c.close_price ?? null,
    close_price_date: c.close_price_date ?? null,
  };
}

/** Timestamps an option snapshot carries, for `data_timestamp` (the newest one wins). */
export function optionSnapshotTimestamps(s: OptionSnapshot): string[] {
  return [s.latest_quote?.timestamp, s.latest_trade?.timestamp].filter((t): t is string => t !== undefined);
}

/** True when Alpaca sent an entry for the contract but nothing in it (seen for adjusted contracts). */
export function isEmptyOptionSnapshot(s: OptionSnapshot): boolean {
  return !s.latest_quote_available && !s.latest_trade_available && !s.greeks_available && !s.iv_available;
}
