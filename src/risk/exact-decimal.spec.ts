import { Dec } from './exact-decimal.js';

const d = (s: string | number): Dec => Dec.of(s);

describe('Dec (exact decimals for the risk rules)', () => {
  it('adds without float drift: 0.1 + 0.2 is 0.3', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
    expect(d(0.1).add(d(0.2)).cmp(d('0.3'))).toBe(0);
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('multiplies amounts exactly: 3 × 172.7 = 518.1, 0.999999999 × 150.25', () => {
    expect(d('3').mul(d(172.7)).toString()).toBe('518.1');
    expect(d('0.999999999').mul(d('150.25')).toString()).toBe('150.24999984975');
  });

  it('reads JSON numbers as printed, exponents included', () => {
    expect(d(5000).toString()).toBe('5000');
    expect(d(1e-7).toString()).toBe('0.0000001');
    expect(d('1.5e3').toString()).toBe('1500');
    expect(Dec.parse('1,5')).toBeNull();
    expect(() => d(Number.NaN)).toThrow();
  });

  it('keeps signs: -1.250 is -1.25; abs and neg', () => {
    expect(d('-1.250').toString()).toBe('-1.25');
    expect(d('-3').abs().toString()).toBe('3');
    expect(d('2').sub(d('5')).toString()).toBe('-3');
    expect(d('-0.5').sign()).toBe(-1);
  });

  it('compares across scales: 2.50 = 2.5, 100.01 > 100', () => {
    expect(d('2.50').cmp(d('2.5'))).toBe(0);
    expect(d('100.01').gt(d(100))).toBe(true);
    expect(d('99.999999999').lt(d(100))).toBe(true);
  });

  it('shifts a percentage into a fraction: 3 × 33.333333333 % = 0.99999999999', () => {
    expect(d('3').mul(d('33.333333333')).shift(2).toString()).toBe('0.99999999999');
  });

  it('rounds up: ceil to places, division rounded up, whole cents up', () => {
    expect(d('0.99999999999').ceil(9).toString()).toBe('1');
    expect(d('1.2340000001').ceil(4).toString()).toBe('1.2341');
    expect(d('-1.239').ceil(2).toString()).toBe('-1.23');
    expect(d('100').divCeil(d('3'), 9).toString()).toBe('33.333333334');
    expect(d('500').divCeil(d('172.7'), 9).toString()).toBe('2.895193978');
    expect(d('100').divCeil(d('4'), 9).toString()).toBe('25');
    expect(d('5000.001').centsUp()).toBe(500001n);
    expect(d('5000').centsUp()).toBe(500000n);
    expect(Dec.fromCents(500001n).toString()).toBe('5000.01');
  });
});
