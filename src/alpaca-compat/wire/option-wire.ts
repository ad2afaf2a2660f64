import type { OptionGreeks, OptionQuote, OptionSnapshot, OptionTrade } from '../../alpaca/options.models.js';
import type { WireObject } from './stock-wire.js';

/*
 * Our option models back into Alpaca's wire objects (MD-SPEC `option_*`): renames only. A member
 * Alpaca did not send (null here, with its availability flag false) is left out, as Alpaca leaves
 * it out: greeks and impliedVolatility are never made up.
 */

/** MD-SPEC `option_quote`: `c` is one string, there is no `z`. */
export function wireOptionQuote(q: OptionQuote): WireObject {
  return { t: q.timestamp, bx: q.bid_exchange, bp: q.bid_price, bs: q.bid_size, ax: q.ask_exchange, ap: q.ask_price, as: q.ask_size, c: q.condition };
}

/** MD-SPEC `option_trade`: `c` is one string; no `i`, no `z`. */
export function wireOptionTrade(t: OptionTrade): WireObject {
  return { t: t.timestamp, x: t.exchange, p: t.price, s: t.size, c: t.condition };
}

function wireGreeks(g: OptionGreeks): WireObject {
  return { delta: g.delta, gamma: g.gamma, rho: g.rho, theta: g.theta, vega: g.vega };
}

/** MD-SPEC `option_snapshot`; `impliedVolatility` is a sibling of `greeks`, as on the wire. */
export function wireOptionSnapshot(s: OptionSnapshot): WireObject {
  const out: WireObject = {};
  if (s.latest_quote !== null) out['latestQuote'] = wireOptionQuote(s.latest_quote);
  if (s.latest_trade !== null) out['latestTrade'] = wireOptionTrade(s.latest_trade);
  if (s.greeks !== null) out['greeks'] = wireGreeks(s.greeks);
  if (s.implied_volatility !== null) out['impliedVolatility'] = s.implied_volatility;
  return out;
}
