import { AppError } from '../errors/app-error.js';
import { isRealDate } from '../time/calendar-date.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** RFC-3339 (to nanoseconds) or YYYY-MM-DD, and a date that exists (no 2024-02-30). */
export function isValidUpstreamTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_ONLY.exec(value) ?? RFC3339.exec(value);
  return m !== null && isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Instant in ms; a bare date is its UTC midnight (enough to order start against end). */
function instantOf(value: string): number {
  return DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
}

/** Both bounds are inclusive (as Alpaca's); start after end is INVALID_DATE_RANGE. */
export function assertOrderedRange(start: string | undefined, end: string | undefined): void {
  if (start === undefined || end === undefined) return;
  if (instantOf(start) > instantOf(end)) {
    throw new AppError('INVALID_DATE_RANGE', { message: 'start must not be after end.', details: { start, end } });
  }
}
