import { errors, marketData, TimeFrame } from '@alpacahq/alpaca-trade-api';
import type request from 'supertest';
import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import type { WireOptionSnapshot } from '../../emulator/emulator.types.js';
import { decodeOcc } from '../../emulator/market/occ-symbol.js';
import { startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { gatewayBaseUrl, sdkClient, sdkKey } from '../support/alpaca-sdk.js';

/*
 * The Alpaca-compatible face's market-data operations: through Alpaca's own SDK where it has the
 * call (values compared with what the emulator holds, parsed by the SDK's own model readers), raw
 * for the exact wire body, the error paths and the cache shared with /api/v1.
 */

type Credentials = { keyId: string; secret: string };

let gw: Gateway;
let baseUrl: string;
let premium: Credentials;
let viewer: Credentials;

beforeAll(async () => {
  gw = await startGateway();
  baseUrl = await gatewayBaseUrl(gw.app);
  premium = sdkKey(gw.apiKeysFile, 'face-market-premium', ['premium']);
  viewer = sdkKey(gw.apiKeysFile, 'face-market-viewer', ['viewer']);
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

const fx = (): Gateway['emulator']['fixtures'] => gw.emulator.fixtures;
const sdk = (who: Credentials = premium): ReturnType<typeof sdkClient> => sdkClient(baseUrl, who);
/** A raw GET at the face with a gateway key in Alpaca's headers. */
const get = (path: string, query: Record<string, string> = {}, who: Credentials = premium): request.Test =>
  gw.anon().get(path).query(query).set('APCA-API-KEY-ID', who.keyId).set('APCA-API-SECRET-KEY', who.secret);
const upstream = (path: string): Array<Record<string, string>> =>
  gw.emulator.requestsTo(path, 'data').map((r) => r.query);

/** An Alpaca error body: `{code: <status>10000, message}`, our catalog code in X-Error-Code. */
function expectAlpacaError(res: request.Response, status: number, catalogCode: string): string {
  expect({ status: res.status, body: res.body as unknown, code: res.headers['x-error-code'] }).toEqual({
    status,
    body: { code: status * 100_000 + 10_000, message: expect.any(String) },
    code: catalogCode,
  });
  return (res.body as { message: string }).message;
}

describe('latest stock quotes, trades and snapshots', () => {
  it('through the SDK, multi and single: values as the emulator holds them, an unknown symbol absent', async () => {
    const quotes = await sdk(viewer).marketData.stocks.stockLatestQuotes({ symbols: 'AAPL,MSFT,ZZZZ' });
    expect(quotes).toEqual(
      marketData.StockLatestQuotesRespFromJSON({
        quotes: { AAPL: fx().stockQuotes['AAPL'], MSFT: fx().stockQuotes['MSFT'] },
      }),
    );
    const quote = await sdk(viewer).marketData.stocks.stockLatestQuoteSingle({ symbol: 'TSLA' });
    expect(quote).toEqual(
      marketData.StockLatestQuotesRespSingleFromJSON({ symbol: 'TSLA', quote: fx().stockQuotes['TSLA'] }),
    );
    const trades = await sdk(viewer).marketData.stocks.stockLatestTrades({ symbols: 'IBM,ZZZZ' });
    expect(trades).toEqual(marketData.StockLatestTradesRespFromJSON({ trades: { IBM: fx().stockTrades['IBM'] } }));
    const trade = await sdk(viewer).marketData.stocks.stockLatestTradeSingle({ symbol: 'MSFT' });
    expect(trade).toEqual(
      marketData.StockLatestTradesRespSingleFromJSON({ symbol: 'MSFT', trade: fx().stockTrades['MSFT'] }),
    );
    // IBM's trade id is past 2^31 and below 2^53: the same JSON number on the wire.
    expect((await get('/v2/stocks/trades/latest', { symbols: 'IBM' }, viewer).expect(200)).text).toContain(
      '"i":52983525503560',
    );
  });

  it('snapshots through the SDK; a member Alpaca sent as null and a symbol it knows nothing of are left out', async () => {
    const snapshots = await sdk(viewer).marketData.stocks.stockSnapshots({ symbols: 'AAPL,TSLA,ZZZZ' });
    expect(Object.keys(snapshots).sort()).toEqual(['AAPL', 'TSLA']);
    expect(marketData.StockSnapshotFromJSON(snapshots['TSLA'])).toEqual(
      marketData.StockSnapshotFromJSON(fx().stockSnapshots['TSLA']),
    );
    const one = await sdk(viewer).marketData.stocks.stockSnapshotSingle({ symbol: 'AAPL' });
    expect(one).toEqual(
      marketData.StockSnapshotsRespSingleFromJSON({ symbol: 'AAPL', ...fx().stockSnapshots['AAPL'] }),
    );
    const raw = await get('/v2/stocks/TSLA/snapshot', {}, viewer).expect(200);
    const { prevDailyBar, ...sent } = fx().stockSnapshots['TSLA'] ?? {};
    expect(prevDailyBar).toBeNull();
    expect(raw.body).toEqual({ symbol: 'TSLA', ...sent });
    expect('prevDailyBar' in raw.body).toBe(false);
  });
});

describe('stock bars', () => {
  it("walks every page of one symbol with the SDK's own paging helper: each bar as the emulator holds it, page_token sent back", async () => {
    const bars = await sdk().marketData.collectStockBarSingle({ symbol: 'AAPL', timeframe: TimeFrame.Day, limit: 20 });
    const held = fx().stockBars['AAPL'] ?? [];
    expect(held.length).toBeGreaterThan(40);
    expect(bars).toEqual(held.map((b) => marketData.StockBarFromJSON(b)));
    const calls = upstream('/v2/stocks/bars');
    expect(calls.length).toBe(Math.ceil(held.length / 20));
    expect(calls[0]?.['page_token']).toBeUndefined();
    expect(calls.slice(1).every((q) => typeof q['page_token'] === 'string' && q['page_token'] !== '')).toBe(true);
    expect(calls.every((q) => q['symbols'] === 'AAPL' && q['feed'] === 'iex' && q['limit'] === '20')).toBe(true);
  });

  it('walks several symbols with collectStockBarsBySymbol: one multi-symbol call per page, every bar of each symbol', async () => {
    const bySymbol = await sdk().marketData.collectStockBarsBySymbol({
      symbols: ['TSLA', 'AAPL'],
      timeframe: TimeFrame.Day,
      limit: 25,
    });
    expect(bySymbol).toEqual({ AAPL: fx().stockBars['AAPL'], TSLA: fx().stockBars['TSLA'] });
    const calls = upstream('/v2/stocks/bars');
    expect(calls.length).toBe(Math.ceil(((fx().stockBars['AAPL']?.length ?? 0) + 3) / 25));
    expect(calls.map((q) => q['symbols'])).toEqual(calls.map(() => 'TSLA,AAPL'));
    expect(calls.slice(1).every((q) => typeof q['page_token'] === 'string')).toBe(true);
  });

  it("answers Alpaca's bodies: one page per call, next_page_token null at the end, an empty range an empty page", async () => {
    const held = fx().stockBars['AAPL'] ?? [];
    const first = await get('/v2/stocks/AAPL/bars', { timeframe: '1Day', limit: '2', currency: 'USD' }).expect(200);
    expect(first.body).toEqual({
      symbol: 'AAPL',
      bars: held.slice(0, 2),
      next_page_token: expect.any(String),
      currency: 'USD',
    });
    expect(first.headers['x-data-source']).toBe('alpaca_historical');
    const last = await get('/v2/stocks/AAPL/bars', { timeframe: '1Day', start: held.at(-1)?.t ?? '' }).expect(200);
    expect(last.body).toEqual({ symbol: 'AAPL', bars: held.slice(-1), next_page_token: null });
    const none = await get('/v2/stocks/bars', {
      symbols: 'AAPL',
      timeframe: '1Day',
      start: '1999-01-04',
      end: '1999-01-05',
    }).expect(200);
    expect(none.body).toEqual({ bars: {}, next_page_token: null });
    const noneMany = await get('/v2/stocks/bars', {
      symbols: 'AAPL,TSLA',
      timeframe: '1Day',
      start: '1999-01-04',
      end: '1999-01-05',
    }).expect(200);
    expect(noneMany.body).toEqual({ bars: {}, next_page_token: null });
  });

  it('one cache entry for both faces: /api/v1 bars, then the same page at /v2/stocks/bars and /v2/stocks/AAPL/bars is one upstream call', async () => {
    const range = { timeframe: '1Day', start: '2022-02-01', end: '2022-02-10' };
    await gw.http().get('/api/v1/stocks/AAPL/bars').query(range).expect(200);
    const multi = await get('/v2/stocks/bars', { ...range, symbols: 'AAPL' }).expect(200);
    const single = await get('/v2/stocks/AAPL/bars', range).expect(200);
    expect(multi.body.bars.AAPL).toEqual(single.body.bars);
    expect([multi.headers['x-cache-status'], single.headers['x-cache-status']]).toEqual(['HIT', 'HIT']);
    expect(upstream('/v2/stocks/bars')).toHaveLength(1);
  });

  it('latest bars through the SDK, multi and single; an unknown symbol is absent from the map and 404 on its own', async () => {
    const latest = await sdk().marketData.stocks.stockLatestBars({ symbols: 'AAPL,TSLA,ZZZZ' });
    expect(latest).toEqual(
      marketData.StockLatestBarsRespFromJSON({
        bars: { AAPL: fx().stockLatestBars['AAPL'], TSLA: fx().stockLatestBars['TSLA'] },
      }),
    );
    const one = await sdk().marketData.stocks.stockLatestBarSingle({ symbol: 'TSLA' });
    expect(one).toEqual(
      marketData.StockLatestBarsRespSingleFromJSON({ symbol: 'TSLA', bar: fx().stockLatestBars['TSLA'] }),
    );
    expect((await get('/v2/stocks/bars/latest', { symbols: 'ZZZZ' }, viewer).expect(200)).body).toEqual({ bars: {} });
    expectAlpacaError(await get('/v2/stocks/ZZZZ/bars/latest', {}, viewer), 404, 'SYMBOL_NOT_FOUND');
  });

  it('refuses what it cannot honour before any upstream call: a bad symbol, a bad timeframe, another feed or currency, a viewer', async () => {
    expect(
      expectAlpacaError(
        await get('/v2/stocks/bars', { symbols: 'AAPL,$$$', timeframe: '1Day' }),
        400,
        'INVALID_SYMBOL_FORMAT',
      ),
    ).toContain('$$$');
    expectAlpacaError(await get('/v2/stocks/AAPL,MSFT/bars', { timeframe: '1Day' }), 400, 'INVALID_SYMBOL_FORMAT');
    expectAlpacaError(await get('/v2/stocks/AAPL/bars', { timeframe: '30Sec' }), 400, 'INVALID_PARAMETER');
    expect(
      expectAlpacaError(
        await get('/v2/stocks/AAPL/bars', { timeframe: '1Day', feed: 'sip' }),
        400,
        'INVALID_PARAMETER',
      ),
    ).toContain('sip');
    expectAlpacaError(
      await get('/v2/stocks/bars', { symbols: 'AAPL', timeframe: '1Day', currency: 'EUR' }),
      400,
      'INVALID_PARAMETER',
    );
    expectAlpacaError(
      await get('/v2/stocks/AAPL/bars', { timeframe: '1Day', start: '2022-02-10', end: '2022-02-01' }),
      400,
      'INVALID_DATE_RANGE',
    );
    expectAlpacaError(
      await get('/v2/stocks/AAPL/bars', { timeframe: '1Day' }, viewer),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    await expect(
      sdk(viewer).marketData.stocks.stockBarSingle({ symbol: 'AAPL', timeframe: '1Day' }),
    ).rejects.toBeInstanceOf(errors.PermissionError);
    expect(upstream('/v2/stocks/bars')).toHaveLength(0);
  });
});

describe('stock quotes, trades and auctions (history)', () => {
  it("walks quotes and trades with the SDK's paging helpers: every item as the emulator holds it (uint64 trade ids as numbers)", async () => {
    const range = { start: new Date('2022-01-03T00:00:00Z'), end: new Date('2022-01-04T00:00:00Z') };
    const quotes = await sdk().marketData.collectStockQuoteSingle({ symbol: 'AAPL', ...range, limit: 2 });
    expect(quotes).toEqual((fx().stockQuoteHistory['AAPL'] ?? []).map((q) => marketData.StockQuoteFromJSON(q)));
    const trades = await sdk().marketData.collectStockTradesBySymbol({ symbols: 'AAPL', ...range, limit: 3 });
    expect(trades).toEqual({ AAPL: fx().stockTradeHistory['AAPL'] });
    const quoteCalls = upstream('/v2/stocks/quotes');
    expect(quoteCalls.map((q) => q['page_token'] === undefined)).toEqual([true, false, false]);
    expect(upstream('/v2/stocks/trades').map((q) => q['page_token'] === undefined)).toEqual([true, false]);
  });

  it("answers Alpaca's multi and single bodies; auctions are SIP's, any other feed is refused", async () => {
    const many = await get('/v2/stocks/trades', {
      symbols: 'AAPL,ZZZZ',
      start: '2022-01-03',
      end: '2022-01-03',
    }).expect(200);
    expect(many.body).toEqual({ trades: { AAPL: fx().stockTradeHistory['AAPL'] }, next_page_token: null });
    const auctions = await get('/v2/stocks/AAPL/auctions', { start: '2022-10-12', end: '2022-10-13' }).expect(200);
    expect(auctions.body).toEqual({ symbol: 'AAPL', auctions: fx().stockAuctions['AAPL'], next_page_token: null });
    expect(upstream('/v2/stocks/auctions').map((q) => q['feed'])).toEqual(['sip']);
    const sdkAuctions = await sdk().marketData.stocks.stockAuctions({
      symbols: 'AAPL',
      start: new Date('2022-10-12T00:00:00Z'),
      end: new Date('2022-10-13T00:00:00Z'),
      feed: 'sip',
    });
    expect(sdkAuctions).toEqual(
      marketData.StockAuctionsRespFromJSON({ auctions: { AAPL: fx().stockAuctions['AAPL'] }, next_page_token: null }),
    );
    expectAlpacaError(await get('/v2/stocks/auctions', { symbols: 'AAPL', feed: 'iex' }), 400, 'INVALID_PARAMETER');
    const empty = await get('/v2/stocks/AAPL/quotes', { start: '1999-01-04', end: '1999-01-05' }).expect(200);
    expect(empty.body).toEqual({ symbol: 'AAPL', quotes: [], next_page_token: null });
  });

  it('one cache entry for both faces: /api/v1 quotes then the same page at /v2/stocks/quotes is one upstream call', async () => {
    const range = { start: '2022-01-03', end: '2022-01-03', limit: '2' };
    const v1 = await gw.http().get('/api/v1/stocks/AAPL/quotes').query(range).expect(200);
    const face = await get('/v2/stocks/quotes', { ...range, symbols: 'aapl' }).expect(200);
    expect(face.body).toEqual({
      quotes: { AAPL: (fx().stockQuoteHistory['AAPL'] ?? []).slice(0, 2) },
      next_page_token: v1.body.data.page_info.next_page_token,
    });
    expect(face.headers['x-cache-status']).toBe('HIT');
    expect(upstream('/v2/stocks/quotes')).toHaveLength(1);
  });

  it("history needs history:read: a viewer is refused in Alpaca's body", async () => {
    expect(
      expectAlpacaError(await get('/v2/stocks/quotes', { symbols: 'AAPL' }, viewer), 403, 'INSUFFICIENT_PERMISSIONS'),
    ).toEqual(expect.any(String));
    expectAlpacaError(await get('/v2/stocks/AAPL/trades', {}, viewer), 403, 'INSUFFICIENT_PERMISSIONS');
    expect(upstream('/v2/stocks/quotes')).toHaveLength(0);
  });
});

describe('condition and exchange codes', () => {
  it("answers Alpaca's flat maps for stocks and options, through the SDK", async () => {
    expect(await sdk(viewer).marketData.stocks.stockMetaConditions({ ticktype: 'trade', tape: 'A' })).toEqual(
      fx().codes.stockConditions.trade,
    );
    expect(await sdk(viewer).marketData.stocks.stockMetaExchanges()).toEqual(fx().codes.stockExchanges);
    expect(await sdk(viewer).marketData.options.optionMetaConditions({ ticktype: 'quote' })).toEqual(
      fx().codes.optionConditions.quote,
    );
    expect(await sdk(viewer).marketData.options.optionMetaExchanges()).toEqual(fx().codes.optionExchanges);
    expectAlpacaError(await get('/v2/stocks/meta/conditions/trade', { tape: 'Z' }, viewer), 400, 'INVALID_PARAMETER');
  });
});

/** The emulator's snapshots of an underlying's contracts, by OCC symbol. */
function chainFixtures(underlying: string): Record<string, WireOptionSnapshot> {
  return Object.fromEntries(
    Object.entries(fx().optionSnapshots).filter(([symbol]) => decodeOcc(symbol)?.underlying === underlying),
  );
}

describe('option snapshots and the chain', () => {
  it("walks the chain with the SDK's paging helper: every contract, greeks and impliedVolatility as the emulator sent them", async () => {
    const chain = await sdk().marketData.collectOptionChainBySymbol({ underlyingSymbol: 'AAPL', limit: 3 });
    const held = chainFixtures('AAPL');
    expect(Object.keys(held).length).toBeGreaterThan(6);
    expect(chain).toEqual(
      Object.fromEntries(Object.entries(held).map(([symbol, s]) => [symbol, marketData.OptionSnapshotFromJSON(s)])),
    );
    const calls = upstream('/v1beta1/options/snapshots/AAPL');
    expect(calls.length).toBe(Math.ceil(Object.keys(held).length / 3));
    expect(calls.map((q) => q['page_token'] === undefined)).toEqual(calls.map((_, i) => i === 0));
    expect(calls.every((q) => q['feed'] === 'indicative')).toBe(true);
  });

  it("answers §7.8's two pages exactly: no greeks where Alpaca sent none (keys absent), Alpaca's own page token, null at the end", async () => {
    const filters = {
      type: 'call',
      strike_price_gte: '151.123',
      strike_price_lte: '155',
      expiration_date_lte: '2024-04-26',
      limit: '1',
    };
    const first = await get('/v1beta1/options/snapshots/AAPL', filters).expect(200);
    expect(first.body).toEqual({
      snapshots: { AAPL240426C00152500: fx().optionSnapshots['AAPL240426C00152500'] },
      next_page_token: 'QUFQTDI0MDQyNkMwMDE1MjUwMA==',
    });
    expect(Object.keys(first.body.snapshots.AAPL240426C00152500).sort()).toEqual(['latestQuote', 'latestTrade']);
    expect(first.headers['x-data-source']).toBe('alpaca_options_chain');
    const second = await get('/v1beta1/options/snapshots/AAPL', {
      ...filters,
      page_token: first.body.next_page_token,
    }).expect(200);
    expect(second.body).toEqual({
      snapshots: { AAPL240426C00155000: fx().optionSnapshots['AAPL240426C00155000'] },
      next_page_token: null,
    });
    expect(second.body.snapshots.AAPL240426C00155000.greeks).toEqual(
      fx().optionSnapshots['AAPL240426C00155000']?.greeks,
    );
    expect(second.body.snapshots.AAPL240426C00155000.impliedVolatility).toBe(0.9871160931510816);
    const none = await get('/v1beta1/options/snapshots/AAPL', { expiration_date: '2031-01-17' }).expect(200);
    expect(none.body).toEqual({ snapshots: {}, next_page_token: null });
  });

  it('one cache entry for both faces: the /api/v1 chain, then the same page at /v1beta1/options/snapshots/AAPL is one upstream call', async () => {
    await gw
      .http()
      .get('/api/v1/options/AAPL/chain')
      .query({ option_type: 'put', expiration_date: '2024-04-26', limit: '50' })
      .expect(200);
    const face = await get('/v1beta1/options/snapshots/aapl', {
      type: 'put',
      expiration_date: '2024-04-26',
      limit: '50',
    }).expect(200);
    const held = Object.entries(chainFixtures('AAPL')).filter(
      ([s]) => decodeOcc(s)?.type === 'put' && decodeOcc(s)?.expiration === '2024-04-26',
    );
    expect(face.body).toEqual({ snapshots: Object.fromEntries(held), next_page_token: null });
    expect(face.headers['x-cache-status']).toBe('HIT');
    expect(upstream('/v1beta1/options/snapshots/AAPL')).toHaveLength(1);
  });

  it('snapshots by contract through the SDK: an unknown contract is absent; each contract is the entry /api/v1 quote reads', async () => {
    await gw.http().get('/api/v1/options/AAPL240426C00162500/quote').expect(200);
    const answer = await sdk().marketData.options.optionSnapshots({
      symbols: 'AAPL240426C00162500,AAPL240126P00050000,AAPL301220C00100000',
    });
    expect(answer).toEqual(
      marketData.OptionSnapshotsRespFromJSON({
        snapshots: {
          AAPL240426C00162500: fx().optionSnapshots['AAPL240426C00162500'],
          AAPL240126P00050000: fx().optionSnapshots['AAPL240126P00050000'],
        },
        next_page_token: null,
      }),
    );
    // The first contract was cached by /api/v1: only the other two went upstream, in one call.
    expect(upstream('/v1beta1/options/snapshots').map((q) => q['symbols']?.split(',').sort())).toEqual([
      ['AAPL240426C00162500'],
      ['AAPL240126P00050000', 'AAPL301220C00100000'],
    ]);
    const raw = await get('/v1beta1/options/snapshots', { symbols: 'AAPL240426C00162500' }).expect(200);
    expect(raw.body).toEqual({
      snapshots: { AAPL240426C00162500: fx().optionSnapshots['AAPL240426C00162500'] },
      next_page_token: null,
    });
    expect(raw.headers['x-cache-status']).toBe('HIT');
  });

  it('refuses what it cannot honour: another feed, updated_since, root_symbol, a page token or limit it never handed out, a bad contract, a viewer', async () => {
    expect(
      expectAlpacaError(await get('/v1beta1/options/snapshots/AAPL', { feed: 'opra' }), 400, 'INVALID_PARAMETER'),
    ).toContain('opra');
    expect(
      expectAlpacaError(
        await get('/v1beta1/options/snapshots/AAPL', { updated_since: '2024-04-22' }),
        400,
        'INVALID_PARAMETER',
      ),
    ).toContain('updated_since');
    expectAlpacaError(await get('/v1beta1/options/snapshots/AAPL', { root_symbol: 'AAPL' }), 400, 'INVALID_PARAMETER');
    expectAlpacaError(
      await get('/v1beta1/options/snapshots', { symbols: 'AAPL240426C00162500', page_token: 'QUFQTA==' }),
      400,
      'INVALID_PARAMETER',
    );
    expectAlpacaError(
      await get('/v1beta1/options/snapshots', { symbols: 'AAPL240426C00162500,AAPL240126P00050000', limit: '1' }),
      400,
      'INVALID_PARAMETER',
    );
    expectAlpacaError(
      await get('/v1beta1/options/snapshots', { symbols: 'AAPL240426X00162500' }),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    expectAlpacaError(await get('/v1beta1/options/snapshots/AAPL', {}, viewer), 403, 'INSUFFICIENT_PERMISSIONS');
    await expect(sdk(viewer).marketData.options.optionChain({ underlyingSymbol: 'AAPL' })).rejects.toBeInstanceOf(
      errors.PermissionError,
    );
    expect(gw.emulator.requestsTo(/^\/v1beta1\/options\/snapshots/, 'data')).toHaveLength(0);
  });
});

describe('option latest quotes and trades, bars and trades', () => {
  it('latest quotes and trades through the SDK; a contract without one is absent', async () => {
    const symbols = 'AAPL240426C00162500,AAPL240126P00050000';
    const quotes = await sdk().marketData.options.optionLatestQuotes({ symbols });
    expect(quotes).toEqual(
      marketData.OptionLatestQuotesRespFromJSON({
        quotes: {
          AAPL240426C00162500: fx().optionSnapshots['AAPL240426C00162500']?.latestQuote,
          AAPL240126P00050000: fx().optionSnapshots['AAPL240126P00050000']?.latestQuote,
        },
      }),
    );
    const trades = await get('/v1beta1/options/trades/latest', { symbols, feed: 'indicative' }).expect(200);
    expect(trades.body).toEqual({
      trades: { AAPL240426C00162500: fx().optionSnapshots['AAPL240426C00162500']?.latestTrade },
    });
    expect(upstream('/v1beta1/options/trades/latest')).toEqual([{ symbols, feed: 'indicative' }]);
  });

  it("walks option bars and trades with the SDK's paging helpers: every item as the emulator holds it", async () => {
    const bars = await sdk().marketData.collectOptionBarsBySymbol({
      symbols: 'AAPL240419P00140000',
      timeframe: TimeFrame.Day,
      limit: 2,
    });
    expect(bars).toEqual({ AAPL240419P00140000: fx().optionBars['AAPL240419P00140000'] });
    expect(upstream('/v1beta1/options/bars').map((q) => q['page_token'] === undefined)).toEqual([true, false]);
    const trades = await sdk().marketData.collectOptionTradesBySymbol({
      symbols: ['AAPL240112C00182500', 'AAPL240419P00140000'],
      limit: 2,
    });
    expect(trades).toEqual({ AAPL240112C00182500: fx().optionTrades['AAPL240112C00182500'] });
    expect(upstream('/v1beta1/options/trades').map((q) => q['symbols'])).toEqual([
      'AAPL240112C00182500,AAPL240419P00140000',
      'AAPL240112C00182500,AAPL240419P00140000',
    ]);
  });

  it('one cache entry for both faces: /api/v1 option bars then /v1beta1/options/bars for that contract is one upstream call', async () => {
    await gw.http().get('/api/v1/options/AAPL240419P00140000/bars').query({ timeframe: '1Day' }).expect(200);
    const face = await get('/v1beta1/options/bars', { symbols: 'AAPL240419P00140000', timeframe: '1Day' }).expect(200);
    expect(face.body).toEqual({
      bars: { AAPL240419P00140000: fx().optionBars['AAPL240419P00140000'] },
      next_page_token: null,
    });
    expect(face.headers['x-cache-status']).toBe('HIT');
    expect(upstream('/v1beta1/options/bars')).toHaveLength(1);
  });

  it('option history needs history:read, latest data options:read', async () => {
    expectAlpacaError(
      await get('/v1beta1/options/bars', { symbols: 'AAPL240419P00140000', timeframe: '1Day' }, viewer),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectAlpacaError(
      await get('/v1beta1/options/quotes/latest', { symbols: 'AAPL240419P00140000' }, viewer),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    expectAlpacaError(
      await get('/v1beta1/options/quotes/latest', { symbols: 'AAPL240419P00140000', feed: 'opra' }),
      400,
      'INVALID_PARAMETER',
    );
    expect(gw.emulator.requestsTo(/^\/v1beta1\/options\//, 'data')).toHaveLength(0);
  });
});

describe('news, screeners, corporate actions', () => {
  it("walks the news with the SDK's paging helper: each article as the emulator holds it; a null url stays null on the wire", async () => {
    const articles = await sdk(viewer).marketData.collectNews({ symbols: 'AAPL', includeContent: true, limit: 1 });
    const held = fx().news.filter((a) => (a['symbols'] as string[]).includes('AAPL'));
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(articles).toEqual(held.map((a) => marketData.NewsFromJSON(a)));
    expect(upstream('/v1beta1/news').map((q) => q['page_token'] === undefined)).toEqual(held.map((_, i) => i === 0));
    const raw = await get('/v1beta1/news', { symbols: 'AAPL', limit: '1' }, viewer).expect(200);
    expect(raw.body).toEqual({ news: [{ ...held[0], content: '' }], next_page_token: expect.any(String) });
    expect(raw.body.news[0].url).toBeNull();
    expect(raw.headers['x-data-source']).toBe('alpaca_news');
  });

  it('most actives and movers through the SDK, as the emulator ranks them; crypto movers are not served', async () => {
    const actives = await sdk(viewer).marketData.screener.mostActives({ by: 'volume', top: 2 });
    const heldActives = fx().mostActives;
    expect(actives).toEqual(
      marketData.MostActivesRespFromJSON({
        ...heldActives,
        most_actives: (heldActives['most_actives'] as unknown[]).slice(0, 2),
      }),
    );
    const movers = await sdk(viewer).marketData.screener.movers({ marketType: 'stocks', top: 2 });
    expect(movers).toEqual(marketData.MoversRespFromJSON(fx().movers));
    expect((await get('/v1beta1/screener/stocks/movers', {}, viewer).expect(200)).body).toEqual(fx().movers);
    expect(
      expectAlpacaError(await get('/v1beta1/screener/crypto/movers', {}, viewer), 404, 'ROUTE_NOT_FOUND'),
    ).toContain('not served by this gateway');
    expectAlpacaError(await get('/v1beta1/screener/bonds/movers', {}, viewer), 400, 'INVALID_PARAMETER');
    expect(upstream('/v1beta1/screener/stocks/movers')).toEqual([{ top: '2' }, {}]);
  });

  it("collects corporate actions with the SDK's helper: each action as the emulator holds it, absent types absent", async () => {
    const range = { start: new Date('2023-05-01T00:00:00Z'), end: new Date('2023-08-31T00:00:00Z') };
    const actions = await sdk().marketData.collectCorporateActions({ ...range, limit: 1 });
    expect(actions).toEqual(marketData.CorporateActionsFromJSON(fx().corporateActions));
    expect(upstream('/v1/corporate-actions')).toHaveLength(3);
    const raw = await get('/v1/corporate-actions', { start: '2023-05-01', end: '2023-08-31', region: 'us' }).expect(
      200,
    );
    expect(raw.body).toEqual({ corporate_actions: fx().corporateActions, next_page_token: null });
    expectAlpacaError(await get('/v1/corporate-actions', { cusips: '037833100' }), 400, 'INVALID_PARAMETER');
    expectAlpacaError(await get('/v1/corporate-actions', { region: 'all' }), 400, 'INVALID_PARAMETER');
    expectAlpacaError(await get('/v1/corporate-actions', {}, viewer), 403, 'INSUFFICIENT_PERMISSIONS');
    expect(upstream('/v1/corporate-actions')).toHaveLength(4);
  });

  it('one cache entry for both faces: /api/v1 news then /v1beta1/news is one upstream call', async () => {
    await gw.http().get('/api/v1/news').query({ symbols: 'TSLA', limit: '5' }).expect(200);
    const face = await get('/v1beta1/news', { symbols: 'TSLA', limit: '5' }, viewer).expect(200);
    expect(face.body.news.map((a: { id: number }) => a.id)).toEqual([24851003]);
    expect(face.headers['x-cache-status']).toBe('HIT');
    expect(upstream('/v1beta1/news')).toHaveLength(1);
  });
});

describe("failures and what is not served, in Alpaca's shape", () => {
  it("an upstream 5xx is an Alpaca-shaped 503; Alpaca's 429 is a 503 with Retry-After (the SDK sees a typed error)", async () => {
    gw.emulator.injectFault({
      path: '/v1beta1/news',
      kind: 'status',
      status: 500,
      body: { message: 'internal server error' },
    });
    expectAlpacaError(await get('/v1beta1/news', {}, viewer), 503, 'UPSTREAM_API_UNAVAILABLE');
    gw.emulator.injectFault(rateLimitFault({ path: '/v2/stocks/bars', retryAfter: 3 }));
    const limited = await get('/v2/stocks/AAPL/bars', { timeframe: '1Day' });
    expectAlpacaError(limited, 503, 'UPSTREAM_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('3');
    await expect(sdk().marketData.stocks.stockBars({ symbols: 'AAPL,TSLA', timeframe: '1Day' })).rejects.toBeInstanceOf(
      errors.ApiError,
    );
  });

  it.each([
    '/v1beta3/crypto/us/bars?symbols=BTC/USD&timeframe=1Day',
    '/v1beta1/crypto-perps/global/latest/pricing?symbols=BTC-PERP',
    '/v1beta1/forex/rates?currency_pairs=USDJPY',
    '/v1beta1/fixed_income/latest/prices?isins=US912797KJ59',
    '/v1beta1/logos/AAPL',
    '/v1beta1/indices/values?symbols=SPX',
  ])('%s is not served: an Alpaca-shaped 404 before any upstream call', async (path) => {
    const res = await gw
      .anon()
      .get(path)
      .set('Authorization', `Bearer ${tokenFor(['premium'])}`);
    expectAlpacaError(res, 404, 'ROUTE_NOT_FOUND');
    expect(gw.emulator.requests).toHaveLength(0);
  });
});
