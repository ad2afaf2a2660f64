import type {
  WireOptionContract,
  WireOptionContractsPage,
  WireOptionGreeks,
  WireOptionQuote,
  WireOptionSnapshot,
  WireOptionSnapshotsPage,
  WireOptionTrade,
} from './alpaca-options.types.js';
import { mapOf, nextPageToken, nullable, num, object, optNum, optStr, str, WireFormatError, type Obj } from './wire-parsers.js';

/* Runtime shape checks for Alpaca's options payloads; a mismatch is UPSTREAM_INVALID_RESPONSE. */

function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new WireFormatError(`${path}.${key}`, 'a boolean');
  return v;
}

export function parseOptionQuote(v: unknown, path: string): WireOptionQuote {
  const o = object(v, path);
  return {
    t: str(o, 't', path), bx: str(o, 'bx', path), bp: num(o, 'bp', path), bs: num(o, 'bs', path),
    ax: str(o, 'ax', path), ap: num(o, 'ap', path), as: num(o, 'as', path), c: str(o, 'c', path),
  };
}

export function parseOptionTrade(v: unknown, path: string): WireOptionTrade {
  const o = object(v, path);
  return { t: str(o, 't', path), x: str(o, 'x', path), p: num(o, 'p', path), s: num(o, 's', path), c: str(o, 'c', path) };
}

/** All five members are required when the object is there (MD-SPEC `option_greeks`). */
export function parseOptionGreeks(v: unknown, path: string): WireOptionGreeks {
  const o = object(v, path);
  return { delta: num(o, 'delta', path), gamma: num(o, 'gamma', path), theta: num(o, 'theta', path), vega: num(o, 'vega', path), rho: num(o, 'rho', path) };
}

/** Absent and null members both mean "Alpaca has none"; they stay absent (never defaulted). */
export function parseOptionSnapshot(v: unknown, path: string): WireOptionSnapshot {
  const o = object(v, path);
  const out: WireOptionSnapshot = {};
  const quote = nullable(o['latestQuote'], `${path}.latestQuote`, parseOptionQuote);
  const trade = nullable(o['latestTrade'], `${path}.latestTrade`, parseOptionTrade);
  const greeks = nullable(o['greeks'], `${path}.greeks`, parseOptionGreeks);
  const iv = optNum(o, 'impliedVolatility', path);
  if (quote !== null) out.latestQuote = quote;
  if (trade !== null) out.latestTrade = trade;
  if (greeks !== null) out.greeks = greeks;
  if (iv !== undefined) out.impliedVolatility = iv;
  return out;
}

/** Snapshots by contract and chain pages. A null snapshot is dropped like an absent one. */
export function parseOptionSnapshotsPage(v: unknown): WireOptionSnapshotsPage {
  const o = object(v, '$');
  const all = mapOf(o['snapshots'] ?? {}, '$.snapshots', (x, p) => nullable(x, p, parseOptionSnapshot));
  const snapshots: Record<string, WireOptionSnapshot> = {};
  for (const [symbol, snapshot] of Object.entries(all)) if (snapshot !== null) snapshots[symbol] = snapshot;
  return { snapshots, next_page_token: nextPageToken(o) };
}

export function parseOptionContract(v: unknown, path: string): WireOptionContract {
  const o = object(v, path);
  return {
    id: str(o, 'id', path), symbol: str(o, 'symbol', path), name: str(o, 'name', path), status: str(o, 'status', path),
    tradable: bool(o, 'tradable', path), expiration_date: str(o, 'expiration_date', path), root_symbol: optStr(o, 'root_symbol', path),
    underlying_symbol: str(o, 'underlying_symbol', path), underlying_asset_id: str(o, 'underlying_asset_id', path),
    type: str(o, 'type', path), style: str(o, 'style', path), strike_price: str(o, 'strike_price', path),
    multiplier: str(o, 'multiplier', path), size: str(o, 'size', path),
    open_interest: optStr(o, 'open_interest', path), open_interest_date: optStr(o, 'open_interest_date', path),
    close_price: optStr(o, 'close_price', path), close_price_date: optStr(o, 'close_price_date', path),
  };
}

export function parseOptionContractsPage(v: unknown): WireOptionContractsPage {
  const o = object(v, '$');
  const list = o['option_contracts'] ?? [];
  if (!Array.isArray(list)) throw new WireFormatError('$.option_contracts', 'an array');
  return {
    option_contracts: list.map((c, i) => parseOptionContract(c, `$.option_contracts[${i}]`)),
    next_page_token: nextPageToken(o),
  };
}
