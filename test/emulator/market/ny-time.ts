/**
 * New-York calendar arithmetic for the emulator's time-following data (stream ticks, liveData):
 * Alpaca stamps daily bars at New-York midnight and answers its clock in New-York time, and both
 * move between -05:00 and -04:00 with daylight saving. Intl (Node's bundled ICU) knows the rules,
 * so nothing here hard-codes DST dates.
 */
/** A calendar day as `YYYY-MM-DD`. */
export type IsoDate = string;

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const NY_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Wall-clock time in New York at an instant. */
export interface NyWallTime {
  date: IsoDate;
  /** Seconds since New-York midnight (0..86399). */
  secondOfDay: number;
}

interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallParts(ms: number): WallParts {
  const parts = NY_PARTS.formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function isoDate({ year, month, day }: Pick<WallParts, 'year' | 'month' | 'day'>): IsoDate {
  return `${year}-${two(month)}-${two(day)}`;
}

/** New York's UTC offset at an instant, in minutes (-240 in EDT, -300 in EST). */
export function nyOffsetMinutes(ms: number): number {
  const p = wallParts(ms);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wallAsUtc - Math.floor(ms / MS_PER_SECOND) * MS_PER_SECOND) / MS_PER_MINUTE);
}

export function nyWallTime(ms: number): NyWallTime {
  const p = wallParts(ms);
  return { date: isoDate(p), secondOfDay: p.hour * 3600 + p.minute * 60 + p.second };
}

/**
 * The instant at which New York's clocks show `minuteOfDay` on `date`. Meant for times outside
 * the 01:00-03:00 DST switch window (midnight, the 09:30 open, the 16:00 close), where every wall
 * time exists exactly once.
 */
export function nyWallToUtcMs(date: IsoDate, minuteOfDay: number): number {
  const wallAsUtc = Date.parse(`${date}T00:00:00Z`) + minuteOfDay * MS_PER_MINUTE;
  // The offset at the guess can differ from the offset at the answer only near a switch; the
  // second pass settles it.
  const guess = wallAsUtc - nyOffsetMinutes(wallAsUtc) * MS_PER_MINUTE;
  return wallAsUtc - nyOffsetMinutes(guess) * MS_PER_MINUTE;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOf(date: IsoDate): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

export function isWeekday(date: IsoDate): boolean {
  const day = weekdayOf(date);
  return day !== 0 && day !== 6;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The first weekday after `date`. */
export function nextWeekday(date: IsoDate): IsoDate {
  let day = addDays(date, 1);
  while (!isWeekday(day)) day = addDays(day, 1);
  return day;
}

/** `date` if it is a weekday, else the weekday before it. */
export function weekdayOnOrBefore(date: IsoDate): IsoDate {
  let day = date;
  while (!isWeekday(day)) day = addDays(day, -1);
  return day;
}

/** `YYYY-MM-DDTHH:MM:SSZ` with no fraction, the way Alpaca stamps bars. */
export function utcSecondsStamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A day's New-York midnight in UTC, the stamp of its daily bar: 04:00Z in EDT, 05:00Z in EST (§2.2). */
export function nyMidnightOf(date: IsoDate): string {
  return utcSecondsStamp(nyWallToUtcMs(date, 0));
}

/** Today's (in New York) midnight in UTC. */
export function nyMidnightUtc(nowMs: number): string {
  return nyMidnightOf(nyWallTime(nowMs).date);
}

/** The minute bar just closed: its start, whole seconds, no fraction (F8). */
export function lastMinuteStart(nowMs: number): string {
  return utcSecondsStamp(Math.floor(nowMs / MS_PER_MINUTE) * MS_PER_MINUTE - MS_PER_MINUTE);
}

/**
 * RFC 3339 in New-York local time with its offset, as Alpaca's clock answers
 * (`2024-04-25T10:49:14.659000000-04:00`); `withFraction` adds the nine fraction digits.
 */
export function nyRfc3339(ms: number, withFraction = false): string {
  const p = wallParts(ms);
  const offset = nyOffsetMinutes(ms);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  // Milliseconds are all a Date holds; the nanosecond digits beyond them are zeros.
  const fraction = withFraction ? `.${String(ms % MS_PER_SECOND).padStart(3, '0')}000000` : '';
  return `${isoDate(p)}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}${fraction}${zone}`;
}
