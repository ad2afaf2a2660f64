import { AppError } from '../errors/app-error.js';
import { trimAscii, upperAscii } from './query-transforms.js';

/** Upper-case tickers, class shares with a dot (BRK.B). */
export const STOCK_SYMBOL_PATTERN = /^[A-Z]{1,5}(?:\.[A-Z]{1,2})?$/;

/**
 * What a stock symbol may be, in the words every INVALID_SYMBOL_FORMAT message uses: a new user's
 * `brk-b` or `aapl` is fine, so the refusal says so instead of implying upper case is required.
 */
export const STOCK_SYMBOL_RULE =
  '1-5 letters such as AAPL, or a class share such as BRK.B (BRK-B and BRK/B are accepted too); lower case is accepted and upper-cased';

/**
 * Normalises what clients commonly send: lower case and surrounding spaces, and the class-share
 * spellings BRK-B / BRK/B, which Alpaca writes BRK.B (docs/alpaca-wire.md "Symbols").
 */
export function normalizeStockSymbol(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return upperAscii(trimAscii(value)).replace(/^([A-Z]{1,5})[-/]([A-Z]{1,2})$/, '$1.$2');
}

/**
 * Normalises and checks a list of symbols; duplicates collapse to one (first position kept).
 * Throws INVALID_SYMBOL_FORMAT naming every bad entry, before any upstream call.
 */
export function normalizeStockSymbols(raw: string[]): string[] {
  const normalized = raw.map((s) => normalizeStockSymbol(s) as string);
  const invalid = raw.filter((_, i) => !STOCK_SYMBOL_PATTERN.test(normalized[i] ?? ''));
  if (invalid.length > 0) {
    throw new AppError('INVALID_SYMBOL_FORMAT', {
      message: `Invalid symbol(s): ${invalid
        .slice(0, 10)
        .map((s) => JSON.stringify(s).slice(0, 40))
        .join(', ')}. Each must be ${STOCK_SYMBOL_RULE}.`,
      details: { invalid_symbols: invalid.slice(0, 100).map((s) => s.slice(0, 40)) },
    });
  }
  return [...new Set(normalized)];
}
