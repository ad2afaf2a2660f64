/**
 * Trading decimals ("2", "0.5", "-3") as integers of 10^-9 (Alpaca quantities have at most 9
 * places), so the emulator can split and reduce positions without floating-point drift.
 */
const PLACES = 9;
const SCALE = 10n ** BigInt(PLACES);
const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,9}))?$/;

export function toUnits(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DECIMAL.exec(value);
  if (m === null) return undefined;
  const units = BigInt(m[2] ?? '0') * SCALE + BigInt((m[3] ?? '').padEnd(PLACES, '0'));
  return m[1] === '-' ? -units : units;
}

/** Shortest decimal text: 2000000000n → "2", 500000000n → "0.5". */
export function fromUnits(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const fraction = (abs % SCALE).toString().padStart(PLACES, '0').replace(/0+$/, '');
  return `${sign}${abs / SCALE}${fraction === '' ? '' : `.${fraction}`}`;
}

/** percent (as units, 100% = 100 * SCALE) of a quantity, rounded down to whole 10^-9. */
export function percentOf(qty: bigint, percent: bigint): bigint {
  return (qty * percent) / (100n * SCALE);
}
