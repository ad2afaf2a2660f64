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
