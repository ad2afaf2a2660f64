import {
  dailyAuctionsItem,
  readAsset,
  readCalendar,
  readCodeMap,
  readCorporateActionsPage,
  readMovers,
  readNewsPage,
  stockQuoteItem,
  symbolPageReader,
  symbolRecordReader,
  barItem,
} from './market-reference.mapper.js';
import { WireFormatError } from '../stocks/stock-wire-parsers.js';

describe('pass-through readers: renames only, null where Alpaca left a member out', () => {
  it("reads a multi-symbol history page, keeping Alpaca's token and order", () => {
    const read = symbolPageReader('quotes', stockQuoteItem);
    const page = read({
      quotes: {
        AAPL: [{ ap: 0, as: 0, ax: ' ', bp: 177.92, bs: 4, bx: 'Q', c: ['Y'], t: '2022-01-03T09:00:00.028160898Z' }],
      },
      next_page_token: 'QUFQTA==',
    });
    expect(page).toEqual({
      by_symbol: {
        AAPL: [
          {
            timestamp: '2022-01-03T09:00:00.028160898Z',
            bid_price: 177.92,
            bid_size: 4,
            bid_exchange: 'Q',
            ask_price: 0,
            ask_size: 0,
            ask_exchange: ' ',
            conditions: ['Y'],
            tape: null,
          },
        ],
      },
      next_page_token: 'QUFQTA==',
    });
    expect(read({ next_page_token: null })).toEqual({ by_symbol: {}, next_page_token: null });
  });

  it('reads a multi-symbol latest map', () => {
    expect(
      symbolRecordReader(
        'bars',
        barItem,
      )({ bars: { TSLA: { c: 914.3, h: 914.3, l: 914.3, o: 914.3, t: '2022-08-17T08:57:00Z', v: 751 } } }),
    ).toEqual({
      TSLA: {
        timestamp: '2022-08-17T08:57:00Z',
        open: 914.3,
        high: 914.3,
        low: 914.3,
        close: 914.3,
        volume: 751,
        trade_count: null,
        vwap: null,
      },
    });
  });

  it('reads daily auctions; a print without size has size null', () => {
    expect(
      dailyAuctionsItem(
        {
          d: '2022-10-13',
          o: [{ c: 'O', p: 135, t: '2022-10-13T13:30:01.688322951Z', x: 'Q' }],
          c: [{ c: 'M', p: 142.94, t: 't', x: 'P', s: 10 }],
        },
        '$',
      ),
    ).toEqual({
      date: '2022-10-13',
      opens: [{ timestamp: '2022-10-13T13:30:01.688322951Z', exchange: 'Q', price: 135, size: null, condition: 'O' }],
      closes: [{ timestamp: 't', exchange: 'P', price: 142.94, size: 10, condition: 'M' }],
    });
  });

  it('reads code tables and refuses a non-string description', () => {
    expect(readCodeMap({ '@': 'Regular Sale' })).toEqual({ '@': 'Regular Sale' });
    expect(() => readCodeMap({ '@': 1 })).toThrow(WireFormatError);
  });

  it('reads news; url null when Alpaca sends none', () => {
    const article = {
      id: 1,
      headline: 'h',
      author: 'a',
      created_at: 'c',
      updated_at: 'u',
      summary: 's',
      content: '',
      images: [{ size: 'thumb', url: 'x' }],
      symbols: ['AAPL'],
      source: 'benzinga',
    };
    expect(readNewsPage({ news: [article], next_page_token: null })).toEqual({
      items: [{ ...article, url: null }],
      next_page_token: null,
    });
    expect(() => readNewsPage({ news: [{ ...article, id: 1.5 }] })).toThrow(/\$\.news\[0\]\.id/);
  });

  it('reads corporate actions: every member of the type, null where absent; a type not sent is null', () => {
    const page = readCorporateActionsPage({
      corporate_actions: {
        forward_splits: [
          { id: 'i', symbol: 'SRE', cusip: 'c', new_rate: 2, old_rate: 1, process_date: 'p', ex_date: 'e' },
        ],
      },
      next_page_token: 'MQ==',
    });
    expect(page.corporate_actions['forward_splits']).toEqual([
      {
        id: 'i',
        process_date: 'p',
        currency: null,
        payable_date: null,
        symbol: 'SRE',
        cusip: 'c',
        isin: null,
        new_rate: 2,
        old_rate: 1,
        ex_date: 'e',
        record_date: null,
        due_bill_redemption_date: null,
      },
    ]);
    expect(page.corporate_actions['cash_dividends']).toBeNull();
    expect(Object.keys(page.corporate_actions)).toHaveLength(15);
    expect(page.next_page_token).toBe('MQ==');
    expect(() => readCorporateActionsPage({ corporate_actions: { forward_splits: [{ id: 'i' }] } })).toThrow(
      WireFormatError,
    );
  });

  it('reads movers, assets (class → asset_class, decimals stay strings) and calendar days', () => {
    expect(
      readMovers({
        gainers: [],
        losers: [{ symbol: 'TIG', percent_change: -51.21, change: -3.61, price: 3.435 }],
        market_type: 'stocks',
        last_updated: 't',
      }).losers[0]?.price,
    ).toBe(3.435);
    const asset = readAsset({
      id: 'x',
      class: 'us_equity',
      exchange: 'NASDAQ',
      symbol: 'AAPL',
      name: 'Apple',
      status: 'active',
      tradable: true,
      marginable: true,
      shortable: true,
      easy_to_borrow: true,
      fractionable: true,
      margin_requirement_long: '30',
    });
    expect(asset).toMatchObject({
      asset_class: 'us_equity',
      margin_requirement_long: '30',
      cusip: null,
      attributes: null,
      maintenance_margin_requirement: null,
    });
    expect(asset).not.toHaveProperty('class');
    expect(
      readCalendar([
        { date: '2025-01-06', open: '09:30', close: '16:00', session_open: '0400', session_close: '2000' },
      ]),
    ).toEqual([
      {
        date: '2025-01-06',
        open: '09:30',
        close: '16:00',
        session_open: '0400',
        session_close: '2000',
        settlement_date: null,
      },
    ]);
  });
});
