/**
 * Decimal amounts as clients and Alpaca write them (strings), validated and compared on their
 * digits, never through floating point. Arithmetic on amounts is the risk rules' Dec (exact-decimal).
 */
/** A positive plain decimal as clients write strikes: digits, an optional fraction, no sign or exponent. */
export const POSITIVE_DECIMAL = /^(?=.*[1-9])\d{1,9}(?:\.\d{1,6})?$/;

function split(value: string): { int: string; frac: string } {
  const [int = '', frac = ''] = value.split('.');
  return { int: int.replace(/^0+(?=\d)/, ''), frac: frac.replace(/0+$/, '') };
}

/**
 * Orders two plain decimal strings by value without converting them to floating point:
 * negative when a < b, 0 when equal, positive when a > b.
 */
export function compareDecimals(a: string, b: string): number {
  const x = split(a);
  const y = split(b);
  if (x.int.length !== y.int.length) return x.int.length - y.int.length;
  if (x.int !== y.int) return x.int < y.int ? -1 : 1;
  const width = Math.max(x.frac.length, y.frac.length);
  const fx = x.frac.padEnd(width, '0');
  const fy = y.frac.padEnd(width, '0');
  return fx === fy ? 0 : fx < fy ? -1 : 1;
}

/** A positive decimal string: digits, optionally a point and more digits; no sign, exponent or spaces. */
const DECIMAL = /^(?:0|[1-9]\d*)(?:\.(\d+))?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

export function decimalPlaces(value: string): number {
  return DECIMAL.exec(value)?.[1]?.length ?? 0;
}

/** Digits before the point, leading zeros not counted ("0.5" has 0, "0150" has 3). */
export function integerDigits(value: string): number {
  return (value.split('.')[0] ?? '').replace(/^0+/, '').length;
}

/** Strictly above zero, decided on the digits (no float conversion). */
export function isPositiveDecimal(value: string): boolean {
  return isDecimalString(value) && /[1-9]/.test(value);
}

/** At least 1.00, decided on the integer part. */
export function isAtLeastOne(value: string): boolean {
  return /^[1-9]/.test(value);
}

/**
 * `2.50` and `2.5` are the same amount; `2.0` and `2` too; a sign is kept (`-1.250` is `-1.25`, a
 * multi-leg net credit). For comparing, never for sending.
 */
export function normalizeDecimal(value: string): string {
  if (value.startsWith('-')) return `-${normalizeDecimal(value.slice(1))}`;
  if (!value.includes('.')) return value.replace(/^0+(?=\d)/, '');
  return value
    .replace(/^0+(?=\d)/, '')
    .replace(/0+$/, '')
    .replace(/\.$/, '');
}

/** Whether a value Alpaca sent is the decimal amount asked for (a non-string or empty value never is). */
export function sameDecimal(sent: unknown, wanted: string): boolean {
  return typeof sent === 'string' && sent !== '' && normalizeDecimal(sent) === normalizeDecimal(wanted);
}
