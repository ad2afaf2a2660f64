/* Query strings arrive as text; these turn the well-formed ones into values class-validator checks.
   Anything else is left as it came, so the validator reports it instead of a silent coercion. */

/** "42" or "-3" → number. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

/** "true" / "false" → boolean. */
export const toBool = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** Printable ASCII only: symbols, tickers and OCC codes are never anything else. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Upper case for ASCII text only. `String.prototype.toUpperCase` folds lookalikes into other
 * letters (`ſ` → `S`, `ı` → `I`, `ß` → `SS`), which would send `ſpy` to Alpaca as SPY; a string with
 * any non-ASCII character is returned as it came, so the symbol pattern refuses it.
 */
export function upperAscii(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value.toUpperCase() : value;
}

/** Surrounding spaces and tabs removed (not Unicode spaces: those make a symbol invalid). */
export function trimAscii(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** class-transformer form of upperAscii for DTO properties. */
export const toUpperAscii = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? upperAscii(value) : value;

/** Trimmed, then upper-cased as ASCII. */
export const toTrimmedUpperAscii = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? upperAscii(trimAscii(value)) : value;
