import { isoTimestamp, newestTimestamp, parseUpstreamTimestamp } from './timestamps.js';

describe('upstream timestamps', () => {
  it('parses nanosecond RFC-3339 and offsets', () => {
    expect(parseUpstreamTimestamp('2022-08-17T10:09:34.055031265Z')).toBe(Date.UTC(2022, 7, 17, 10, 9, 34, 55));
    expect(parseUpstreamTimestamp('2025-06-24T14:15:22-04:00')).toBe(Date.UTC(2025, 5, 24, 18, 15, 22));
    expect(parseUpstreamTimestamp('2021-05-03T14:47:00Z')).toBe(Date.UTC(2021, 4, 3, 14, 47));
    expect(parseUpstreamTimestamp('yesterday')).toBeNull();
  });
  it('picks the newest instant and returns its original text', () => {
    expect(newestTimestamp(['2021-05-03T14:48:06.563Z', '2021-05-03T14:48:07.257820915Z', null, undefined])).toBe(
      '2021-05-03T14:48:07.257820915Z',
    );
    expect(newestTimestamp(['2021-05-03T14:48:07.257820915Z', '2021-05-03T14:48:07.257820916Z'])).toBe(
      '2021-05-03T14:48:07.257820916Z',
    );
    expect(newestTimestamp([])).toBeNull();
  });
});

describe('isoTimestamp', () => {
  it('is the ISO form of the given instant, also when asked again for the same or another millisecond', () => {
    const a = Date.UTC(2026, 10, 29, 7, 0, 0, 123);
    expect(isoTimestamp(a)).toBe('2026-11-29T07:00:00.123Z');
    expect(isoTimestamp(a)).toBe('2026-11-29T07:00:00.123Z');
    expect(isoTimestamp(a + 1)).toBe('2026-11-29T07:00:00.124Z');
    expect(isoTimestamp(a)).toBe('2026-11-29T07:00:00.123Z');
  });
  it('defaults to now', () => {
    const before = Date.now();
    const ms = Date.parse(isoTimestamp());
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });
});
