import { errors } from '@alpacahq/alpaca-trade-api';
import { startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { gatewayBaseUrl, sdkClient, sdkKey } from '../support/alpaca-sdk.js';

const QUOTES = '/v2/stocks/quotes/latest';

describe("the Alpaca-compatible face: REST at Alpaca's paths", () => {
  let gw: Gateway;
  let baseUrl: string;
  let viewer: { keyId: string; secret: string };
  beforeAll(async () => {
    gw = await startGateway();
    baseUrl = await gatewayBaseUrl(gw.app);
    viewer = sdkKey(gw.apiKeysFile, 'face-viewer', ['viewer']);
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  it("latest quotes through the unmodified SDK: Alpaca's body, values as the emulator sent them, provenance in headers", async () => {
    const sdk = sdkClient(baseUrl, viewer);
    const answer = await sdk.marketData.stocks.stockLatestQuotes({ symbols: 'AAPL,MSFT,ZZZZ' });
    const fx = gw.emulator.fixtures.stockQuotes;
    expect(Object.keys(answer.quotes).sort()).toEqual(['AAPL', 'MSFT']);
    expect(answer.quotes['AAPL']?.bp).toBe(fx['AAPL']?.bp);
    expect(answer.quotes['AAPL']?.ap).toBe(fx['AAPL']?.ap);
    const raw = await gw
      .anon()
      .get(QUOTES)
      .query({ symbols: 'AAPL' })
      .set('APCA-API-KEY-ID', viewer.keyId)
      .set('APCA-API-SECRET-KEY', viewer.secret)
      .expect(200);
    expect(raw.body).toEqual({ quotes: { AAPL: fx['AAPL'] } });
    expect(raw.headers['x-data-source']).toBe('alpaca_real_time');
    expect(raw.headers['x-data-provider']).toBe('non_alpaca_host');
    expect(raw.headers['x-cache-status']).toBe('HIT');
    expect(raw.headers['x-data-quality']).toBeDefined();
    expect(raw.headers['x-request-id']).toMatch(/.+/);
    expect(raw.headers['x-data-freshness']).toMatch(/^-?\d+(\.\d+)?$/);
    // Alpaca's unit on this face (the SDK reads it so): the Unix time the window resets, not seconds from now.
    const reset = Number(raw.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 3601);
    const own = await gw
      .anon()
      .get('/api/v1/stocks/AAPL/quote')
      .set('APCA-API-KEY-ID', viewer.keyId)
      .set('APCA-API-SECRET-KEY', viewer.secret)
      .expect(200);
    expect(Number(own.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(3600);
  });

  it('one cache entry for both faces: /api/v1 then /v2/stocks/quotes/latest is one upstream call', async () => {
    await gw.http().get('/api/v1/stocks/IBM/quote').expect(200);
    const face = await gw
      .anon()
      .get(QUOTES)
      .query({ symbols: 'IBM' })
      .set('Authorization', `Bearer ${tokenFor(['viewer'])}`)
      .expect(200);
    expect(face.body.quotes.IBM).toEqual(gw.emulator.fixtures.stockQuotes['IBM']);
    expect(face.headers['x-cache-status']).toBe('HIT');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
  });

  it("a bad key: Alpaca's 401 body, our catalog code in X-Error-Code, the SDK's AuthError", async () => {
    const res = await gw
      .anon()
      .get(QUOTES)
      .query({ symbols: 'AAPL' })
      .set('APCA-API-KEY-ID', viewer.keyId)
      .set('APCA-API-SECRET-KEY', `${viewer.secret.slice(0, -2)}xx`)
      .expect(401);
    expect(res.body).toEqual({ code: 40110000, message: expect.any(String) });
    expect(res.headers['x-error-code']).toBe('INVALID_API_KEY');
    const mismatched = await gw
      .anon()
      .get(QUOTES)
      .query({ symbols: 'AAPL' })
      .set('APCA-API-KEY-ID', 'PKALPACAKEY')
      .set('APCA-API-SECRET-KEY', viewer.secret)
      .expect(401);
    expect(mismatched.body.code).toBe(40110000);
    const sdk = sdkClient(baseUrl, { keyId: viewer.keyId, secret: 'not-a-gateway-key' });
    await expect(sdk.marketData.stocks.stockLatestQuotes({ symbols: 'AAPL' })).rejects.toBeInstanceOf(errors.AuthError);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(0);
  });

  it("an invalid symbol is a 400 in Alpaca's body; a feed the gateway does not serve is refused, not answered from another", async () => {
    const h = { Authorization: `Bearer ${tokenFor(['viewer'])}` };
    const bad = await gw.anon().get(QUOTES).query({ symbols: 'AAPL,$$$' }).set(h).expect(400);
    expect(bad.body).toEqual({ code: 40010000, message: expect.stringContaining('$$$') });
    expect(bad.headers['x-error-code']).toBe('INVALID_SYMBOL_FORMAT');
    const feed = await gw.anon().get(QUOTES).query({ symbols: 'AAPL', feed: 'otc' }).set(h).expect(400);
    expect(feed.body.message).toContain('otc');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(0);
  });

  it("a path with an empty segment is a 404 in Alpaca's body before anything else", async () => {
    const res = await gw.anon().get('/v2/stocks/quotes/latest/').query({ symbols: 'AAPL' }).expect(404);
    expect(res.body).toEqual({ code: 40410000, message: expect.any(String) });
  });
});
