/**
 * Timestamps as Alpaca sends them: RFC-3339 with up to nanosecond fractions. JS Dates keep only
 * milliseconds, so comparisons go through bigint nanoseconds to keep `...034055031265Z`
 * distinct from `...034055031266Z` (§5.6).
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_DAY = 86_400n * NANOS_PER_SECOND;

/** Nanoseconds since the epoch for an RFC-3339 timestamp, or undefined when it is not one. */
export function parseRfc3339Nanos(value: string): bigint | undefined {
  const match = RFC3339.exec(value);
  if (match === null) return undefined;
  const [, date, time, fraction = '', zone] = match;
  const wholeSecondsMs = Date.parse(`${date}T${time}${zone.toUpperCase()}`);
  if (Number.isNaN(wholeSecondsMs)) return undefined;
  return BigInt(wholeSecondsMs / 1000) * NANOS_PER_SECOND + BigInt(fraction.padEnd(9, '0'));
}

/** A `YYYY-MM-DD` date as the UTC midnight that starts it, or undefined when not a real date. */
export function parseDateNanos(value: string): bigint | undefined {
  if (!DATE_ONLY.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2024-02-31 over to March; a round trip exposes that.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) return undefined;
  return BigInt(ms) * 1_000_000n;
}

/**
 * A query bound that is RFC-3339 or `YYYY-MM-DD`. Bounds are inclusive (§2.2), so a date-only
 * upper bound covers the whole UTC day: the NY-midnight daily bar (04:00Z/05:00Z) of that date
 * falls inside it, and the next date's bar does not.
 */
export function parseTimeBound(value: string, edge: 'start' | 'end'): bigint | undefined {
  const day = parseDateNanos(value);
  if (day !== undefined) return edge === 'start' ? day : day + NANOS_PER_DAY - 1n;
  return parseRfc3339Nanos(value);
}

/** Sort comparator for nanosecond timestamps (bigint has no subtraction-to-number shortcut). */
export function compareNanos(a: bigint, b: bigint): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Nanoseconds as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, the form Alpaca's page tokens embed. */
export function formatNanosUtc(nanos: bigint): string {
  const seconds = nanos / NANOS_PER_SECOND;
  const fraction = (nanos % NANOS_PER_SECOND).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** The current time with nanosecond digits, like Alpaca's order timestamps. */
export function nowRfc3339Nanos(now: number = Date.now()): string {
  // Sub-millisecond digits come from the monotonic clock: only their look matters, not meaning.
  const subMillisecond = process.hrtime.bigint() % 1_000_000n;
  return formatNanosUtc(BigInt(now) * 1_000_000n + subMillisecond);
}
