/**
 * The emulator's own US-equity session schedule, behind `/v2/clock` when liveData is on: regular
 * hours 09:30-16:00 New-York time, Monday to Friday. Exchange holidays and early closes are
 * ignored on purpose: a calendar would need yearly upkeep, and the gateway only needs a clock
 * that opens, closes and names its next change the way Alpaca's does (TR-SPEC `legacy_clock`).
 */
import type { WireClock } from '../emulator.types.js';
import { isWeekday, nextWeekday, nyRfc3339, nyWallTime, nyWallToUtcMs } from './ny-time.js';

const OPEN_MINUTE = 9 * 60 + 30;
const CLOSE_MINUTE = 16 * 60;
const SECONDS_PER_MINUTE = 60;

/** Alpaca's clock answer at `nowMs`: open from 09:30:00 up to (not including) 16:00:00. */
export function usEquityClock(nowMs: number): WireClock {
  const { date, secondOfDay } = nyWallTime(nowMs);
  const tradingDay = isWeekday(date);
  const beforeOpen = secondOfDay < OPEN_MINUTE * SECONDS_PER_MINUTE;
  const isOpen = tradingDay && !beforeOpen && secondOfDay < CLOSE_MINUTE * SECONDS_PER_MINUTE;
  // While open, Alpaca's next_open is the next session's open; next_close is today's close.
  const nextOpenDay = tradingDay && beforeOpen ? date : nextWeekday(date);
  const nextCloseDay = isOpen ? date : nextOpenDay;
  return {
    timestamp: nyRfc3339(nowMs, true),
    is_open: isOpen,
    next_open: nyRfc3339(nyWallToUtcMs(nextOpenDay, OPEN_MINUTE)),
    next_close: nyRfc3339(nyWallToUtcMs(nextCloseDay, CLOSE_MINUTE)),
  };
}
