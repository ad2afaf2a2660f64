import type {
  WireBar,
  WireBarsPage,
  WireClock,
  WireLatestQuotes,
  WireLatestTrades,
  WireStockQuote,
  WireStockSnapshot,
  WireStockSnapshots,
  WireStockTrade,
} from './alpaca.types.js';

/** The upstream body does not have the shape Alpaca documents; becomes UPSTREAM_INVALID_RESPONSE. */
export class WireFormatError extends Error {
  constructor(readonly path: string, expected: string) {
    super(`${path}: expected ${expected}`);
    this.name = 'WireFormatError';
  }
}

export type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
export function object(v: unknown, path: string): Obj {
  if (!isObject(v)) throw new WireFormatError(path, 'an object');
  return v;
}
export function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new WireFormatError(`${path}.${key}`, 'a string');
  return v;
}
export function num(o: Obj, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireFormatError(`${path}.${key}`, 'a number');
  return v;
}
export function optStr(o: Obj, key: string, path: string): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : str(o, key, path);
}
export function optNum(o: Obj, key: string, path: string): number | undefined {
  return o[key] === undefined || o[key] === null ? undefined : num(o, key, path);
}
function strArray(o: Obj, key: string, path: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new WireFormatError(`${path}.${key}`, 'an array of strings');
  return v;
}
export function mapOf<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): Record<string, T> {
  const o = object(v, path);
  const out: Record<string, T> = {};
  for (const [k, x] of Object.entries(o)) out[k] = item(x, `${path}.${k}`);
  return out;
}
export function nullable<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): T | null {
  return v === undefined || v === null ? null : item(v, path);
}

export function parseStockQuote(v: unknown, path: string): WireStockQuote {
  const o = object(v, path);
  return {
    t: str(o, 't', path), bx: str(o, 'bx', path), bp: num(o, 'bp', path), bs: num(o, 'bs', path),
    ax: str(o, 'ax', path), ap: num(o, 'ap', path), as: num(o, 'as', path), c: strArray(o, 'c', path),
    z: optStr(o, 'z', path),
  };
}

export function parseStockTrade(v: unknown, path: string): WireStockTrade {
  const o = object(v, path);
  const i = o['i'];
  if (!(typeof i === 'number' && Number.isInteger(i)) && !(typeof i === 'string' && /^\d+$/.test(i))) {
    throw new WireFormatError(`${path}.i`, 'an integer trade id');
  }
  return {
    t: str(o, 't', path), x: str(o, 'x', path), p: num(o, 'p', path), s: num(o, 's', path),
    c: strArray(o, 'c', path), i, z: optStr(o, 'z', path), u: optStr(o, 'u', path),
  };
}

export function parseBar(v: unknown, path: string): WireBar {
  const o = object(v, path);
  return {
    t: str(o, 't', path), o: num(o, 'o', path), h: num(o, 'h', path), l: num(o, 'l', path),
    c: num(o, 'c', path), v: num(o, 'v', path), n: optNum(o, 'n', path), vw: optNum(o, 'vw', path),
  };
}

export function parseStockSnapshot(v: unknown, path: string): WireStockSnapshot {
  const o = object(v, path);
  return {
    latestTrade: nullable(o['latestTrade'], `${path}.latestTrade`, parseStockTrade),
    latestQuote: nullable(o['latestQuote'], `${path}.latestQuote`, parseStockQuote),
    minuteBar: nullable(o['minuteBar'], `${path}.minuteBar`, parseBar),
    dailyBar: nullable(o['dailyBar'], `${path}.dailyBar`, parseBar),
    prevDailyBar: nullable(o['prevDailyBar'], `${path}.prevDailyBar`, parseBar),
  };
}

export function parseLatestQuotes(v: unknown): WireLatestQuotes {
  return { quotes: mapOf(object(v, '$')['quotes'], '$.quotes', parseStockQuote) };
}

export function parseLatestTrades(v: unknown): WireLatestTrades {
  return { trades: mapOf(object(v, '$')['trades'], '$.trades', parseStockTrade) };
}

export function parseStockSnapshots(v: unknown): WireStockSnapshots {
  return mapOf(v, '$', (x, p) => nullable(x, p, parseStockSnapshot));
}

export function parseBarsPage(v: unknown): WireBarsPage {
  const o = object(v, '$');
  const bars = mapOf(o['bars'] ?? {}, '$.bars', (x, p) => {
    if (!Array.isArray(x)) throw new WireFormatError(p, 'an array');
    return x.map((b, idx) => parseBar(b, `${p}[${idx}]`));
  });
  return { bars, next_page_token: nextPageToken(o) };
}

/** `next_page_token`: a string, or null/absent/empty for the last page (never the text "null"). */
export function nextPageToken(o: Obj): string | null {
  const token = o['next_page_token'];
  if (token !== null && token !== undefined && typeof token !== 'string') {
    throw new WireFormatError('$.next_page_token', 'a string or null');
  }
  return typeof token === 'string' && token !== '' ? token : null;
}

export function parseClock(v: unknown): WireClock {
  const o = object(v, '$');
  if (typeof o['is_open'] !== 'boolean') throw new WireFormatError('$.is_open', 'a boolean');
  return {
    timestamp: str(o, 'timestamp', '$'), is_open: o['is_open'],
    next_open: str(o, 'next_open', '$'), next_close: str(o, 'next_close', '$'),
  };
}
