import { AlpacaEmulator, defaultFixtures } from '../alpaca-emulator.js';
import { fridaysAfter, liveDatedFixtures, shiftStamp } from './live-dates.js';
import { decodeOcc } from './occ-symbol.js';
import { arr, call, obj } from '../spec-helpers.js';

/** The injected "today": Monday 2026-12-07 in New York (EST), before and after the 09:30 open. */
const TODAY = '2026-12-07';
const MONDAY_9_NY = Date.parse('2026-12-07T09:00:00-05:00');
const MONDAY_10_NY = Date.parse('2026-12-07T10:00:00-05:00');
const FRIDAY_BEFORE = '2026-12-04';
const WEEK_MS = 7 * 86_400_000;

let nowMs = MONDAY_9_NY;
const dated = new AlpacaEmulator({ liveData: true, liveDates: true, now: () => nowMs });

beforeAll(() => dated.start());
afterEach(() => {
  nowMs = MONDAY_9_NY;
  dated.reset();
});
afterAll(() => dated.stop());

const body = async (path: string, host: 'data' | 'trading' = 'data'): Promise<unknown> => {
  const reply = await call(dated, host, path);
  expect(reply.status).toBe(200);
  return reply.json;
};

/** The dated symbol of a default-fixture symbol: same root, type and strike. */
const datedSymbolOf = (symbols: string[], original: string): string => {
  const want = decodeOcc(original);
  const found = symbols.filter((symbol) => {
    const terms = decodeOcc(symbol);
    return terms?.root === want?.root && terms?.type === want?.type && terms?.strike === want?.strike;
  });
  return found[0];
};

describe('fridaysAfter', () => {
  it('lists the Fridays strictly after a day, a Friday included', () => {
    expect(fridaysAfter(TODAY, 3)).toEqual(['2026-12-11', '2026-12-18', '2026-12-25']);
    expect(fridaysAfter('2026-12-11', 2)).toEqual(['2026-12-18', '2026-12-25']);
  });
});

describe('shiftStamp', () => {
  it('keeps the New-York wall time and the fraction across a daylight-saving switch', () => {
    // 2022-03-11 is EST (05:00Z at midnight); 2022-03-18 is EDT (04:00Z).
    expect(shiftStamp('2022-03-11T05:00:00Z', 7)).toBe('2022-03-18T04:00:00Z');
    expect(shiftStamp('2024-04-24T19:59:59.992734208Z', 14)).toBe('2024-05-08T19:59:59.992734208Z');
  });
});

describe('liveDates off (the default): fixtures untouched', () => {
  it('an emulator without the option serves the default fixtures, byte for byte', () => {
    expect(JSON.stringify(new AlpacaEmulator().fixtures)).toBe(JSON.stringify(defaultFixtures()));
  });
});

describe('liveDates on: option contracts expire after the injected today', () => {
  const fixtures = liveDatedFixtures(defaultFixtures(), MONDAY_9_NY);
  const snapshotSymbols = Object.keys(fixtures.optionSnapshots);
  const everySymbol = [
    ...snapshotSymbols,
    ...fixtures.optionContracts.map((contract) => String(contract.symbol)),
    ...Object.keys(fixtures.optionBars),
    ...Object.keys(fixtures.optionTrades),
  ];

  it('every OCC symbol of the fixtures expires on a Friday after today, the original order kept', () => {
    for (const symbol of everySymbol) {
      const terms = decodeOcc(symbol);
      expect(String(terms?.expiration) > TODAY).toBe(true);
      expect(new Date(`${terms?.expiration}T12:00:00Z`).getUTCDay()).toBe(5);
    }
    const original = Object.keys(defaultFixtures().optionSnapshots);
    expect(snapshotSymbols).toHaveLength(original.length);
    // Earlier expirations stay earlier: sorting either list by expiration gives the same contracts.
    const byExpiry = (list: string[]): string[] =>
      list
        .map((s) => decodeOcc(s))
        .sort((a, b) => (a?.expiration ?? '').localeCompare(b?.expiration ?? '') || (a?.strike ?? 0) - (b?.strike ?? 0))
        .map((t) => `${t?.root}${t?.type}${t?.strike}`);
    expect(byExpiry(snapshotSymbols)).toEqual(byExpiry(original));
  });

  it('contracts carry expiration_date and name matching their rebuilt symbol', () => {
    for (const contract of fixtures.optionContracts) {
      const terms = decodeOcc(String(contract.symbol));
      expect(contract.expiration_date).toBe(terms?.expiration);
      const [year, , day] = String(terms?.expiration).split('-');
      expect(String(contract.name)).toContain(` ${Number(day)} ${year} `);
    }
    const call162 = fixtures.optionContracts.find((contract) => decodeOcc(String(contract.symbol))?.strike === 162.5);
    const [year, month, day] = String(call162?.expiration_date).split('-');
    expect(call162?.name).toBe(
      `AAPL ${new Date(Date.UTC(Number(year), Number(month) - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${Number(day)} ${year} 162.5 Call`,
    );
  });

  it("values stay the fixtures': same greeks, IV and prices under the new symbol", () => {
    // Keys keep their order, so the i-th dated symbol is the i-th fixture symbol.
    const original = Object.values(defaultFixtures().optionSnapshots);
    for (const [i, snapshot] of original.entries()) {
      const moved = fixtures.optionSnapshots[snapshotSymbols[i]];
      expect(moved.greeks).toEqual(snapshot.greeks);
      expect(moved.impliedVolatility).toEqual(snapshot.impliedVolatility);
      expect(moved.latestQuote?.ap).toEqual(snapshot.latestQuote?.ap);
      expect(moved.latestTrade?.p).toEqual(snapshot.latestTrade?.p);
    }
  });

  it('the chain, snapshots, latest quotes and trades, and the contract list name the same contracts', async () => {
    const chain = obj(obj(await body('/v1beta1/options/snapshots/AAPL')).snapshots);
    const chainSymbols = Object.keys(chain);
    expect(chainSymbols.length).toBeGreaterThan(5);
    for (const symbol of chainSymbols) expect(String(decodeOcc(symbol)?.expiration) > TODAY).toBe(true);
    const call162 = datedSymbolOf(chainSymbols, 'AAPL240426C00162500');
    expect(obj(chain[call162]).impliedVolatility).toBe(0.3372405712050441);

    const bySymbols = obj(obj(await body(`/v1beta1/options/snapshots?symbols=${call162}`)).snapshots);
    expect(Object.keys(bySymbols)).toEqual([call162]);
    const quotes = obj(obj(await body(`/v1beta1/options/quotes/latest?symbols=${call162}`)).quotes);
    expect(obj(quotes[call162]).ap).toBe(4.3);
    const trades = obj(obj(await body(`/v1beta1/options/trades/latest?symbols=${call162}`)).trades);
    expect(obj(trades[call162]).p).toBe(4.1);
    const contract = obj(await body(`/v2/options/contracts/${call162}`, 'trading'));
    expect(contract.symbol).toBe(call162);
    expect(contract.expiration_date).toBe(decodeOcc(call162)?.expiration);
  });

  it('the option stream ticks the dated contracts', () => {
    expect(Object.keys(dated.fixtures.optionSnapshots)).toEqual(
      Object.keys(liveDatedFixtures(defaultFixtures(), nowMs).optionSnapshots),
    );
  });
});

describe('liveDates on: news and bars are recent, no daily bar for today before the open', () => {
  const fixtures = liveDatedFixtures(defaultFixtures(), MONDAY_9_NY);
  const todayMidnight = Date.parse('2026-12-07T05:00:00Z');
  const recent = (stamp: unknown): void => {
    const ms = Date.parse(String(stamp));
    expect(ms).toBeLessThan(todayMidnight);
    expect(ms).toBeGreaterThanOrEqual(todayMidnight - WEEK_MS);
  };

  it("the newest news item and each symbol's newest bar fall in the week before today", () => {
    recent(
      fixtures.news
        .map((item) => String(item.created_at))
        .sort()
        .at(-1),
    );
    for (const bars of Object.values(fixtures.stockBars)) recent(bars.at(-1)?.t);
    for (const bars of Object.values(fixtures.optionBars))
      expect(Date.parse(String(bars.at(-1)?.t))).toBeLessThan(todayMidnight);
    // Daily bars keep New-York midnight stamps on weekdays.
    for (const bar of fixtures.stockBars.AAPL) {
      expect(bar.t).toMatch(/T0[45]:00:00Z$/);
      expect([0, 6]).not.toContain(new Date(bar.t).getUTCDay());
    }
  });

  it('before 09:30 New York the daily bars and the snapshot end with the previous session', async () => {
    const bars = arr(obj(await body('/v2/stocks/AAPL/bars?timeframe=1Day')).bars).map(obj);
    expect(bars.at(-1)?.t).toBe(`${FRIDAY_BEFORE}T05:00:00Z`);
    const snapshot = obj(await body('/v2/stocks/AAPL/snapshot'));
    expect(obj(snapshot.dailyBar).t).toBe(`${FRIDAY_BEFORE}T05:00:00Z`);
  });

  it("after the open today's daily bar exists", async () => {
    nowMs = MONDAY_10_NY;
    const bars = arr(obj(await body('/v2/stocks/AAPL/bars?timeframe=1Day')).bars).map(obj);
    expect(bars.at(-1)?.t).toBe(`${TODAY}T05:00:00Z`);
    const snapshot = obj(await body('/v2/stocks/AAPL/snapshot'));
    expect(obj(snapshot.dailyBar).t).toBe(`${TODAY}T05:00:00Z`);
    expect(obj(snapshot.prevDailyBar).t).toBe(`${FRIDAY_BEFORE}T05:00:00Z`);
  });
});
