/**
 * Decimal strings as Alpaca writes trading quantities and prices ("1790.86", "105.8988475"), added
 * and averaged exactly through scaled bigints: the emulator must not invent float artefacts in the
 * values the gateway is checked to pass through untouched.
 */
const SCALE = 9;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

function toScaled(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (match === null) throw new RangeError(`not a decimal string: ${JSON.stringify(text)}`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > SCALE) throw new RangeError(`more than ${SCALE} fraction digits: ${text}`);
  const value = BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, '0'));
  return sign === '-' ? -value : value;
}

function toText(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

export function addDecimal(a: string, b: string): string {
  return toText(toScaled(a) + toScaled(b));
}

export function subtractDecimal(a: string, b: string): string {
  return toText(toScaled(a) - toScaled(b));
}

export function compareDecimal(a: string, b: string): number {
  const d = toScaled(a) - toScaled(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** (p1·q1 + p2·q2) / (q1 + q2), rounded half up at nine digits: a volume-weighted average fill price. */
export function weightedAverage(p1: string, q1: string, p2: string, q2: string): string {
  const total = toScaled(q1) + toScaled(q2);
  const sum = toScaled(p1) * toScaled(q1) + toScaled(p2) * toScaled(q2);
  return toText((sum * 2n + total) / (2n * total));
}
