import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { DisposableRedis, freePort } from '../redis-server.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;

describe('rate limits shared through Redis', () => {
  let a: Gateway;
  let b: Gateway;
  beforeAll(async () => {
    const env = { REDIS_URL, RATE_LIMIT_AUTHENTICATED_PER_HOUR: String(LIMIT), RATE_LIMIT_BURST_PER_SECOND: '1000' };
    a = await startGateway(env);
    b = await startGateway(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('two instances together allow exactly the limit', async () => {
    // A fresh principal per run, so counters left in Redis by earlier runs do not matter.
    const auth = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: `shared-${randomUUID()}` })}` };
    const statuses: number[] = [];
    for (let i = 0; i < 16; i += 1) {
      const gw = i % 2 === 0 ? a : b;
      statuses.push((await gw.anon().get('/api/v1/market/clock').set(auth)).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16 - LIMIT);
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
  });

  it('concurrent requests across both instances still allow exactly the limit', async () => {
    const auth = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: `burst-${randomUUID()}` })}` };
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).anon().get('/api/v1/market/clock').set(auth)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(LIMIT);
  });
});

describe('lockouts shared through Redis', () => {
  it('refusals on two instances count towards one lockout of the client; valid credentials still pass', async () => {
    const env = { REDIS_URL, TRUST_PROXY: 'loopback', AUTH_MAX_FAILURES: '6' };
    const a = await startGateway(env);
    const b = await startGateway(env);
    try {
      // A fresh client address per run, so counts left in Redis by earlier runs do not matter.
      const client = { 'X-Forwarded-For': `2001:db8::${randomUUID().slice(0, 4)}` };
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        statuses.push(
          (
            await (i % 2 === 0 ? a : b)
              .anon()
              .get('/api/v1/market/clock')
              .set(client)
              .set('Authorization', `Bearer bad.token.${i}`)
          ).status,
        );
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
      const locked = await b.anon().get('/api/v1/market/clock').set(client).set('Authorization', 'Bearer bad.token.x');
      expect(locked.body.error.details).toEqual({ reason: 'authentication_lockout', refused_as: 'INVALID_TOKEN' });
      await a
        .anon()
        .get('/api/v1/market/clock')
        .set(client)
        .set('Authorization', `Bearer ${tokenFor(['viewer'])}`)
        .expect(200);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('counting both windows in Redis', () => {
  let redis: DisposableRedis;
  let client: Redis;
  let gw: Gateway;
  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    client = new Redis(redis.url);
    gw = await startGateway({
      REDIS_URL: redis.url,
      RATE_LIMIT_AUTHENTICATED_PER_HOUR: '50',
      RATE_LIMIT_BURST_PER_SECOND: '1000',
    });
  });
  afterAll(async () => {
    await gw.close();
    client.disconnect();
    await redis.kill();
  });

  const evalCalls = async (): Promise<number> => {
    const stats = await client.info('commandstats');
    return Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  };

  it("takes one script call per request, with both keys under the caller's hash tag", async () => {
    const sub = `tagged-${randomUUID()}`;
    const auth = { Authorization: `Bearer ${tokenFor(['viewer'], { sub })}` };
    // The first request may also fetch (and budget) upstream; from the second on, the quote is cached.
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(auth).expect(200);
    const before = await evalCalls();
    for (let i = 0; i < 3; i += 1) await gw.anon().get('/api/v1/stocks/AAPL/quote').set(auth).expect(200);
    expect((await evalCalls()) - before).toBe(3);

    expect(await client.get(`opitios:rl:hour:{sub:${sub}}`)).toBe('4');
    expect(Number(await client.pttl(`opitios:rl:hour:{sub:${sub}}`))).toBeGreaterThan(3_590_000);
    const second = Number(await client.get(`opitios:rl:second:{sub:${sub}}`));
    expect(second).toBeGreaterThanOrEqual(1);
    expect(Number(await client.pttl(`opitios:rl:second:{sub:${sub}}`))).toBeLessThanOrEqual(1000);
    const res = await gw.anon().get('/api/v1/stocks/AAPL/quote').set(auth).expect(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('45');
  });
});

describe('Redis going away mid-test', () => {
  let redis: DisposableRedis;
  let gw: Gateway;
  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    gw = await startGateway({
      REDIS_URL: redis.url,
      RATE_LIMIT_AUTHENTICATED_PER_HOUR: '5',
      RATE_LIMIT_BURST_PER_SECOND: '1000',
    });
  });
  afterAll(async () => {
    await gw.close();
    await redis.kill();
  });

  it('keeps answering and limiting in memory, logs the switch, and returns to Redis when it is back', async () => {
    const auth = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'survivor' })}` };
    await gw.anon().get('/api/v1/market/clock').set(auth).expect(200);
    await gw.anon().get('/api/v1/market/clock').set(auth).expect(200);

    await redis.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await gw.anon().get('/api/v1/market/clock').set(auth)).status);
    // Never a 500, never unlimited: memory counting starts afresh and stops at the limit.
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(gw.logs.some((l) => l['message'] === 'rate_limit_store_degraded')).toBe(true);

    await redis.start();
    // The store notices Redis is back on its next command after the client reconnects.
    const other = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'after-recovery' })}` };
    const deadline = Date.now() + 15000;
    while (!gw.logs.some((l) => l['message'] === 'rate_limit_store_restored') && Date.now() < deadline) {
      expect([200, 429]).toContain((await gw.anon().get('/api/v1/market/clock').set(other)).status);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(gw.logs.some((l) => l['message'] === 'rate_limit_store_restored')).toBe(true);
  });
});
