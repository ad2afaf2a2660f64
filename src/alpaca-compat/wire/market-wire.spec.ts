import type { OptionSnapshot } from '../../alpaca/options/options.models.js';
import { wireOptionSnapshot } from './option-wire.js';
import { wireHistoryPage, wireLatest, wireSingleHistoryPage, withCurrency } from './page-wire.js';
import { wireCorporateActions, wireNewsArticle } from './reference-wire.js';
import { wireDailyAuctions } from './stock-wire.js';

const quoteOnly: OptionSnapshot = {
  latest_quote: {
    timestamp: '2024-02-02T20:59:59.731674112Z',
    bid_price: 0.48,
    bid_size: 396,
    bid_exchange: 'X',
    ask_price: 0.59,
    ask_size: 458,
    ask_exchange: 'X',
    condition: ' ',
  },
  latest_trade: null,
  greeks: null,
  implied_volatility: null,
  latest_quote_available: true,
  latest_trade_available: false,
  greeks_available: false,
  iv_available: false,
};

describe("the face's market-data wire mappers", () => {
  it('an option snapshot leaves out what Alpaca did not send: no greeks, no IV, no trade (never null, never zero)', () => {
    expect(wireOptionSnapshot(quoteOnly)).toStrictEqual({
      latestQuote: {
        t: '2024-02-02T20:59:59.731674112Z',
        bx: 'X',
        bp: 0.48,
        bs: 396,
        ax: 'X',
        ap: 0.59,
        as: 458,
        c: ' ',
      },
    });
    const greeks = { delta: 0.75, gamma: 0.06, theta: -0.28, vega: 0.04, rho: 0.0099 };
    expect(wireOptionSnapshot({ ...quoteOnly, latest_quote: null, greeks, implied_volatility: 0 })).toStrictEqual({
      greeks: { delta: 0.75, gamma: 0.06, rho: 0.0099, theta: -0.28, vega: 0.04 },
      impliedVolatility: 0,
    });
  });

  it('history pages: symbols with nothing on the page are left out, the token passes as it came; maps hold any key as an own property', () => {
    const page = { by_symbol: { AAPL: [1], TSLA: [], ['__proto__']: [2] }, next_page_token: 'QUFQTA==' };
    const body = wireHistoryPage('bars', page, (n) => ({ n }));
    expect(Object.keys(body['bars'] as object)).toEqual(['AAPL', '__proto__']);
    expect(body['next_page_token']).toBe('QUFQTA==');
    expect(wireSingleHistoryPage('bars', 'MSFT', page, (n) => ({ n }))).toEqual({
      symbol: 'MSFT',
      bars: [],
      next_page_token: 'QUFQTA==',
    });
    expect(wireLatest('quotes', {}, () => ({}))).toEqual({ quotes: {} });
    expect(withCurrency({ a: 1 }, 'usd')).toEqual({ a: 1, currency: 'USD' });
    expect(withCurrency({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('auctions without a size leave `s` out', () => {
    const auction = { timestamp: '2022-10-13T20:00:00.166980864Z', exchange: 'P', price: 142.94, condition: 'M' };
    expect(
      wireDailyAuctions({
        date: '2022-10-13',
        opens: [{ ...auction, size: null }],
        closes: [{ ...auction, size: 8123301 }],
      }),
    ).toEqual({
      d: '2022-10-13',
      o: [{ t: auction.timestamp, x: 'P', p: 142.94, c: 'M' }],
      c: [{ t: auction.timestamp, x: 'P', p: 142.94, c: 'M', s: 8123301 }],
    });
  });

  it('corporate actions: a type Alpaca did not send stays absent, an empty list stays empty, members it left out are left out', () => {
    const body = wireCorporateActions({
      cash_dividends: [{ id: 'x', symbol: 'FCF', rate: 0.125, special: false, isin: null }],
      forward_splits: [],
      name_changes: null,
      reorganizations: [
        { id: 'y', stock_movements: [{ symbol: 'A', cusip: 'c', isin: null, new_rate: 1, source_rate: 2 }] },
      ],
    });
    expect(body).toStrictEqual({
      cash_dividends: [{ id: 'x', symbol: 'FCF', rate: 0.125, special: false }],
      forward_splits: [],
      reorganizations: [{ id: 'y', stock_movements: [{ symbol: 'A', cusip: 'c', new_rate: 1, source_rate: 2 }] }],
    });
  });

  it("news keeps a null url as null (Alpaca's schema makes it nullable)", () => {
    const article = {
      id: 1,
      headline: 'h',
      author: 'a',
      created_at: 'c',
      updated_at: 'u',
      summary: 's',
      content: '',
      url: null,
      images: [],
      symbols: ['AAPL'],
      source: 'benzinga',
    };
    expect(wireNewsArticle(article)).toStrictEqual(article);
  });
});
