import { AppError } from '../errors/app-error.js';
import { TIMEFRAME_PATTERN } from '../../market-data/dto/bars-query.dto.js';
import { assertOrderedRange, isValidUpstreamTime } from './time-range.js';

describe('time range', () => {
  it.each(['2024-01-02', '2024-02-29', '2024-01-02T09:30:00Z', '2024-01-02T09:30:00.123456789-05:00'])(
    'accepts %p',
    (v) => {
      expect(isValidUpstreamTime(v)).toBe(true);
    },
  );
  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-1-2',
    '2024-01-02 09:30',
    '2024-01-02T25:00:00Z',
    'now',
    '',
    '1704153600',
  ])('rejects %p', (v) => {
    expect(isValidUpstreamTime(v)).toBe(false);
  });
  it('allows equal bounds (both inclusive) and refuses start after end', () => {
    expect(() => assertOrderedRange('2024-01-02', '2024-01-02')).not.toThrow();
    expect(() => assertOrderedRange('2024-01-03', undefined)).not.toThrow();
    let err: unknown;
    try {
      assertOrderedRange('2024-01-03', '2024-01-02T23:59:59Z');
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_DATE_RANGE');
  });
});

describe('timeframe grammar (Alpaca)', () => {
  it.each(['1Min', '59Min', '5T', '1Hour', '23H', '1Day', '1D', '1Week', '1W', '1Month', '12M', '6Month'])(
    'accepts %p',
    (tf) => {
      expect(TIMEFRAME_PATTERN.test(tf)).toBe(true);
    },
  );
  it.each(['0Min', '60Min', '24Hour', '2Day', '2Week', '5Month', '30Sec', '1day', '1min', 'Day', ''])(
    'rejects %p',
    (tf) => {
      expect(TIMEFRAME_PATTERN.test(tf)).toBe(false);
    },
  );
});
