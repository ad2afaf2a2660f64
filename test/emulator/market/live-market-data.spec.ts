import { AlpacaEmulator, defaultFixtures } from '../alpaca-emulator.js';
import { periodStamps } from './live-market-data.js';
import { arr, call, obj } from '../spec-helpers.js';
import { parseRfc3339Nanos } from './wire-time.js';

const fixtures = defaultFixtures();
const WEDNESDAY_10_NY = Date.parse('2025-06-18T10:00:00.123-04:00');
const SATURDAY_NOON_NY = Date.parse('2025-06-21T12:00:00-04:00');
const MONDAY_10_NY = Date.parse('2025-06-23T10:00:00-04:00');

/** The injected "now": tests set it; nothing reads the wall clock. */
let nowMs = WEDNESDAY_10_NY;
const live = new AlpacaEmulator({ liveData: true, now: () => nowMs });
const plain = new AlpacaEmulator();

beforeAll(async () => {
  await live.start();
  await plain.start();
});
afterEach(() => {
  nowMs = WEDNESDAY_10_NY;
  live.reset();
  plain.reset();
});
afterAll(async () => {
  await live.stop();
  await plain.stop();
});

const body = async (
  emulator: AlpacaEmulator,
  host: 'data' | 'trading',
  path: string,
): Promise<Record<string, unknown>> => {
  const reply = await call(emulator, host, path);
  expect(reply.status).toBe(200);
  return obj(reply.json);
};

/** Milliseconds since the epoch of an RFC-3339 wire stamp (its nanoseconds dropped). */
const msOf = (stamp: unknown): number => Number((parseRfc3339Nanos(String(stamp)) ?? 0n) / 1_000_000n);

describe('liveData on: stock data stamped with the injected now', () => {
  it("latest quotes carry the injected now (with the fixture's nanosecond digits) and the fixture's prices", async () => {
    const quotes = obj((await body(live, 'data', '/v2/stocks/quotes/latest?symbols=AAPL,TSLA,ZZZZ')).quotes);
    expect(Object.keys(quotes)).toEqual(['AAPL', 'TSLA']);
    expect(quotes.AAPL).toEqual({ ...fixtures.stockQuotes.AAPL, t: '2025-06-18T14:00:00.123031265Z' });
    expect(quotes.TSLA).toEqual({ ...fixtures.stockQuotes.TSLA, t: '2025-06-18T14:00:00.123064037Z' });
    for (const quote of Object.values(quotes)) expect(msOf(obj(quote).t)).toBe(nowMs);
  });

  it('latest trades and the single-symbol forms too; the fixtures themselves are not edited', async () => {
    const trades = obj((await body(live, 'data', '/v2/stocks/trades/latest?symbols=IBM')).trades);
    // IBM's fixture stamp has microseconds (.895547): its sub-millisecond digits are 547000.
    expect(trades.IBM).toEqual({ ...fixtures.stockTrades.IBM, t: '2025-06-18T14:00:00.123547000Z' });
    expect((await body(live, 'data', '/v2/stocks/AAPL/quotes/latest')).quote).toEqual({
      ...fixtures.stockQuotes.AAPL,
      t: '2025-06-18T14:00:00.123031265Z',
    });
    expect(msOf(obj((await body(live, 'data', '/v2/stocks/MSFT/trades/latest')).trade).t)).toBe(nowMs);
    expect(live.fixtures.stockQuotes.AAPL.t).toBe('2022-08-17T10:09:34.055031265Z');
  });

  it('follows the injected clock from one request to the next', async () => {
    nowMs = MONDAY_10_NY;
    const quote = obj((await body(live, 'data', '/v2/stocks/AAPL/quotes/latest')).quote);
    expect(quote.t).toBe('2025-06-23T14:00:00.000031265Z');
  });

  it('snapshots: trade and quote now, minute bar just closed, daily bars today and the session before; nulls kept', async () => {
    const snapshots = await body(live, 'data', '/v2/stocks/snapshots?symbols=AAPL,TSLA,INVALID');
    const aapl = obj(snapshots.AAPL);
    const fixture = fixtures.stockSnapshots.AAPL;
    expect(aapl).toEqual({
      latestTrade: { ...fixture?.latestTrade, t: '2025-06-18T14:00:00.123000000Z' },
      latestQuote: { ...fixture?.latestQuote, t: '2025-06-18T14:00:00.123820915Z' },
      minuteBar: { ...fixture?.minuteBar, t: '2025-06-18T13:59:00Z' },
      dailyBar: { ...fixture?.dailyBar, t: '2025-06-18T04:00:00Z' },
      prevDailyBar: { ...fixture?.prevDailyBar, t: '2025-06-17T04:00:00Z' },
    });
    expect(obj(snapshots.TSLA).prevDailyBar).toBeNull();
    expect(snapshots.INVALID).toBeNull();
    const single = await body(live, 'data', '/v2/stocks/MSFT/snapshot');
    expect(single.symbol).toBe('MSFT');
    expect(msOf(obj(single.latestQuote).t)).toBe(nowMs);
  });

  it('daily bars end today (New-York midnight stamp), one per weekday, prices as in the fixtures', async () => {
    const bars = arr((await body(live, 'data', '/v2/stocks/AAPL/bars?timeframe=1Day')).bars).map(obj);
    const fixtureBars = fixtures.stockBars.AAPL;
    expect(bars).toHaveLength(fixtureBars.length);
    expect(bars).toEqual(fixtureBars.map((bar, i) => ({ ...bar, t: bars[i].t })));
    expect(bars.slice(-3).map((bar) => bar.t)).toEqual([
      '2025-06-16T04:00:00Z',
      '2025-06-17T04:00:00Z',
      '2025-06-18T04:00:00Z',
    ]);
    for (const bar of bars) expect([0, 6]).not.toContain(new Date(String(bar.t)).getUTCDay());
  });

  it('minute bars end at the current minute; start/end filter on the live stamps', async () => {
    const minutes = arr((await body(live, 'data', '/v2/stocks/AAPL/bars?timeframe=1Min&sort=desc&limit=2')).bars).map(
      obj,
    );
    expect(minutes.map((bar) => bar.t)).toEqual(['2025-06-18T13:59:00Z', '2025-06-18T13:58:00Z']);
    const recent = obj(
      (await body(live, 'data', '/v2/stocks/bars?symbols=AAPL,TSLA&timeframe=1Day&start=2025-06-17')).bars,
    );
    expect(arr(recent.AAPL).map((bar) => obj(bar).t)).toEqual(['2025-06-17T04:00:00Z', '2025-06-18T04:00:00Z']);
    expect(arr(recent.TSLA).map((bar) => obj(bar).t)).toEqual(['2025-06-17T04:00:00Z', '2025-06-18T04:00:00Z']);
  });

  it('Wednesday 10:00 New York: the clock is open and closes at 16:00', async () => {
    expect(await body(live, 'trading', '/v2/clock')).toEqual({
      timestamp: '2025-06-18T10:00:00.123000000-04:00',
      is_open: true,
      next_open: '2025-06-19T09:30:00-04:00',
      next_close: '2025-06-18T16:00:00-04:00',
    });
  });

  it('Saturday: the clock is closed until Monday 09:30 New York; the last daily bar is Friday', async () => {
    nowMs = SATURDAY_NOON_NY;
    expect(await body(live, 'trading', '/v2/clock')).toEqual({
      timestamp: '2025-06-21T12:00:00.000000000-04:00',
      is_open: false,
      next_open: '2025-06-23T09:30:00-04:00',
      next_close: '2025-06-23T16:00:00-04:00',
    });
    const bars = arr((await body(live, 'data', '/v2/stocks/AAPL/bars?timeframe=1Day&sort=desc&limit=2')).bars).map(obj);
    expect(bars.map((bar) => bar.t)).toEqual(['2025-06-20T04:00:00Z', '2025-06-19T04:00:00Z']);
  });

  it('options keep their fixture stamps (expired 2024 contracts)', async () => {
    const quotes = obj((await body(live, 'data', '/v1beta1/options/quotes/latest?symbols=AAPL240426C00162500')).quotes);
    expect(quotes.AAPL240426C00162500).toEqual(fixtures.optionSnapshots.AAPL240426C00162500.latestQuote);
  });
});

describe('liveData off (the default): fixtures served exactly as they are', () => {
  it('quotes, snapshots and bars keep their 2021-2022 stamps', async () => {
    const quotes = obj((await body(plain, 'data', '/v2/stocks/quotes/latest?symbols=AAPL')).quotes);
    expect(quotes.AAPL).toEqual(fixtures.stockQuotes.AAPL);
    expect(obj(quotes.AAPL).t).toBe('2022-08-17T10:09:34.055031265Z');
    expect((await body(plain, 'data', '/v2/stocks/AAPL/snapshot')).latestQuote).toEqual(
      fixtures.stockSnapshots.AAPL?.latestQuote,
    );
    const bars = arr((await body(plain, 'data', '/v2/stocks/AAPL/bars?timeframe=1Day&limit=1')).bars);
    expect(bars).toEqual([fixtures.stockBars.AAPL[0]]);
  });

  it('the clock is fixtures.clock', async () => {
    expect(await body(plain, 'trading', '/v2/clock')).toEqual(fixtures.clock);
  });
});

describe('periodStamps', () => {
  it('hours, weeks and months step back from the period under way', () => {
    expect(periodStamps({ timeframe: '1Hour', nowMs: WEDNESDAY_10_NY, count: 2 })).toEqual([
      '2025-06-18T12:00:00Z',
      '2025-06-18T13:00:00Z',
    ]);
    // Weeks start on Monday (16 June); New-York midnight.
    expect(periodStamps({ timeframe: '1Week', nowMs: WEDNESDAY_10_NY, count: 2 })).toEqual([
      '2025-06-09T04:00:00Z',
      '2025-06-16T04:00:00Z',
    ]);
    // Three-month periods aligned on January: April, then January (05:00Z: EST).
    expect(periodStamps({ timeframe: '3Month', nowMs: WEDNESDAY_10_NY, count: 2 })).toEqual([
      '2025-01-01T05:00:00Z',
      '2025-04-01T04:00:00Z',
    ]);
  });

  it('the first minute of a day belongs to the previous period', () => {
    // 00:00:30 New York on Monday: the newest minute bar is 23:59 Sunday; the newest daily bar Friday's.
    const justAfterMidnight = Date.parse('2025-06-23T00:00:30-04:00');
    expect(periodStamps({ timeframe: '1Min', nowMs: justAfterMidnight, count: 1 })).toEqual(['2025-06-23T03:59:00Z']);
    expect(periodStamps({ timeframe: '1Day', nowMs: justAfterMidnight, count: 1 })).toEqual(['2025-06-20T04:00:00Z']);
  });
});
