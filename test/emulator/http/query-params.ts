/**
 * Query-parameter validation shared by the routes. Each helper throws the error Alpaca would
 * answer, so a gateway bug (bad timeframe, `page_token=null`, too many symbols) fails here just
 * as it would upstream instead of passing silently.
 */
import { badRequest, EmulatorHttpError } from './http-error.js';
import { parseTimeBound } from '../market/wire-time.js';

type Query = Record<string, string>;
type ErrorFactory = (message: string) => EmulatorHttpError;

/** §2.5 / brief: what the stock endpoints accept as a ticker (class shares use a dot). */
export const STOCK_SYMBOL = /^[A-Z][A-Z0-9.]{0,9}$/;
/** §6.1: the pattern Alpaca's options data endpoints validate contract symbols with. */
export const OPTION_SYMBOL = /^[A-Z]{1,5}\d{6,7}[CP]\d{8}$/;

export const STOCK_LATEST_FEEDS = ['sip', 'iex', 'delayed_sip', 'otc', 'boats', 'overnight'] as const;
/** §1.3: delayed_sip and overnight exist for latest data only, not for history. */
export const STOCK_HISTORICAL_FEEDS = ['sip', 'iex', 'otc', 'boats'] as const;
export const OPTION_FEEDS = ['opra', 'indicative'] as const;

export function stockSymbolOrThrow(symbol: string): string {
  if (!STOCK_SYMBOL.test(symbol))
    throw new EmulatorHttpError(400, { code: 40010001, message: `invalid symbol: ${symbol}` });
  return symbol;
}

export function optionSymbolOrThrow(symbol: string): string {
  if (!OPTION_SYMBOL.test(symbol)) {
    throw new EmulatorHttpError(400, {
      code: 40010001,
      message: `invalid symbol: "${symbol}" does not match ${OPTION_SYMBOL.source}`,
    });
  }
  return symbol;
}

/** Splits a comma-separated list, dropping blanks and duplicates but keeping first-seen order. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    ),
  ];
}

/** The required `symbols` list, each validated; `max` mirrors the options endpoints' 100. */
export function requiredSymbols(query: Query, kind: 'stock' | 'option', max?: number): string[] {
  const symbols = splitList(query.symbols);
  if (symbols.length === 0) throw badRequest('missing symbols');
  if (max !== undefined && symbols.length > max) throw badRequest(`too many symbols: ${symbols.length} > ${max}`);
  return symbols.map(kind === 'stock' ? stockSymbolOrThrow : optionSymbolOrThrow);
}

export interface LimitRule {
  min: number;
  max: number;
  fallback: number;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads optional query parameters. A present but malformed value throws `fail(message)`: 400 on
 * the data host, 422 on the trading host (the caller picks).
 */
export class QueryReader {
  constructor(
    private readonly query: Query,
    private readonly fail: ErrorFactory = badRequest,
  ) {}

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.query[name];
    if (value === undefined) return undefined;
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw this.fail(`invalid ${name}: ${value}`);
    return match;
  }

  limit(rule: LimitRule): number {
    const raw = this.query.limit;
    if (raw === undefined) return rule.fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= rule.min && value <= rule.max)) {
      throw this.fail(`invalid limit: ${raw} (must be between ${rule.min} and ${rule.max})`);
    }
    return value;
  }

  /** RFC-3339 or `YYYY-MM-DD`, inclusive (see parseTimeBound). */
  time(name: string, edge: 'start' | 'end'): bigint | undefined {
    const raw = this.query[name];
    if (raw === undefined) return undefined;
    const nanos = parseTimeBound(raw, edge);
    if (nanos === undefined) throw this.fail(`invalid ${name}: ${raw}`);
    return nanos;
  }

  number(name: string): number | undefined {
    const raw = this.query[name];
    if (raw === undefined) return undefined;
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) throw this.fail(`invalid ${name}: ${raw}`);
    return value;
  }

  /** `YYYY-MM-DD` kept as a string: such dates compare correctly as plain strings. */
  date(name: string): string | undefined {
    const raw = this.query[name];
    if (raw === undefined) return undefined;
    if (!DATE_ONLY.test(raw)) throw this.fail(`invalid ${name}: ${raw}`);
    return raw;
  }
}

/**
 * §2.2 timeframe grammar, case-sensitive: [1-59]Min|T, [1-23]Hour|H, 1Day|D, 1Week|W,
 * (1|2|3|4|6|12)Month|M. Returns the unit letter Alpaca embeds in its bar page tokens.
 */
export function timeframeParam(query: Query): string {
  const raw = query.timeframe;
  if (raw === undefined) throw badRequest('missing timeframe');
  const rules: Array<[RegExp, string]> = [
    [/^([1-9]|[1-5]\d)(Min|T)$/, 'M'],
    [/^([1-9]|1\d|2[0-3])(Hour|H)$/, 'H'],
    [/^1(Day|D)$/, 'D'],
    [/^1(Week|W)$/, 'W'],
    [/^(1|2|3|4|6|12)(Month|M)$/, 'MO'],
  ];
  const rule = rules.find(([pattern]) => pattern.test(raw));
  if (rule === undefined) throw badRequest(`invalid timeframe: ${raw}`);
  return rule[1];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodePageToken(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64');
}

/**
 * Decodes an opaque page token and checks it with `isValid`. The literal `null` (a known SDK
 * bug, §2.2) and anything that is not a token this emulator issued answer 400.
 */
export function pageTokenParam(query: Query, isValid: (decoded: string) => boolean): string | undefined {
  const raw = query.page_token;
  if (raw === undefined || raw === '') return undefined;
  const decoded = raw !== 'null' && BASE64.test(raw) ? Buffer.from(raw, 'base64').toString('utf8') : undefined;
  if (decoded === undefined || !isValid(decoded)) throw badRequest('invalid page_token');
  return decoded;
}
