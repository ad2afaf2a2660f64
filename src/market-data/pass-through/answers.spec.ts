import { AppError } from '../../core/errors/app-error.js';
import { historyPage, oneSymbol, pageInfo, symbolBatch } from './answers.js';

describe('pass-through answers', () => {
  it('pageInfo passes the token through and says whether there is more', () => {
    expect(pageInfo('abc', 2)).toEqual({ has_more: true, next_page_token: 'abc', count: 2 });
    expect(pageInfo(null, 0)).toEqual({ has_more: false, next_page_token: null, count: 0 });
  });

  it("historyPage picks the symbol's items; an empty first page is HISTORICAL_DATA_UNAVAILABLE, an empty later page is not", () => {
    const page = { by_symbol: { AAPL: [1, 2] }, next_page_token: 't' };
    expect(historyPage('symbol', 'trades', 'AAPL', page, {}, 'iex')).toEqual({
      symbol: 'AAPL',
      trades: [1, 2],
      page_info: { has_more: true, next_page_token: 't', count: 2 },
    });
    const empty = { by_symbol: {}, next_page_token: null };
    expect(() => historyPage('symbol', 'trades', 'AAPL', empty, { start: '2020-01-01' }, 'iex')).toThrow(AppError);
    expect(historyPage('symbol', 'trades', 'AAPL', empty, { page_token: 'x' }, 'iex')).toEqual({
      symbol: 'AAPL',
      trades: [],
      page_info: { has_more: false, next_page_token: null, count: 0 },
    });
  });

  it('symbolBatch answers in request order, a missing symbol as its catalog error', () => {
    const out = symbolBatch('bars', 'SYMBOL_NOT_FOUND', ['MSFT', 'AAPL'], { AAPL: { close: 1 } });
    expect(out.bars.map((i) => [i.symbol, i.status, i.data, i.error?.code ?? null])).toEqual([
      ['MSFT', 'error', null, 'SYMBOL_NOT_FOUND'],
      ['AAPL', 'success', { symbol: 'AAPL', close: 1 }, null],
    ]);
    expect(out.summary).toEqual({ total_requested: 2, successful: 1, failed: 1 });
  });

  it('oneSymbol is SYMBOL_NOT_FOUND for a symbol Alpaca left out (also for inherited names)', () => {
    expect(oneSymbol({ AAPL: { close: 1 } }, 'AAPL', 'iex')).toEqual({ symbol: 'AAPL', close: 1 });
    expect(() => oneSymbol({}, 'constructor', 'iex')).toThrow(
      expect.objectContaining({ code: 'SYMBOL_NOT_FOUND' }) as Error,
    );
  });
});
