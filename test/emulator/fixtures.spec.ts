import { defaultFixtures } from './fixtures.js';
import { decodeOcc } from './market/occ-symbol.js';
import { OPTION_SYMBOL } from './http/query-params.js';
import { parseRfc3339Nanos } from './market/wire-time.js';

describe('defaultFixtures()', () => {
  it('returns an independent deep copy on every call', () => {
    const first = defaultFixtures();
    const second = defaultFixtures();
    expect(second).toEqual(first);
    first.stockQuotes.AAPL.bp = 1;
    first.stockBars.AAPL.pop();
    first.orders[0].status = 'filled';
    first.account.cash = '0';
    expect(defaultFixtures()).toEqual(second);
    // Members built from other builders must not share objects either.
    const fresh = defaultFixtures();
    fresh.stockTrades.TSLA.p = 1;
    expect(fresh.stockSnapshots.TSLA?.latestTrade?.p).toBe(911.45);
  });

  it('keeps every bar series strictly ascending with valid OHLC', () => {
    for (const bars of Object.values(defaultFixtures().stockBars)) {
      const times = bars.map((bar) => parseRfc3339Nanos(bar.t) ?? -1n);
      expect(times.every((t, i) => t > 0n && (i === 0 || t > times[i - 1]))).toBe(true);
      for (const bar of bars) {
        expect(bar.h).toBeGreaterThanOrEqual(Math.max(bar.o, bar.c));
        expect(bar.l).toBeLessThanOrEqual(Math.min(bar.o, bar.c));
        expect(Number.isInteger(bar.v) && Number.isInteger(bar.n)).toBe(true);
      }
    }
  });

  it('stamps generated daily bars at New York midnight across the DST change', () => {
    const stamps = defaultFixtures().stockBars.AAPL.map((bar) => bar.t.slice(10));
    expect(new Set(stamps)).toEqual(new Set(['T05:00:00Z', 'T04:00:00Z']));
    expect(defaultFixtures().stockBars.AAPL.find((bar) => bar.t.startsWith('2022-03-11'))?.t).toBe(
      '2022-03-11T05:00:00Z',
    );
    expect(defaultFixtures().stockBars.AAPL.find((bar) => bar.t.startsWith('2022-03-14'))?.t).toBe(
      '2022-03-14T04:00:00Z',
    );
  });

  it('uses valid OCC symbols whose snapshots carry greeks and IV together or not at all', () => {
    for (const [symbol, snapshot] of Object.entries(defaultFixtures().optionSnapshots)) {
      expect(symbol).toMatch(OPTION_SYMBOL);
      expect(decodeOcc(symbol)).toBeDefined();
      expect(snapshot.greeks === undefined).toBe(snapshot.impliedVolatility === undefined);
    }
  });

  it('gives every option contract the TR-SPEC required fields, decimals as strings', () => {
    const required = [
      'id',
      'symbol',
      'name',
      'status',
      'tradable',
      'expiration_date',
      'underlying_symbol',
      'underlying_asset_id',
      'type',
      'style',
      'strike_price',
      'multiplier',
      'size',
    ];
    for (const contract of defaultFixtures().optionContracts) {
      for (const field of required) expect(contract[field]).toBeDefined();
      expect(typeof contract.strike_price).toBe('string');
      const terms = decodeOcc(String(contract.symbol));
      expect(terms?.strike).toBe(Number(contract.strike_price));
      expect(terms?.expiration).toBe(contract.expiration_date);
      expect(terms?.type).toBe(contract.type);
    }
  });
});

describe('decodeOcc()', () => {
  it.each([
    [
      'AAPL240426C00162500',
      { root: 'AAPL', underlying: 'AAPL', expiration: '2024-04-26', type: 'call', strike: 162.5 },
    ],
    ['SPXW240327P04925000', { root: 'SPXW', underlying: 'SPXW', expiration: '2024-03-27', type: 'put', strike: 4925 }],
    ['XOM2241220P00280000', { root: 'XOM2', underlying: 'XOM', expiration: '2024-12-20', type: 'put', strike: 280 }],
    ['CSGP1251017P00001000', { root: 'CSGP1', underlying: 'CSGP', expiration: '2025-10-17', type: 'put', strike: 1 }],
  ])('decodes %s', (symbol, terms) => {
    expect(decodeOcc(symbol)).toEqual(terms);
  });

  it('rejects non-OCC strings', () => {
    expect(decodeOcc('AAPL')).toBeUndefined();
    expect(decodeOcc('AAPL240426X00162500')).toBeUndefined();
  });
});
