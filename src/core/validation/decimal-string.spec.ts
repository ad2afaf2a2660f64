import { normalizeDecimal, sameDecimal } from './decimal-string.js';

describe('decimal amounts compared', () => {
  it.each([
    ['150.50', '150.5'],
    ['0150', '150'],
    ['2.0', '2'],
    ['-1.250', '-1.25'],
    ['-01.50', '-1.5'],
  ])('%s normalises to %s', (value, normal) => {
    expect(normalizeDecimal(value)).toBe(normal);
  });

  it('a value Alpaca sent is the amount asked for only as a non-empty string of that amount', () => {
    expect(sameDecimal('150.00', '150')).toBe(true);
    expect(sameDecimal('-1.25', '-1.250')).toBe(true);
    expect(sameDecimal('1.25', '-1.25')).toBe(false);
    expect(sameDecimal('', '0')).toBe(false);
    expect(sameDecimal(null, '1')).toBe(false);
    expect(sameDecimal(150, '150')).toBe(false);
  });
});
