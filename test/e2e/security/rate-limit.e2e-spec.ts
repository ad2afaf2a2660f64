import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { startGateway, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

describe('per-principal rate limits (in memory)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      RATE_LIMIT_ANONYMOUS_PER_HOUR: '3',
      RATE_LIMIT_AUTHENTICATED_PER_HOUR: '5',
      RATE_LIMIT_PREMIUM_PER_HOUR: '8',
      RATE_LIMIT_BURST_PER_SECOND: '1000',
      ALLOW_ANONYMOUS: 'true',
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('allows the tier, counts down in X-RateLimit-*, then answers 429 RATE_LIMIT_EXCEEDED with Retry-After', async () => {
    const viewer = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'viewer-a' })}` };
    for (let i = 1; i <= 5; i += 1) {
      const res = await gw.anon().get('/api/v1/stocks/AAPL/quote').set(viewer).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(3500);
    }
    const refused = await gw.anon().get('/api/v1/stocks/AAPL/quote').set(viewer);
    const error = expectCatalogError(refused, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(error['details']).toEqual({ limit: 5, window: 'hour' });
    // Another principal has its own budget.
    await gw
      .anon()
      .get('/api/v1/stocks/AAPL/quote')
      .set('Authorization', `Bearer ${tokenFor(['viewer'], { sub: 'viewer-b' })}`)
      .expect(200);
  });

  it('gives premium and above the premium tier', async () => {
    const res = await gw
      .anon()
      .get('/api/v1/stocks/AAPL/quote')
      .set('Authorization', `Bearer ${tokenFor(['trader'], { sub: 'trader-a' })}`)
      .expect(200);
    expect(res.headers['x-ratelimit-limit']).toBe('8');
  });

  it('keys API-key callers by key id, also across the tokens issued for the key', async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key } = store.create('limited', ['viewer']);
    const first = await gw.anon().get('/api/v1/market/clock').set('X-API-Key', key).expect(200);
    expect(first.headers['x-ratelimit-remaining']).toBe('4');
    // The exchange itself counts against the key's own tier (not the anonymous one of its address).
    const exchange = await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200);
    expect(exchange.headers['x-ratelimit-remaining']).toBe('3');
    const token = exchange.body.data.access_token as string;
    const second = await gw.anon().get('/api/v1/market/clock').set('Authorization', `Bearer ${token}`).expect(200);
    expect(second.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('limits anonymous callers by IP with the anonymous tier, and only to viewer rights', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await gw.anon().get('/api/v1/market/clock')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses[0]).toBe(200);
  });
});

describe('burst limit', () => {
  it('refuses more than RATE_LIMIT_BURST_PER_SECOND in one second', async () => {
    const gw = await startGateway({ RATE_LIMIT_BURST_PER_SECOND: '3' });
    try {
      const auth = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'bursty' })}` };
      const results = await Promise.all(
        Array.from({ length: 6 }, () => gw.anon().get('/api/v1/market/clock').set(auth)),
      );
      const refused = results.filter((r) => r.status === 429);
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(refused[0]?.body.error.details).toEqual({ limit: 3, window: 'second' });
      expect(refused[0]?.headers['retry-after']).toBe('1');
    } finally {
      await gw.close();
    }
  });
});
