/**
 * EmulatorOptions.liveData: the stock fixtures served with timestamps that follow the current
 * time, and a clock that follows a session schedule (market-session.ts), so a demo's answers
 * look like today's market instead of August 2022's. Prices stay the fixtures' (the stream's
 * moving prices are stream-market.ts's business). Fixtures are never edited: every answer is a
 * restamped copy, so a test that edits `emulator.fixtures` sees its edit served, restamped.
 */
import type { WireBar, WireClock, WireStockSnapshot } from '../emulator.types.js';
import { usEquityClock } from './market-session.js';
import {
  addDays,
  type IsoDate,
  lastMinuteStart,
  nyMidnightOf,
  nyWallTime,
  utcSecondsStamp,
  weekdayOf,
  weekdayOnOrBefore,
} from './ny-time.js';
import { formatNanosUtc, parseRfc3339Nanos } from './wire-time.js';

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
/** 09:30 New York, in seconds since midnight (market-session.ts's open). */
const OPEN_SECOND = (9 * 60 + 30) * 60;
const NANOS_PER_MS = 1_000_000n;
const DAYS_PER_WEEK = 7;
const MONTHS_PER_YEAR = 12;
/** Any timeframe the bar routes accept (query-params.ts timeframeParam has validated it). */
const TIMEFRAME = /^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$/;

/** The time liveData follows; one instance per emulator. */
export class LiveMarketData {
  /**
   * `openedSessionsOnly` (liveDates, the demo): day, week and month bars stop at the last session
   * that has opened, so before 09:30 New York no daily bar exists for today. Default off: a daily
   * bar for today at any hour, as the specs written before it assert.
   */
  constructor(
    private readonly now: () => number,
    private readonly options: { openedSessionsOnly?: boolean } = {},
  ) {}

  /** One instant for a whole answer, so every symbol in it carries the same "now". */
  at(): LiveInstant {
    return new LiveInstant(this.now(), this.options.openedSessionsOnly === true);
  }
}

/** Restamps fixtures as of one instant. */
export class LiveInstant {
  constructor(
    readonly nowMs: number,
    private readonly openedSessionsOnly = false,
  ) {}

  /**
   * A quote or trade stamped now. The fixture's digits below the millisecond are kept, so the
   * stamp has Alpaca's nanosecond look and is still exactly predictable in a test.
   */
  stamped<T extends { t: string }>(value: T): T {
    const subMillisecond = (parseRfc3339Nanos(value.t) ?? 0n) % NANOS_PER_MS;
    return { ...value, t: formatNanosUtc(BigInt(this.nowMs) * NANOS_PER_MS + subMillisecond) };
  }

  /** Latest trade and quote now, minute bar just closed, daily bars today's and the session before. */
  snapshot(snapshot: WireStockSnapshot): WireStockSnapshot {
    const [previousDay, today] = periodStamps({
      timeframe: '1Day',
      nowMs: this.nowMs,
      count: 2,
      openedSessionsOnly: this.openedSessionsOnly,
    });
    // Spreading first keeps the wire's key order and every null or absent member as it was.
    const live: WireStockSnapshot = { ...snapshot };
    if (snapshot.latestTrade) live.latestTrade = this.stamped(snapshot.latestTrade);
    if (snapshot.latestQuote) live.latestQuote = this.stamped(snapshot.latestQuote);
    if (snapshot.minuteBar) live.minuteBar = { ...snapshot.minuteBar, t: lastMinuteStart(this.nowMs) };
    if (snapshot.dailyBar) live.dailyBar = { ...snapshot.dailyBar, t: today };
    if (snapshot.prevDailyBar) live.prevDailyBar = { ...snapshot.prevDailyBar, t: previousDay };
    return live;
  }

  /**
   * A symbol's bars (ascending) restamped as consecutive `timeframe` periods, the last one being
   * the period the current minute belongs to. Restamping per answer means a page boundary can
   * shift by one bar when a period rolls over between two pages, as new bars do upstream.
   */
  bars(bars: readonly WireBar[], timeframe: string): WireBar[] {
    const stamps = periodStamps({
      timeframe,
      nowMs: this.nowMs,
      count: bars.length,
      openedSessionsOnly: this.openedSessionsOnly,
    });
    return bars.map((bar, i) => ({ ...bar, t: stamps[i] }));
  }

  clock(): WireClock {
    return usEquityClock(this.nowMs);
  }
}

/**
 * The stamps of the last `count` bars of `timeframe` as of `nowMs`, ascending. Daily bars skip
 * weekends (no holidays, like market-session.ts); minute and hour bars run through nights and
 * weekends, because the emulator has no model of extended hours.
 */
export function periodStamps(opts: {
  timeframe: string;
  nowMs: number;
  count: number;
  openedSessionsOnly?: boolean;
}): string[] {
  const match = TIMEFRAME.exec(opts.timeframe);
  if (match === null) throw new RangeError(`not a bar timeframe: ${opts.timeframe}`);
  const amount = Number(match[1]);
  const unit = match[2];
  // The last millisecond before the current minute: the newest bar holds data up to it.
  const reference = Math.floor(opts.nowMs / MS_PER_MINUTE) * MS_PER_MINUTE - 1;
  const stamps: string[] = [];
  if (unit === 'Min' || unit === 'T' || unit === 'Hour' || unit === 'H') {
    const period = amount * (unit === 'Min' || unit === 'T' ? MS_PER_MINUTE : MS_PER_HOUR);
    const last = Math.floor(reference / period) * period;
    for (let k = opts.count - 1; k >= 0; k -= 1) stamps.push(utcSecondsStamp(last - k * period));
    return stamps;
  }
  const wall = nyWallTime(reference);
  // Before today's open, today's session has no bar yet: periods end with yesterday's.
  const date = opts.openedSessionsOnly === true && wall.secondOfDay < OPEN_SECOND ? addDays(wall.date, -1) : wall.date;
  const days = dayStarts({ unit, amount, date, count: opts.count });
  return days.map(nyMidnightOf);
}

/** New-York dates that start the last `count` day, week or month periods, ascending. */
function dayStarts(opts: { unit: string; amount: number; date: IsoDate; count: number }): IsoDate[] {
  const starts: IsoDate[] = [];
  if (opts.unit === 'Day' || opts.unit === 'D') {
    let day = weekdayOnOrBefore(opts.date);
    while (starts.length < opts.count) {
      starts.unshift(day);
      day = weekdayOnOrBefore(addDays(day, -1));
    }
    return starts;
  }
  if (opts.unit === 'Week' || opts.unit === 'W') {
    // Weeks start on Monday.
    const monday = addDays(opts.date, -((weekdayOf(opts.date) + 6) % DAYS_PER_WEEK));
    for (let k = 0; k < opts.count; k += 1) starts.unshift(addDays(monday, -k * DAYS_PER_WEEK));
    return starts;
  }
  // Months: n-month periods aligned on January (the accepted 1, 2, 3, 4, 6 and 12 all divide 12).
  const [year, month] = opts.date.split('-').map(Number);
  const current = Math.floor((year * MONTHS_PER_YEAR + month - 1) / opts.amount) * opts.amount;
  for (let k = 0; k < opts.count; k += 1) {
    const index = current - k * opts.amount;
    const startMonth = (index % MONTHS_PER_YEAR) + 1;
    starts.unshift(`${Math.floor(index / MONTHS_PER_YEAR)}-${String(startMonth).padStart(2, '0')}-01`);
  }
  return starts;
}
