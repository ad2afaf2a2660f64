/**
 * EmulatorOptions.liveDates: the fixtures with their DATES moved to follow today (New York), their
 * VALUES untouched, for the demo. Computed once from the emulator's clock, on construction and on
 * reset(). Two moves:
 *
 * - Option expirations: the fixtures' distinct expirations, in order, become the Fridays after
 *   today, and every OCC symbol (snapshot keys, contracts, option bars and trades, positions,
 *   orders) is rebuilt with its new date, so the chain, snapshots, latest quotes/trades, the
 *   contract list and the option stream all name the same unexpired contracts.
 * - Market-data timestamps (news, bars, trades, quotes, auctions): each collection (each symbol's
 *   series, in collections keyed by symbol) moves by a whole number of weeks (weekdays stay
 *   weekdays) so its newest stamp falls in the seven New-York days before today: never today, so
 *   no daily bar exists for a session that has not opened.
 *
 * The default fixtures (what every spec asserts on) are never touched: this returns a new object.
 */
import type { EmulatorFixtures } from '../emulator.types.js';
import { addDays, type IsoDate, nyOffsetMinutes, nyWallTime, weekdayOf } from './ny-time.js';
import { decodeOcc } from './occ-symbol.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const DAYS_PER_WEEK = 7;
const FRIDAY = 5;
/** An OCC symbol anywhere inside a string (a contract's symbol, an order's, a position's). */
const OCC_IN_TEXT = /\b([A-Z][A-Z0-9]{0,5}?)(\d{6})([CP])(\d{8})\b/g;
/** UTC stamps as the fixtures write them: whole seconds, optionally a fraction, then Z. */
const UTC_STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The market-data collections whose timestamps move; trading records (orders, activities) do not. */
const TIMED_KEYS = [
  'stockQuotes',
  'stockTrades',
  'stockSnapshots',
  'stockBars',
  'optionSnapshots',
  'stockQuoteHistory',
  'stockTradeHistory',
  'stockAuctions',
  'stockLatestBars',
  'optionBars',
  'optionTrades',
  'news',
] as const satisfies ReadonlyArray<keyof EmulatorFixtures>;

/** The first `count` Fridays strictly after `today`, ascending. */
export function fridaysAfter(today: IsoDate, count: number): IsoDate[] {
  const first = addDays(today, ((FRIDAY - weekdayOf(today) + DAYS_PER_WEEK - 1) % DAYS_PER_WEEK) + 1);
  return Array.from({ length: count }, (_, k) => addDays(first, k * DAYS_PER_WEEK));
}

/** `fixtures` with option expirations after, and market-data stamps just before, `nowMs`'s New-York day. */
export function liveDatedFixtures(fixtures: EmulatorFixtures, nowMs: number): EmulatorFixtures {
  const today = nyWallTime(nowMs).date;
  const expirations = expirationMap(fixtures, today);
  const renamed = renameOcc(fixtures, expirations) as EmulatorFixtures;
  const collections = renamed as unknown as Record<string, unknown>;
  for (const key of TIMED_KEYS) {
    const collection = collections[key];
    // Keyed by symbol: each symbol's series moves on its own, so every symbol's newest is recent.
    collections[key] = Array.isArray(collection)
      ? recentCopy(collection, today)
      : Object.fromEntries(
          Object.entries(collection as Record<string, unknown>).map(([symbol, series]) => [
            symbol,
            recentCopy(series, today),
          ]),
        );
  }
  return renamed;
}

/** `value` moved by whole weeks so its newest stamp falls in the seven days before `today`. */
function recentCopy(value: unknown, today: IsoDate): unknown {
  const newest = newestStamp(value);
  if (newest === undefined) return value;
  const gapDays = daysBetween(newest, today);
  return shiftStamps(value, Math.floor((gapDays - 1) / DAYS_PER_WEEK) * DAYS_PER_WEEK);
}

/** Old YYMMDD → new YYMMDD: the k-th earliest fixture expiration becomes the k-th Friday after today. */
function expirationMap(fixtures: EmulatorFixtures, today: IsoDate): Map<string, string> {
  const found = new Set<string>();
  walk(fixtures, (text) => {
    for (const match of text.matchAll(OCC_IN_TEXT)) found.add(match[2]);
  });
  const old = [...found].sort();
  const fridays = fridaysAfter(today, old.length);
  return new Map(old.map((yymmdd, k) => [yymmdd, fridays[k].slice(2).replaceAll('-', '')]));
}

/** `AAPL Apr 26 2024 162.5 Call`'s date part for an ISO date. */
function nameDate(iso: IsoDate): string {
  const [year, month, day] = iso.split('-');
  return `${MONTHS[Number(month) - 1]} ${Number(day)} ${year}`;
}

/** A deep copy with every OCC symbol (in keys and strings) and a contract's expiration fields rebuilt. */
function renameOcc(value: unknown, map: Map<string, string>): unknown {
  const rename = (text: string): string =>
    text.replace(OCC_IN_TEXT, (whole: string, root: string, yymmdd: string, cp: string, strike: string) => {
      const next = map.get(yymmdd);
      return next === undefined ? whole : `${root}${next}${cp}${strike}`;
    });
  if (typeof value === 'string') return rename(value);
  if (Array.isArray(value)) return value.map((item) => renameOcc(item, map));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[rename(key)] = renameOcc(item, map);
  const terms = typeof copy.symbol === 'string' ? decodeOcc(copy.symbol) : undefined;
  if (terms !== undefined && typeof copy.expiration_date === 'string') {
    const oldIso = copy.expiration_date;
    copy.expiration_date = terms.expiration;
    if (typeof copy.name === 'string') copy.name = copy.name.replace(nameDate(oldIso), nameDate(terms.expiration));
  }
  return copy;
}

function walk(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) walk(item, visit);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      visit(key);
      walk(item, visit);
    }
}

function newestStamp(value: unknown): string | undefined {
  let newest: string | undefined;
  walk(value, (text) => {
    if (UTC_STAMP.test(text) && (newest === undefined || Date.parse(text) > Date.parse(newest))) newest = text;
  });
  return newest;
}

function daysBetween(stamp: string, today: IsoDate): number {
  const day = nyWallTime(Date.parse(stamp)).date;
  return Math.round((Date.parse(`${today}T12:00:00Z`) - Date.parse(`${day}T12:00:00Z`)) / MS_PER_DAY);
}

/** A UTC stamp moved by whole New-York days: same wall time, same fraction digits. */
export function shiftStamp(stamp: string, days: number): string {
  const match = UTC_STAMP.exec(stamp);
  if (match === null) return stamp;
  const ms = Date.parse(`${match[1]}Z`);
  const moved = ms + days * MS_PER_DAY;
  const wall = moved + (nyOffsetMinutes(ms) - nyOffsetMinutes(moved)) * MS_PER_MINUTE;
  return `${new Date(wall).toISOString().slice(0, 19)}${match[2] ?? ''}Z`;
}

/** Every UTC stamp moved by `days`; an auction's day (`d`, a bare date) moves along. */
function shiftStamps(value: unknown, days: number): unknown {
  if (typeof value === 'string') return shiftStamp(value, days);
  if (Array.isArray(value)) return value.map((item) => shiftStamps(item, days));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      key === 'd' && typeof item === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(item)
        ? addDays(item, days)
        : shiftStamps(item, days);
  }
  return copy;
}
