import { normalizeStockSymbols } from '../../core/validation/stock-symbol.js';

/** A `{symbol}` path value, normalised and checked like /api/v1's (a list there is not a symbol: 400). */
export function pathSymbol(raw: string): string {
  const [symbol] = normalizeStockSymbols([raw]);
  return symbol ?? raw;
}
