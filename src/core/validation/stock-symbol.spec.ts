import { AppError } from '../errors/app-error.js';
import { normalizeStockSymbol, normalizeStockSymbols, STOCK_SYMBOL_PATTERN } from './stock-symbol.js';

describe('stock symbols', () => {
  it.each([
    ['aapl', 'AAPL'],
    [' msft ', 'MSFT'],
    ['brk.b', 'BRK.B'],
    ['BRK-B', 'BRK.B'],
    ['brk/a', 'BRK.A'],
  ])('normalises %p to %p', (raw, expected) => {
    expect(normalizeStockSymbol(raw)).toBe(expected);
    expect(STOCK_SYMBOL_PATTERN.test(expected)).toBe(true);
  });

  it.each(['', 'TOOLONG', 'AA PL', 'A$', '1ABC', 'BRK.', '.B', 'BRK.BBB', 'AAPL;DROP', 'ÄAPL', 'A..B'])(
    'rejects %p',
    (raw) => {
      expect(STOCK_SYMBOL_PATTERN.test(String(normalizeStockSymbol(raw)))).toBe(false);
    },
  );

  it('collapses duplicates and names every invalid entry', () => {
    expect(normalizeStockSymbols(['aapl', 'AAPL', 'msft'])).toEqual(['AAPL', 'MSFT']);
    try {
      normalizeStockSymbols(['AAPL', 'x y', '$$']);
      throw new Error('expected a failure');
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('INVALID_SYMBOL_FORMAT');
      expect((e as AppError).details).toEqual({ invalid_symbols: ['x y', '$$'] });
      // The refusal says what would have been accepted, lower case included.
      expect((e as AppError).message).toBe(
        'Invalid symbol(s): "x y", "$$". Each must be 1-5 letters such as AAPL, or a class share such as BRK.B (BRK-B and BRK/B are accepted too); lower case is accepted and upper-cased.',
      );
    }
  });
});
