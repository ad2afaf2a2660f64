/**
 * The US equity market's calendar day: Alpaca dates its trading days (bars, calendar, clock) in
 * New York, which is UTC-5 or UTC-4 with daylight saving. Intl (Node's bundled ICU) knows the
 * rules, so no DST date is hard-coded here.
 */
const NEW_YORK_DAY = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The New York calendar date (YYYY-MM-DD) at an instant in epoch milliseconds. */
export function newYorkDate(epochMs: number): string {
  const parts = NEW_YORK_DAY.formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
