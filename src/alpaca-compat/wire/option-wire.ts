import { wireOptionQuote, wireOptionTrade } from '../../alpaca/alpaca-wire.mapper.js';
import type { OptionGreeks, OptionSnapshot } from '../../alpaca/options/options.models.js';
import type { WireObject } from './stock-wire.js';

/*
 * Our option models back into Alpaca's wire objects (MD-SPEC, see docs/alpaca-wire.md "Sources"; `option_*`): renames only. A member
 * Alpaca did not send (null here, with its availability flag false) is left out, as Alpaca leaves
 * it out: greeks and impliedVolatility are never made up.
 */

export { wireOptionQuote, wireOptionTrade };

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
