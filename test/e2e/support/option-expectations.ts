/**
 * Assertions shared by the options e2e specs: what a contract in a response must look like given
 * the emulator fixture it came from, and a walk proving no number was invented on the way.
 */
import type { WireOptionSnapshot } from '../../emulator/alpaca-emulator.js';
import { parseRfc3339Nanos } from '../../emulator/market/wire-time.js';

/** Every numeric leaf of `value` as `path → number` (arrays indexed). */
export function numericLeaves(value: unknown, path = ''): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (v: unknown, p: string): void => {
    if (typeof v === 'number') out.set(p, v);
    else if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${p}[${i}]`));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) visit(x, p === '' ? k : `${p}.${k}`);
  };
  visit(value, path);
  return out;
}

/** The numbers a contract's response may hold, each mapped to the fixture value it must equal. */
export function fixtureNumbers(fx: WireOptionSnapshot): Map<string, number> {
  const m = new Map<string, number>();
  const q = fx.latestQuote;
  if (q) {
    m.set('latest_quote.bid_price', q.bp)
      .set('latest_quote.bid_size', q.bs)
      .set('latest_quote.ask_price', q.ap)
      .set('latest_quote.ask_size', q.as);
  }
  const t = fx.latestTrade;
  if (t) m.set('latest_trade.price', t.p).set('latest_trade.size', t.s);
  const g = fx.greeks;
  if (g) {
    m.set('greeks.delta', g.delta)
      .set('greeks.gamma', g.gamma)
      .set('greeks.theta', g.theta)
      .set('greeks.vega', g.vega)
      .set('greeks.rho', g.rho);
  }
  if (fx.impliedVolatility !== undefined) m.set('implied_volatility', fx.impliedVolatility);
  return m;
}

/**
 * Walks one contract of a response: every number in it must be the fixture's own (bit for bit),
 * and every fixture number must be there. Returns how many numbers were compared.
 */
export function expectNumbersFromFixture(
  contract: Record<string, unknown>,
  fixtures: Record<string, WireOptionSnapshot>,
): number {
  const symbol = String(contract['symbol']);
  const fx = fixtures[symbol];
  if (fx === undefined) throw new Error(`no fixture for ${symbol}`);
  const got = numericLeaves(contract);
  const want = fixtureNumbers(fx);
  expect({ symbol, paths: [...got.keys()].sort() }).toEqual({ symbol, paths: [...want.keys()].sort() });
  for (const [path, value] of got) {
    if (!Object.is(value, want.get(path)))
      throw new Error(`${symbol} ${path}: ${value} differs from the fixture's ${String(want.get(path))}`);
  }
  return got.size;
}

/** The contract as the gateway must render it from the fixture: names ours, values Alpaca's. */
export function expectedContract(symbol: string, fx: WireOptionSnapshot): Record<string, unknown> {
  const q = fx.latestQuote;
  const t = fx.latestTrade;
  return {
    latest_quote: q
      ? {
          timestamp: q.t,
          bid_price: q.bp,
          bid_size: q.bs,
          bid_exchange: q.bx,
          ask_price: q.ap,
          ask_size: q.as,
          ask_exchange: q.ax,
          condition: q.c,
        }
      : null,
    latest_trade: t ? { timestamp: t.t, price: t.p, size: t.s, exchange: t.x, condition: t.c } : null,
    greeks: fx.greeks
      ? {
          delta: fx.greeks.delta,
          gamma: fx.greeks.gamma,
          theta: fx.greeks.theta,
          vega: fx.greeks.vega,
          rho: fx.greeks.rho,
        }
      : null,
    implied_volatility: fx.impliedVolatility ?? null,
    latest_quote_available: q !== undefined,
    latest_trade_available: t !== undefined,
    greeks_available: fx.greeks !== undefined,
    iv_available: fx.impliedVolatility !== undefined,
    symbol,
  };
}

/** The newest latestQuote/latestTrade timestamp among the given snapshots (nanosecond-exact). */
export function newestFixtureTimestamp(snapshots: WireOptionSnapshot[]): string | null {
  let best: string | null = null;
  let bestNanos = -1n;
  for (const s of snapshots) {
    for (const t of [s.latestQuote?.t, s.latestTrade?.t]) {
      const nanos = t === undefined ? undefined : parseRfc3339Nanos(t);
      if (t !== undefined && nanos !== undefined && nanos > bestNanos) {
        best = t;
        bestNanos = nanos;
      }
    }
  }
  return best;
}
