import { AlpacaEmulator, defaultFixtures } from '../alpaca-emulator.js';
import { arr, call, nextToken, obj } from '../spec-helpers.js';

const emulator = new AlpacaEmulator();
const fixtures = defaultFixtures();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const data = (path: string) => call(emulator, 'data', path);

describe('latest quotes and trades', () => {
  it('multi quotes: known symbols only, unknown ones omitted (§7.2)', async () => {
    const reply = await data('/v2/stocks/quotes/latest?symbols=AAPL,TSLA,ZZZZZ');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ quotes: { AAPL: fixtures.stockQuotes.AAPL, TSLA: fixtures.stockQuotes.TSLA } });
    expect(fixtures.stockQuotes.AAPL).toEqual({
      t: '2022-08-17T10:09:34.055031265Z',
      bx: 'Q',
      bp: 172.6,
      bs: 2,
      ax: 'Q',
      ap: 172.7,
      as: 1,
      c: ['R'],
      z: 'C',
    });
  });

  it('multi quotes: all unknown gives an empty map; BRK.B works; currency is echoed', async () => {
    expect((await data('/v2/stocks/quotes/latest?symbols=ZZZZ,QQQQ')).json).toEqual({ quotes: {} });
    expect(obj(obj((await data('/v2/stocks/quotes/latest?symbols=BRK.B')).json).quotes)['BRK.B']).toBeDefined();
    expect(obj((await data('/v2/stocks/quotes/latest?symbols=AAPL&currency=USD')).json).currency).toBe('USD');
  });

  it('multi trades keep §7.3 verbatim, including trade ids', async () => {
    const reply = await data('/v2/stocks/trades/latest?symbols=IBM,MSFT&feed=sip');
    expect(reply.json).toEqual({
      trades: {
        IBM: {
          t: '2021-10-11T23:42:47.895547Z',
          x: 'K',
          p: 142.2,
          s: 197,
          c: [' ', 'F', 'T'],
          i: 52983525503560,
          z: 'A',
        },
        MSFT: { t: '2021-10-11T23:59:39.380716032Z', x: 'P', p: 294.1, s: 100, c: ['@', 'T'], i: 28693, z: 'C' },
      },
    });
    expect(reply.text).toContain('"i":52983525503560');
  });

  it.each([
    ['/v2/stocks/quotes/latest', { message: 'missing symbols' }],
    ['/v2/stocks/quotes/latest?symbols=', { message: 'missing symbols' }],
    ['/v2/stocks/trades/latest?symbols=AAPL,aapl', { code: 40010001, message: 'invalid symbol: aapl' }],
    ['/v2/stocks/quotes/latest?symbols=TOOLONGSYMBOL', { code: 40010001, message: 'invalid symbol: TOOLONGSYMBOL' }],
    ['/v2/stocks/quotes/latest?symbols=AAPL&feed=nasdaq', { message: 'invalid feed: nasdaq' }],
    ['/v2/stocks/snapshots?symbols=BRK-B', { code: 40010001, message: 'invalid symbol: BRK-B' }],
  ])('%s → 400', async (path, body) => {
    expect(await data(path)).toMatchObject({ status: 400, json: body });
  });

  it('accepts every latest feed', async () => {
    for (const feed of ['sip', 'iex', 'delayed_sip', 'otc', 'boats', 'overnight']) {
      expect((await data(`/v2/stocks/quotes/latest?symbols=AAPL&feed=${feed}`)).status).toBe(200);
    }
  });

  it('single forms wrap with the symbol; unknown → 404', async () => {
    expect((await data('/v2/stocks/AAPL/quotes/latest')).json).toEqual({
      symbol: 'AAPL',
      quote: fixtures.stockQuotes.AAPL,
    });
    expect((await data('/v2/stocks/TSLA/trades/latest')).json).toEqual({
      symbol: 'TSLA',
      trade: fixtures.stockTrades.TSLA,
    });
    expect(await data('/v2/stocks/ZZZZ/quotes/latest')).toMatchObject({ status: 404, json: { message: 'not found' } });
    expect(await data('/v2/stocks/ZZZZ/trades/latest')).toMatchObject({ status: 404, json: { message: 'not found' } });
    expect((await data('/v2/stocks/aapl/quotes/latest')).status).toBe(400);
  });
});

describe('snapshots', () => {
  it('bare map: null fixtures appear as null, unknown symbols are omitted (§7.4)', async () => {
    const body = obj((await data('/v2/stocks/snapshots?symbols=AAPL,INVALID,ZZZZ,TSLA')).json);
    expect(Object.keys(body).sort()).toEqual(['AAPL', 'INVALID', 'TSLA']);
    expect(body.INVALID).toBeNull();
    const aapl = obj(body.AAPL);
    expect(Object.keys(obj(aapl.latestQuote))).not.toContain('z');
    expect(aapl.dailyBar).toEqual({
      t: '2021-05-03T04:00:00Z',
      o: 132.04,
      h: 134.07,
      l: 131.83,
      c: 133.42,
      v: 25846800,
      n: 254678,
      vw: 132.568,
    });
    expect(obj(body.TSLA).prevDailyBar).toBeNull();
  });

  it('MSFT is complete', async () => {
    const msft = obj(obj((await data('/v2/stocks/snapshots?symbols=MSFT')).json).MSFT);
    expect(Object.keys(msft).sort()).toEqual(['dailyBar', 'latestQuote', 'latestTrade', 'minuteBar', 'prevDailyBar']);
    expect(Object.values(msft).every((member) => member !== null)).toBe(true);
  });

  it('single form puts the snapshot members and the symbol at top level; null or unknown → 404', async () => {
    const reply = await data('/v2/stocks/AAPL/snapshot');
    expect(reply.json).toEqual({ symbol: 'AAPL', ...fixtures.stockSnapshots.AAPL });
    expect((await data('/v2/stocks/INVALID/snapshot')).status).toBe(404);
    expect((await data('/v2/stocks/ZZZZ/snapshot')).status).toBe(404);
  });

  it('serves fixture edits made by the test', async () => {
    emulator.fixtures.stockSnapshots.TSLA = null;
    expect(obj((await data('/v2/stocks/snapshots?symbols=TSLA')).json)).toEqual({ TSLA: null });
  });
});

describe('bars', () => {
  const aaplBars = fixtures.stockBars.AAPL;

  it('reproduces §7.6 exactly, page token included', async () => {
    const reply = await data('/v2/stocks/bars?symbols=AAPL&timeframe=1Day&start=2022-02-01&limit=2');
    expect(reply.json).toEqual({
      bars: {
        AAPL: [
          {
            t: '2022-02-01T05:00:00Z',
            o: 174,
            h: 174.84,
            l: 172.31,
            c: 174.61,
            v: 85998033,
            n: 732412,
            vw: 173.703516,
          },
          {
            t: '2022-02-02T05:00:00Z',
            o: 174.64,
            h: 175.88,
            l: 173.33,
            c: 175.84,
            v: 84817432,
            n: 675034,
            vw: 174.941288,
          },
        ],
      },
      next_page_token: 'QUFQTHxEfDIwMjItMDItMDJUMDU6MDA6MDAuMDAwMDAwMDAwWg==',
    });
  });

  it('single form serves §7.5 verbatim', async () => {
    const reply = await data('/v2/stocks/AAPL/bars?timeframe=1Day&start=2023-09-29&end=2023-09-29');
    expect(reply.json).toEqual({
      symbol: 'AAPL',
      bars: [
        {
          t: '2023-09-29T04:00:00Z',
          o: 172.02,
          h: 173.07,
          l: 170.341,
          c: 171.21,
          v: 51861083,
          n: 535134,
          vw: 171.599691,
        },
      ],
      next_page_token: null,
    });
  });

  it('walking next_page_token yields every bar exactly once, ordered by symbol then time', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const tokenParam: string = token === null ? '' : `&page_token=${encodeURIComponent(token)}`;
      const body = obj((await data(`/v2/stocks/bars?symbols=TSLA,AAPL&timeframe=1Day&limit=7${tokenParam}`)).json);
      const bars = obj(body.bars);
      const count = Object.values(bars).reduce<number>((sum, list) => sum + arr(list).length, 0);
      expect(count).toBeLessThanOrEqual(7);
      for (const [symbol, list] of Object.entries(bars))
        for (const bar of arr(list)) seen.push(`${symbol} ${String(obj(bar).t)}`);
      token = nextToken(body);
      pages += 1;
    } while (token !== null && pages < 100);
    const expected = [...aaplBars.map((b) => `AAPL ${b.t}`), ...fixtures.stockBars.TSLA.map((b) => `TSLA ${b.t}`)];
    expect(aaplBars.length).toBeGreaterThanOrEqual(63);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 7));
  });

  it('limit counts across symbols', async () => {
    const body = obj(
      (await data('/v2/stocks/bars?symbols=AAPL,TSLA&timeframe=1D&start=2022-02-01&end=2022-02-02&limit=3')).json,
    );
    expect(arr(obj(body.bars).AAPL)).toHaveLength(2);
    expect(arr(obj(body.bars).TSLA)).toHaveLength(1);
    expect(typeof body.next_page_token).toBe('string');
  });

  it('start and end are inclusive, as dates or RFC-3339', async () => {
    const byDate = obj(
      obj((await data('/v2/stocks/bars?symbols=AAPL&timeframe=1Day&start=2022-02-02&end=2022-02-04')).json).bars,
    );
    expect(arr(byDate.AAPL).map((b) => obj(b).t)).toEqual([
      '2022-02-02T05:00:00Z',
      '2022-02-03T05:00:00Z',
      '2022-02-04T05:00:00Z',
    ]);
    const exact = obj(
      (
        await data(
          '/v2/stocks/bars?symbols=AAPL&timeframe=1Day&start=2022-02-02T05:00:00Z&end=2022-02-02T05:00:00.000000000Z',
        )
      ).json,
    );
    expect(arr(obj(exact.bars).AAPL)).toHaveLength(1);
  });

  it('sort=desc serves newest first and paginates backwards', async () => {
    const first = obj((await data('/v2/stocks/bars?symbols=AAPL&timeframe=1Day&sort=desc&limit=2')).json);
    const page = arr(obj(first.bars).AAPL).map((b) => obj(b).t);
    expect(page).toEqual([aaplBars[aaplBars.length - 1].t, aaplBars[aaplBars.length - 2].t]);
    const second = obj(
      (
        await data(
          `/v2/stocks/bars?symbols=AAPL&timeframe=1Day&sort=desc&limit=2&page_token=${String(nextToken(first))}`,
        )
      ).json,
    );
    expect(arr(obj(second.bars).AAPL).map((b) => obj(b).t)).toEqual([
      aaplBars[aaplBars.length - 3].t,
      aaplBars[aaplBars.length - 4].t,
    ]);
  });

  it('omits symbols without bars in range; the single form answers an empty list', async () => {
    expect(obj((await data('/v2/stocks/bars?symbols=AAPL,MSFT&timeframe=1Day&start=2023-09-29')).json).bars).toEqual({
      AAPL: [aaplBars[aaplBars.length - 1]],
    });
    expect((await data('/v2/stocks/ZZZZ/bars?timeframe=1Day')).json).toEqual({
      symbol: 'ZZZZ',
      bars: [],
      next_page_token: null,
    });
  });

  it.each(['1Min', '59T', '1Hour', '23H', '1Day', '1D', '1Week', '1W', '1Month', '6M', '12Month'])(
    'accepts timeframe %s',
    async (timeframe) => {
      expect((await data(`/v2/stocks/bars?symbols=AAPL&timeframe=${timeframe}&limit=1`)).status).toBe(200);
    },
  );

  it.each(['30Sec', '0Min', '60Min', '24Hour', '2Day', '2Week', '5Month', '1day', 'Day'])(
    'rejects timeframe %s',
    async (timeframe) => {
      expect(await data(`/v2/stocks/bars?symbols=AAPL&timeframe=${timeframe}`)).toMatchObject({
        status: 400,
        json: { message: `invalid timeframe: ${timeframe}` },
      });
    },
  );

  it.each([
    ['limit=0', /invalid limit/],
    ['limit=10001', /invalid limit/],
    ['limit=abc', /invalid limit/],
    ['page_token=null', /^invalid page_token$/],
    ['page_token=%25%25%25', /^invalid page_token$/],
    [`page_token=${Buffer.from('not a position').toString('base64')}`, /^invalid page_token$/],
    ['start=2022-03-01&end=2022-02-01', /end should not be before start/],
    ['start=yesterday', /invalid start/],
    ['feed=delayed_sip', /invalid feed/],
    ['sort=sideways', /invalid sort/],
  ])('rejects %s with 400', async (params, message) => {
    const reply = await data(`/v2/stocks/bars?symbols=AAPL&timeframe=1Day&${params}`);
    expect(reply.status).toBe(400);
    expect(String(obj(reply.json).message)).toMatch(message);
  });

  it('requires symbols and timeframe; accepts adjustment, asof, the limit bounds and an empty page_token', async () => {
    expect((await data('/v2/stocks/bars?timeframe=1Day')).status).toBe(400);
    expect((await data('/v2/stocks/bars?symbols=AAPL')).status).toBe(400);
    for (const params of ['adjustment=split,spin-off&asof=-', 'limit=1', 'limit=10000', 'page_token=']) {
      expect((await data(`/v2/stocks/bars?symbols=AAPL&timeframe=1Day&${params}`)).status).toBe(200);
    }
  });
});
