import { usEquityClock } from './market-session.js';
import { nyMidnightUtc, nyRfc3339, nyWallToUtcMs } from './ny-time.js';

/** An instant given as New-York wall time with its offset, e.g. '2025-06-18T10:00:00-04:00'. */
const at = (rfc3339: string): number => Date.parse(rfc3339);

describe('usEquityClock (liveData clock, weekdays 09:30-16:00 New York)', () => {
  it('Saturday: closed; next open Monday 09:30 New York, next close Monday 16:00', () => {
    expect(usEquityClock(at('2025-06-21T12:00:00-04:00'))).toEqual({
      timestamp: '2025-06-21T12:00:00.000000000-04:00',
      is_open: false,
      next_open: '2025-06-23T09:30:00-04:00',
      next_close: '2025-06-23T16:00:00-04:00',
    });
  });

  it('Wednesday 10:00 New York: open; next close 16:00 today, next open Thursday 09:30', () => {
    expect(usEquityClock(at('2025-06-18T10:00:00.250-04:00'))).toEqual({
      timestamp: '2025-06-18T10:00:00.250000000-04:00',
      is_open: true,
      next_open: '2025-06-19T09:30:00-04:00',
      next_close: '2025-06-18T16:00:00-04:00',
    });
  });

  it('opens at 09:30:00 sharp and closes at 16:00:00 sharp', () => {
    expect(usEquityClock(at('2025-06-18T09:29:59-04:00'))).toMatchObject({
      is_open: false,
      next_open: '2025-06-18T09:30:00-04:00',
      next_close: '2025-06-18T16:00:00-04:00',
    });
    expect(usEquityClock(at('2025-06-18T09:30:00-04:00')).is_open).toBe(true);
    expect(usEquityClock(at('2025-06-18T15:59:59-04:00')).is_open).toBe(true);
    expect(usEquityClock(at('2025-06-18T16:00:00-04:00'))).toMatchObject({
      is_open: false,
      next_open: '2025-06-19T09:30:00-04:00',
      next_close: '2025-06-19T16:00:00-04:00',
    });
  });

  it('Friday after the close: next session Monday', () => {
    expect(usEquityClock(at('2025-06-20T17:30:00-04:00'))).toMatchObject({
      is_open: false,
      next_open: '2025-06-23T09:30:00-04:00',
      next_close: '2025-06-23T16:00:00-04:00',
    });
  });

  it('uses -05:00 in winter and crosses the March DST switch with the right offsets', () => {
    expect(usEquityClock(at('2025-01-15T11:00:00-05:00'))).toEqual({
      timestamp: '2025-01-15T11:00:00.000000000-05:00',
      is_open: true,
      next_open: '2025-01-16T09:30:00-05:00',
      next_close: '2025-01-15T16:00:00-05:00',
    });
    // Saturday 2025-03-08 is still EST; daylight time starts on Sunday the 9th.
    expect(usEquityClock(at('2025-03-08T10:00:00-05:00'))).toEqual({
      timestamp: '2025-03-08T10:00:00.000000000-05:00',
      is_open: false,
      next_open: '2025-03-10T09:30:00-04:00',
      next_close: '2025-03-10T16:00:00-04:00',
    });
  });

  it('a UTC instant past midnight UTC is still the previous New-York day', () => {
    // 02:00Z on Saturday is 22:00 Friday in New York: closed, next open Monday.
    expect(usEquityClock(at('2025-06-21T02:00:00Z'))).toMatchObject({
      timestamp: '2025-06-20T22:00:00.000000000-04:00',
      is_open: false,
      next_open: '2025-06-23T09:30:00-04:00',
    });
  });
});

describe('ny-time helpers', () => {
  it('New-York midnight is 04:00Z in summer and 05:00Z in winter', () => {
    expect(nyMidnightUtc(at('2025-06-18T10:00:00-04:00'))).toBe('2025-06-18T04:00:00Z');
    expect(nyMidnightUtc(at('2025-01-15T10:00:00-05:00'))).toBe('2025-01-15T05:00:00Z');
  });

  it('wall time to UTC and back', () => {
    expect(new Date(nyWallToUtcMs('2025-11-03', 9 * 60 + 30)).toISOString()).toBe('2025-11-03T14:30:00.000Z');
    expect(nyRfc3339(at('2025-11-03T14:30:00Z'))).toBe('2025-11-03T09:30:00-05:00');
  });
});
