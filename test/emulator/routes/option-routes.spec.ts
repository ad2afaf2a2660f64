import { AlpacaEmulator, defaultFixtures } from '../alpaca-emulator.js';
import { call, nextToken, obj } from '../spec-helpers.js';

const emulator = new AlpacaEmulator();
const fixtures = defaultFixtures();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const data = (path: string) => call(emulator, 'data', path);
const snapshotsOf = async (path: string) => obj(obj((await data(path)).json).snapshots);
const aaplChainSymbols = Object.keys(fixtures.optionSnapshots)
  .filter((symbol) => symbol.startsWith('AAPL'))
  .sort();

describe('snapshots by contract', () => {
  it('serves §7.7 verbatim and omits unknown contracts', async () => {
    const reply = await data('/v1beta1/options/snapshots?symbols=AAPL240426C00162500,AAPL991231C00001000');
    expect(reply.json).toEqual({
      snapshots: {
        AAPL240426C00162500: {
          greeks: {
            delta: 0.7521304109871954,
            gamma: 0.06241426404871288,
            rho: 0.009910739032549095,
            theta: -0.2847623059595503,
            vega: 0.047540520834498785,
          },
          impliedVolatility: 0.3372405712050441,
          latestQuote: {
            ap: 4.3,
            as: 91,
            ax: 'B',
            bp: 4.15,
            bs: 16,
            bx: 'C',
            c: 'A',
            t: '2024-04-22T19:59:59.992734208Z',
          },
          latestTrade: { c: 'I', p: 4.1, s: 1, t: '2024-04-22T19:57:32.589554432Z', x: 'A' },
        },
      },
      next_page_token: null,
    });
  });

  it('leaves absent members absent: the quote-only contract has no trade, greeks or IV keys', async () => {
    const snapshot = obj(
      (await snapshotsOf('/v1beta1/options/snapshots?symbols=AAPL240126P00050000')).AAPL240126P00050000,
    );
    expect(Object.keys(snapshot)).toEqual(['latestQuote']);
    expect(obj(snapshot.latestQuote)).toMatchObject({ ap: 0.59, bp: 0.48, bs: 396 });
  });

  it('paginates by symbol with limit and page_token', async () => {
    const symbols = 'AAPL240426C00162500,AAPL240426C00152500,AAPL240426C00155000,AAPL240126P00050000';
    const first = obj((await data(`/v1beta1/options/snapshots?symbols=${symbols}&limit=3`)).json);
    expect(Object.keys(obj(first.snapshots))).toEqual([
      'AAPL240126P00050000',
      'AAPL240426C00152500',
      'AAPL240426C00155000',
    ]);
    const second = obj(
      (await data(`/v1beta1/options/snapshots?symbols=${symbols}&limit=3&page_token=${String(nextToken(first))}`)).json,
    );
    expect(second).toEqual({
      snapshots: { AAPL240426C00162500: fixtures.optionSnapshots.AAPL240426C00162500 },
      next_page_token: null,
    });
  });

  it('updated_since keeps contracts whose quote or trade is at or after it', async () => {
    const all = 'AAPL240426C00162500,AAPL240426C00152500,AAPL240126P00050000,AAPL240419P00140000';
    expect(
      Object.keys(await snapshotsOf(`/v1beta1/options/snapshots?symbols=${all}&updated_since=2024-04-23`)),
    ).toEqual(['AAPL240426C00152500']);
    expect(
      Object.keys(
        await snapshotsOf(`/v1beta1/options/snapshots?symbols=${all}&updated_since=2024-04-22T19:59:59.992734208Z`),
      ),
    ).toEqual(['AAPL240426C00152500', 'AAPL240426C00162500']);
  });

  it.each([
    ['symbols missing', '/v1beta1/options/snapshots'],
    [
      '101 symbols',
      `/v1beta1/options/snapshots?symbols=${Array.from({ length: 101 }, (_, i) => `AAPL240426C${String(100000 + i).padStart(8, '0')}`).join(',')}`,
    ],
    ['a stock symbol', '/v1beta1/options/snapshots?symbols=AAPL'],
    ['a bad feed', '/v1beta1/options/snapshots?symbols=AAPL240426C00162500&feed=sip'],
    ['limit 1001', '/v1beta1/options/snapshots?symbols=AAPL240426C00162500&limit=1001'],
    ['page_token=null', '/v1beta1/options/snapshots?symbols=AAPL240426C00162500&page_token=null'],
  ])('rejects %s with 400', async (_label, path) => {
    expect((await data(path)).status).toBe(400);
  });

  it('accepts exactly 100 symbols and both feeds', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `AAPL240426C${String(100000 + i).padStart(8, '0')}`).join(
      ',',
    );
    expect((await data(`/v1beta1/options/snapshots?symbols=${hundred}`)).json).toEqual({
      snapshots: {},
      next_page_token: null,
    });
    for (const feed of ['opra', 'indicative'])
      expect((await data(`/v1beta1/options/snapshots?symbols=AAPL240426C00162500&feed=${feed}`)).status).toBe(200);
  });
});

describe('chain by underlying', () => {
  const filtered =
    '/v1beta1/options/snapshots/AAPL?type=call&strike_price_gte=151.123&strike_price_lte=155&expiration_date_lte=2024-04-26&limit=1';

  it('walks §7.8 exactly: 152.5 call without greeks, then the 155 call with them', async () => {
    const first = await data(filtered);
    expect(first.json).toEqual({
      next_page_token: 'QUFQTDI0MDQyNkMwMDE1MjUwMA==',
      snapshots: {
        AAPL240426C00152500: {
          latestQuote: {
            ap: 17,
            as: 91,
            ax: 'B',
            bp: 16.25,
            bs: 80,
            bx: 'B',
            c: ' ',
            t: '2024-04-24T19:59:59.782060288Z',
          },
          latestTrade: { c: 'a', p: 15.87, s: 1, t: '2024-04-24T16:46:16.763406848Z', x: 'I' },
        },
      },
    });
    const second = obj((await data(`${filtered}&page_token=QUFQTDI0MDQyNkMwMDE1MjUwMA==`)).json);
    expect(second.next_page_token).toBeNull();
    const snapshot = obj(obj(second.snapshots).AAPL240426C00155000);
    expect(obj(snapshot.greeks).delta).toBe(0.9567110374646104);
    expect(snapshot.impliedVolatility).toBe(0.9871160931510816);
  });

  it('serves the whole AAPL chain (~12 contracts, calls and puts, 3+ expirations) ordered by symbol', async () => {
    const symbols = Object.keys(await snapshotsOf('/v1beta1/options/snapshots/AAPL'));
    expect(symbols).toEqual(aaplChainSymbols);
    expect(symbols.length).toBeGreaterThanOrEqual(12);
    expect(symbols.some((s) => s.includes('P'))).toBe(true);
    expect(new Set(symbols.map((s) => s.slice(4, 10))).size).toBeGreaterThanOrEqual(3);
    expect(Object.keys(await snapshotsOf('/v1beta1/options/snapshots/NOPE'))).toEqual([]);
  });

  it.each([
    ['type=put', (s: string) => s[10] === 'P'],
    ['expiration_date=2024-04-26', (s: string) => s.slice(4, 10) === '240426'],
    [
      'expiration_date_gte=2024-05-01&expiration_date_lte=2024-06-30',
      (s: string) => ['240517', '240621'].includes(s.slice(4, 10)),
    ],
    [
      'strike_price_gte=160&strike_price_lte=165',
      (s: string) => Number(s.slice(11)) / 1000 >= 160 && Number(s.slice(11)) / 1000 <= 165,
    ],
    ['root_symbol=AAPL', () => true],
    ['root_symbol=AAPL7', () => false],
  ])('filters %s', async (params, keep) => {
    const symbols = Object.keys(await snapshotsOf(`/v1beta1/options/snapshots/AAPL?${params}`));
    expect(symbols).toEqual(aaplChainSymbols.filter(keep));
  });

  it('pagination walk visits every contract once, over at least 3 pages at limit=5', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const suffix: string = token === null ? '' : `&page_token=${token}`;
      const body = obj((await data(`/v1beta1/options/snapshots/AAPL?limit=5${suffix}`)).json);
      seen.push(...Object.keys(obj(body.snapshots)));
      token = nextToken(body);
      pages += 1;
    } while (token !== null && seen.length < 100);
    expect(seen).toEqual(aaplChainSymbols);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('serves adjusted roots: XOM2 without greeks in the XOM chain, CSGP1 as an empty snapshot', async () => {
    const xom = await snapshotsOf('/v1beta1/options/snapshots/XOM');
    expect(Object.keys(xom)).toEqual(['XOM2241220P00280000']);
    expect(Object.keys(obj(xom.XOM2241220P00280000))).toEqual(['latestQuote', 'latestTrade']);
    expect(await snapshotsOf('/v1beta1/options/snapshots?symbols=CSGP1251017P00001000')).toEqual({
      CSGP1251017P00001000: {},
    });
  });

  it.each([
    'type=straddle',
    'strike_price_gte=abc',
    'expiration_date=2024/04/26',
    'limit=0',
    'limit=1001',
    'page_token=null',
    'feed=sip',
  ])('rejects %s with 400', async (params) => {
    expect((await data(`/v1beta1/options/snapshots/AAPL?${params}`)).status).toBe(400);
  });
});

describe('latest quotes and trades', () => {
  it('quotes come from snapshots (§7.9 verbatim)', async () => {
    expect((await data('/v1beta1/options/quotes/latest?symbols=AAPL240419P00140000,AAPL991231C00001000')).json).toEqual(
      {
        quotes: {
          AAPL240419P00140000: {
            ap: 0.16,
            as: 669,
            ax: 'w',
            bp: 0.15,
            bs: 164,
            bx: 'W',
            c: 'A',
            t: '2024-02-28T15:30:28.046330624Z',
          },
        },
      },
    );
  });

  it('trades omit contracts that have none', async () => {
    expect(
      (await data('/v1beta1/options/trades/latest?symbols=AAPL240426C00162500,AAPL240126P00050000&feed=indicative'))
        .json,
    ).toEqual({
      trades: { AAPL240426C00162500: fixtures.optionSnapshots.AAPL240426C00162500.latestTrade },
    });
  });

  it('validates symbols like the snapshot endpoint', async () => {
    expect((await data('/v1beta1/options/quotes/latest')).status).toBe(400);
    expect((await data('/v1beta1/options/trades/latest?symbols=AAPL')).status).toBe(400);
  });
});
