import {
  readCorporateActionsPage,
  readNewsPage,
  symbolPageReader,
  stockTradeItem,
} from '../reference/market-reference.mapper.js';
import { toOptionContract, toOptionSnapshot } from '../options/option.mapper.js';
import { parseOptionContractsPage, parseOptionSnapshotsPage } from '../options/options-wire-parsers.js';
import { toBar, toStockQuote, toStockTrade } from '../stocks/stock.mapper.js';
import {
  parseBarsPage,
  parseClock,
  parseLatestQuotes,
  parseLatestTrades,
  parseStockSnapshots,
  WireFormatError,
} from '../stocks/stock-wire-parsers.js';

/** The message a refused payload becomes (UPSTREAM_INVALID_RESPONSE's details.reason). */
function reason(parse: () => unknown): string {
  try {
    parse();
  } catch (e: unknown) {
    if (e instanceof WireFormatError) return e.message;
    throw e;
  }
  throw new Error('expected a WireFormatError');
}

/** MD-SPEC `stock_quote` example (docs/alpaca-wire.md "REST shapes"), plus a member Alpaca might add one day. */
const QUOTE = {
  t: '2021-05-03T14:48:07.257820915Z',
  ax: 'Q',
  ap: 133.43,
  as: 7,
  bx: 'Q',
  bp: 133.42,
  bs: 15,
  c: ['R'],
  z: 'C',
  new_member: 1,
};

describe('zod wire schemas: check, never change', () => {
  it('passes a documented quote and maps it exactly; unknown members are dropped, values untouched', () => {
    const wire = parseLatestQuotes({ quotes: { AAPL: QUOTE } });
    expect(wire.quotes['AAPL']).not.toHaveProperty('new_member');
    expect(toStockQuote(wire.quotes['AAPL'])).toEqual({
      timestamp: '2021-05-03T14:48:07.257820915Z',
      bid_price: 133.42,
      bid_size: 15,
      bid_exchange: 'Q',
      ask_price: 133.43,
      ask_size: 7,
      ask_exchange: 'Q',
      conditions: ['R'],
      tape: 'C',
    });
  });

  it('treats an absent and a null optional member alike (our mapper makes both null)', () => {
    const noTape: Record<string, unknown> = { ...QUOTE };
    delete noTape['z'];
    expect(toStockQuote(parseLatestQuotes({ quotes: { A: noTape } }).quotes['A']).tape).toBeNull();
    expect(toStockQuote(parseLatestQuotes({ quotes: { A: { ...QUOTE, z: null } } }).quotes['A']).tape).toBeNull();
    expect(
      toBar(parseBarsPage({ bars: { A: [{ t: 't', o: 1, h: 1, l: 1, c: 1, v: 0 }] } }).bars['A'][0]),
    ).toMatchObject({
      trade_count: null,
      vwap: null,
    });
  });

  it('names the offending path: missing member, wrong type, null where not nullable, no coercion', () => {
    const noBid: Record<string, unknown> = { ...QUOTE };
    delete noBid['bp'];
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: noBid } }))).toBe('$.quotes.AAPL.bp: expected a number');
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, bp: '133.42' } } }))).toBe(
      '$.quotes.AAPL.bp: expected a number',
    );
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, t: null } } }))).toBe(
      '$.quotes.AAPL.t: expected a string',
    );
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, c: 'R' } } }))).toBe(
      '$.quotes.AAPL.c: expected an array',
    );
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, c: ['R', 7] } } }))).toBe(
      '$.quotes.AAPL.c[1]: expected a string',
    );
    expect(reason(() => parseLatestQuotes({ quotes: [] }))).toBe('$.quotes: expected an object');
    expect(reason(() => parseLatestQuotes(null))).toBe('$: expected an object');
    expect(reason(() => parseClock({ is_open: 'true', timestamp: 't', next_open: 'o', next_close: 'c' }))).toBe(
      '$.is_open: expected a boolean',
    );
  });

  it('refuses numbers JSON cannot carry but msgpack can', () => {
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, ap: Infinity } } }))).toBe(
      '$.quotes.AAPL.ap: expected a number',
    );
    expect(reason(() => parseLatestQuotes({ quotes: { AAPL: { ...QUOTE, as: NaN } } }))).toBe(
      '$.quotes.AAPL.as: expected a number',
    );
  });

  it('keeps trade ids as sent: an integer number or the quoted uint64, nothing else', () => {
    const trade = { t: 't', x: 'V', p: 1.5, s: 3, c: ['@'] };
    expect(toStockTrade(parseLatestTrades({ trades: { A: { ...trade, i: 62700 } } }).trades['A']).trade_id).toBe(
      '62700',
    );
    expect(
      toStockTrade(parseLatestTrades({ trades: { A: { ...trade, i: '18446744073709551615' } } }).trades['A']).trade_id,
    ).toBe('18446744073709551615');
    for (const i of [1.5, '12a', null, undefined])
      expect(reason(() => parseLatestTrades({ trades: { A: { ...trade, i } } }))).toBe(
        '$.trades.A.i: expected an integer trade id',
      );
  });

  it('pages: array items by index, the token a string or null, an empty token is the last page', () => {
    const bar = { t: 't', o: 1, h: 2, l: 0.5, c: 1.5, v: 10 };
    expect(reason(() => parseBarsPage({ bars: { AAPL: [bar, { ...bar, o: null }] } }))).toBe(
      '$.bars.AAPL[1].o: expected a number',
    );
    expect(reason(() => parseBarsPage({ bars: {}, next_page_token: 5 }))).toBe(
      '$.next_page_token: expected a string or null',
    );
    expect(parseBarsPage({ bars: { AAPL: [bar] }, next_page_token: '' })).toEqual({
      bars: { AAPL: [bar] },
      next_page_token: null,
    });
    expect(parseBarsPage({})).toEqual({ bars: {}, next_page_token: null });
    expect(reason(() => symbolPageReader('trades', stockTradeItem)({ trades: { A: [{ i: 1 }] } }))).toBe(
      '$.trades.A[0].t: expected a string',
    );
  });

  it('snapshots: null entries and members stay "none", a wrong member is named', () => {
    const wire = parseStockSnapshots({ AAPL: { latestQuote: QUOTE, minuteBar: null }, X: null });
    expect(wire['X']).toBeNull();
    expect(wire['AAPL']?.latestTrade).toBeUndefined();
    expect(reason(() => parseStockSnapshots({ AAPL: { latestQuote: 5 } }))).toBe(
      '$.AAPL.latestQuote: expected an object',
    );
  });

  it('options: chain pages map as before; greeks are all-or-nothing; contract decimals must be strings', () => {
    const greeks = { delta: 0.5, gamma: 0.01, theta: -0.02, vega: 0.1, rho: 0.01 };
    const page = parseOptionSnapshotsPage({
      snapshots: { C1: { greeks, impliedVolatility: 0.3, latestQuote: null }, C2: null },
      next_page_token: null,
    });
    expect(Object.keys(page.snapshots)).toEqual(['C1']);
    expect(toOptionSnapshot(page.snapshots['C1'])).toMatchObject({
      latest_quote: null,
      latest_quote_available: false,
      greeks,
      implied_volatility: 0.3,
      iv_available: true,
    });
    expect(
      reason(() => parseOptionSnapshotsPage({ snapshots: { C1: { greeks: { ...greeks, rho: undefined } } } })),
    ).toBe('$.snapshots.C1.greeks.rho: expected a number');
    const contract = {
      id: 'i',
      symbol: 'S',
      name: 'n',
      status: 'active',
      tradable: true,
      expiration_date: 'e',
      underlying_symbol: 'AAPL',
      underlying_asset_id: 'u',
      type: 'call',
      style: 'american',
      strike_price: '100',
      multiplier: '100',
      size: '100',
      close_price: null,
    };
    expect(
      toOptionContract(parseOptionContractsPage({ option_contracts: [contract] }).option_contracts[0]),
    ).toMatchObject({
      root_symbol: null,
      close_price: null,
      strike_price: '100',
    });
    expect(reason(() => parseOptionContractsPage({ option_contracts: [{ ...contract, strike_price: 100 }] }))).toBe(
      '$.option_contracts[0].strike_price: expected a string',
    );
  });

  it('pass-through readers name the path too', () => {
    expect(reason(() => readNewsPage({ news: [{ id: 1.5 }] }))).toBe('$.news[0].id: expected an integer');
    expect(reason(() => readCorporateActionsPage({ corporate_actions: { forward_splits: [{ id: 'i' }] } }))).toBe(
      '$.corporate_actions.forward_splits[0].process_date: expected a string',
    );
  });
});
