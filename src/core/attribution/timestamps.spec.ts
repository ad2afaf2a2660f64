import { newestTimestamp, parseUpstreamTimestamp } from './timestamps.js';

describe('upstream timestamps', () => {
  it('parses nanosecond RFC-3339 and offsets', () => {
    expect(parseUpstreamTimestamp('2022-08-17T10:09:34.055031265Z')).toBe(Date.UTC(2022, 7, 17, 10, 9, 34, 55));
    expect(parseUpstreamTimestamp('2025-06-24T14:15:22-04:00')).toBe(Date.UTC(2025, 5, 24, 18, 15, 22));
    expect(parseUpstreamTimestamp('2021-05-03T14:47:00Z')).toBe(Date.UTC(2021, 4, 3, 14, 47));
    expect(parseUpstreamTimestamp('yesterday')).toBeNull();
  });
  it('picks the newest instant and returns its original text', () => {
    expect(newestTimestamp(['2021-05-03T14:48:06.563Z', '2021-05-03T14:48:07.257820915Z', null, undefined])).toBe('2021-05-03T14:48:07.257820915Z');
    expect(newestTimestamp(['2021-05-03T14:48:07.257820915Z', '2021-05-03T14:48:07.257820916Z'])).toBe('2021-05-03T14:48:07.257820916Z');
    expect(newestTimestamp([])).toBeNull();
  });
});
