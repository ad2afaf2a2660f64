import { startGateway, type Gateway } from '../../e2e/support/harness.js';
import { DisposableRedis, freePort } from '../redis-server.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('shared cache through Redis', () => {
  let a: Gateway;
  let b: Gateway;
  beforeAll(async () => {
    a = await startGateway({ REDIS_URL });
    b = await startGateway({ REDIS_URL });
    // Both instances read the same emulator state; only the first must be asked.
    b.emulator.fixtures = a.emulator.fixtures;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a quote fetched by one instance is a HIT on the other', async () => {
    // A key no earlier run can have left in Redis: the limit is part of it.
    const query = {
      timeframe: '1Day',
      start: '2022-02-01',
      end: '2022-02-02',
      limit: String(1000 + Math.floor(Math.random() * 9000)),
    };
    const first = await a.http().get('/api/v1/stocks/AAPL/bars').query(query).expect(200);
    expect(first.body.metadata.cache.status).toBe('MISS');
    const second = await b.http().get('/api/v1/stocks/AAPL/bars').query(query).expect(200);
    expect(second.body.metadata.cache.status).toBe('HIT');
    expect(second.body.data).toEqual(first.body.data);
    expect(b.emulator.requestsTo('/v2/stocks/bars')).toHaveLength(0);
  });

  it('the same for latest quotes', async () => {
    await a.reset();
    const symbol = 'MSFT';
    // A fresh copy first (max_age_seconds=0), whatever an earlier run left in Redis.
    await a.http().get(`/api/v1/stocks/${symbol}/quote`).query({ max_age_seconds: '0' }).expect(200);
    const hit = await b.http().get(`/api/v1/stocks/${symbol}/quote`).expect(200);
    expect(hit.body.metadata.cache.status).toBe('HIT');
    expect(b.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(0);
  });
});

describe('Redis going away under the cache', () => {
  it('keeps serving from Alpaca and the in-process layer, and logs it', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const gw = await startGateway({ REDIS_URL: redis.url });
    try {
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      await redis.kill();
      await gw.http().get('/api/v1/stocks/TSLA/quote').expect(200);
      const again = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(again.body.metadata.cache.status).toBe('HIT');
      expect(gw.logs.some((l) => l['message'] === 'cache_l2_degraded')).toBe(true);
    } finally {
      await gw.close();
      await redis.kill();
    }
  });
});
