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
  return value.replace(/^0+(?=\d)/, '').replace(/0+$/, '').replace(/\.$/, '');
}

/** Whether a value Alpaca sent is the decimal amount asked for (a non-string or empty value never is). */
export function sameDecimal(sent: unknown, wanted: string): boolean {
  return typeof sent === 'string' && sent !== '' && normalizeDecimal(sent) === normalizeDecimal(wanted);
}
