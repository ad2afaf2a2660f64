import { AppError } from '../core/errors/app-error.js';
import {
  OCC_SYMBOL_PATTERN,
  parseOccSymbol,
  requireOccSymbol,
  strikeFromCode,
  termsOf,
  withTerms,
} from './occ-symbol.js';
import { compareDecimals, POSITIVE_DECIMAL } from '../core/validation/decimal-string.js';
import { isCalendarDate } from '../core/time/calendar-date.js';

describe('OCC symbols', () => {
  it.each([
    ['AAPL240426C00162500', 'AAPL', '2024-04-26', 'call', '162.5'],
    ['AAPL250620C00100000', 'AAPL', '2025-06-20', 'call', '100'],
    ['SPXW240327P04925000', 'SPXW', '2024-03-27', 'put', '4925'],
    ['XOM2241220P00280000', 'XOM2', '2024-12-20', 'put', '280'],
    ['CSGP1251017P00001000', 'CSGP1', '2025-10-17', 'put', '1'],
    ['aapl240426c00162500', 'AAPL', '2024-04-26', 'call', '162.5'],
    ['F240621C00012500', 'F', '2024-06-21', 'call', '12.5'],
    ['GOOGLX240229P00000500', 'GOOGLX', '2024-02-29', 'put', '0.5'],
    ['BRKB991231C99999999', 'BRKB', '2099-12-31', 'call', '99999.999'],
  ])('decodes %s', (raw, root, expiration, type, strike) => {
    const contract = requireOccSymbol(raw);
    expect(contract).toMatchObject({
      symbol: raw.toUpperCase(),
      root_symbol: root,
      expiration_date: expiration,
      option_type: type,
      strike_price: strike,
    });
    expect(OCC_SYMBOL_PATTERN.test(contract.symbol)).toBe(true);
  });

  it.each([
    ['too long a root', 'ABCDEFG240426C00162500', 'root'],
    ['a root with two digits', 'AB12240426C00100000', 'root'],
    ['a digits-only root', '1234240426C00100000', 'root'],
    ['no root', '240426C00100000', 'root'],
    ['missing C/P', 'AAPL24042600162500', 'type'],
    ['X instead of C/P', 'AAPL240426X00162500', 'type'],
    ['a 7-digit strike', 'AAPL240426C0162500', 'strike'],
    ['a 9-digit strike', 'AAPL240426C000162500', 'strike'],
    ['a zero strike', 'AAPL240426C00000000', 'strike'],
    ['month 13', 'AAPL241326C00100000', 'expiration'],
    ['month 00', 'AAPL240026C00100000', 'expiration'],
    ['day 32', 'AAPL240132C00100000', 'expiration'],
    ['30 February', 'AAPL240230C00100000', 'expiration'],
    ['29 February of a common year', 'AAPL250229C00100000', 'expiration'],
    ['a letter in the date', 'AAPL24O426C00100000', 'expiration'],
    ['empty', '', 'option_symbol'],
    ['inner spaces (OSI padding)', 'AAPL  240426C00162500', 'option_symbol'],
    ['a leading space', ' AAPL240426C00162500', 'option_symbol'],
    ['special characters', 'AAPL$240426C00162500', 'option_symbol'],
    ['a dot', 'BRK.B240426C00100000', 'option_symbol'],
    ['a stock ticker', 'AAPL', 'option_symbol'],
    ['far too long', 'A'.repeat(500), 'option_symbol'],
  ])('refuses %s (%p), naming the %s', (_label, raw, part) => {
    const result = parseOccSymbol(raw);
    if (result.ok) throw new Error(`${raw} was accepted`);
    expect(result.problems.map((p) => p.part)).toContain(part);
    expect(result.symbol.length).toBeLessThanOrEqual(40);
  });

  it('reports what the symbol split into and each failing part', () => {
    let err: unknown;
    try {
      requireOccSymbol('AAPL241326X00162500');
    } catch (e: unknown) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_OPTION_SYMBOL');
    expect((err as AppError).details).toEqual({
      option_symbol: 'AAPL241326X00162500',
      parts: { root: 'AAPL', expiration: '241326', type: 'X', strike: '00162500' },
      invalid_parts: [
        { part: 'expiration', value: '241326', problem: 'month 13 does not exist' },
        { part: 'type', value: 'X', problem: 'the type must be C (call) or P (put)' },
      ],
    });
  });

  it('reads strikes as text, so no float rounding can creep in', () => {
    expect(strikeFromCode('00162500')).toBe('162.5');
    expect(strikeFromCode('00000001')).toBe('0.001');
    expect(strikeFromCode('00100010')).toBe('100.01');
    expect(strikeFromCode('10000000')).toBe('10000');
    expect(strikeFromCode('00000000')).toBe('0');
  });
});

describe('decimal strings and calendar dates', () => {
  it('compares decimals by value', () => {
    expect(compareDecimals('151.123', '155')).toBeLessThan(0);
    expect(compareDecimals('155.0', '155')).toBe(0);
    expect(compareDecimals('0155', '155.000')).toBe(0);
    expect(compareDecimals('1000', '999.999')).toBeGreaterThan(0);
    expect(compareDecimals('0.5', '0.45')).toBeGreaterThan(0);
  });

  it.each(['1', '151.123', '0.5', '4925', '00100'])('accepts strike %p', (v) =>
    expect(POSITIVE_DECIMAL.test(v)).toBe(true),
  );
  it.each(['0', '0.0', '-5', '1e3', '.5', '5.', '', 'abc', '1,5', ' 5'])('refuses strike %p', (v) =>
    expect(POSITIVE_DECIMAL.test(v)).toBe(false),
  );

  it('knows which days exist', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(
      ['2023-02-29', '2024-13-01', '2024-04-31', '2024-4-1', '20240401', '2024-04-01T00:00:00Z', 5].some(
        isCalendarDate,
      ),
    ).toBe(false);
  });
});

describe('withTerms', () => {
  it('gives what { ...termsOf(c), ...data } gives, keys in the same order, without touching data', () => {
    const contract = requireOccSymbol('AAPL240426C00162500');
    const data = { latest_quote: null, greeks: null, greeks_available: false, symbol: 'AAPL240426C00162500' };
    const merged = withTerms(contract, data);
    expect(merged).toEqual({ ...termsOf(contract), ...data });
    expect(Object.keys(merged)).toEqual(Object.keys({ ...termsOf(contract), ...data }));
    expect(data).toEqual({ latest_quote: null, greeks: null, greeks_available: false, symbol: 'AAPL240426C00162500' });
    expect(merged).not.toBe(data);
  });
});
