/**
 * Idempotency keys across a fleet: two gateways on one Redis in front of one "Alpaca". A key sent
 * with two different bodies at once, one to each instance, makes one order and one 409, and the
 * refused body is never sent (the fleet's ledger decides before anything leaves); the same body
 * at once on both makes one order, answered to both.
 */
import { Redis } from 'ioredis';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { LIVE, PAPER } from '../../e2e/support/two-accounts.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'fleet-trader' })}` };
const BRACKET = {
  symbol: 'AAPL',
  qty: '2',
  side: 'buy',
  type: 'limit',
  limit_price: '150',
  time_in_force: 'day',
  order_class: 'bracket',
  take_profit: { limit_price: '170' },
  stop_loss: { stop_price: '140' },
};
const RUN = `${process.pid}-${Date.now()}`;

describe('idempotency keys with two instances on one Redis', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
    a = await startGateway({ REDIS_URL }, {}, emulator);
    b = await startGateway({ REDIS_URL }, {}, emulator);
  }, 30_000);
  afterAll(async () => {
    const keys = await redis.keys(`opitios:idem:order:*${RUN}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await a.close();
    await b.close();
    await emulator.stop();
  });

  const posted = (key: string): Array<Record<string, unknown>> =>
    emulator
      .requestsTo('/v2/orders', 'trading')
      .filter((r) => r.method === 'POST' && (r.body as Record<string, unknown>)['client_order_id'] === key)
      .map((r) => r.body as Record<string, unknown>);
  const place = (g: Gateway, key: string, body: object) =>
    g.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(body);

  it('another take-profit on the other instance at the same moment → one 201, one 409; the second body never leaves', async () => {
    const key = `fleet-tp-${RUN}`;
    const [ra, rb] = await Promise.all([
      place(a, key, BRACKET),
      place(b, key, { ...BRACKET, take_profit: { limit_price: '175' } }),
    ]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses).toEqual([201, 409]);
    const refused = ra.status === 409 ? ra : rb;
    expect(refused.body.error).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', details: { client_order_id: key } });
    expect(posted(key)).toHaveLength(1);
    const winner = ra.status === 201 ? BRACKET.take_profit.limit_price : '175';
    expect(posted(key)[0]?.['take_profit']).toEqual({ limit_price: winner });
    // Later, on either instance: the first body replays, the other is refused, nothing more is sent.
    const firstBody = ra.status === 201 ? BRACKET : { ...BRACKET, take_profit: { limit_price: '175' } };
    const otherBody = ra.status === 201 ? { ...BRACKET, take_profit: { limit_price: '175' } } : BRACKET;
    for (const g of [a, b]) {
      const again = await place(g, key, firstBody).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect((await place(g, key, otherBody)).status).toBe(409);
    }
    expect(posted(key)).toHaveLength(1);
  });

  it('the same bracket on both instances at once → one order, the other answer a replay of it', async () => {
    const key = `fleet-same-${RUN}`;
    const [ra, rb] = await Promise.all([place(a, key, BRACKET), place(b, key, { ...BRACKET, limit_price: '150.00' })]);
    expect([ra.status, rb.status].sort()).toEqual([200, 201]);
    expect(ra.body.data.id).toBe(rb.body.data.id);
    expect(emulator.fixtures.orders.filter((o) => o['client_order_id'] === key)).toHaveLength(1);
  });

  it('the same body on the other instance while the first is still being sent waits for that order: one POST, 201 and 200', async () => {
    const key = `fleet-wait-${RUN}`;
    // The first submission's POST is held at "Alpaca" long enough for the second to arrive meanwhile.
    emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'delay', ms: 400, times: 1 });
    const first = place(a, key, BRACKET).then((r) => r);
    // Polled with a deadline: the first request has claimed the key (and is being sent) before the second starts.
    const deadline = Date.now() + 5000;
    while ((await redis.get(`opitios:idem:order:${key}`)) === null) {
      if (Date.now() > deadline) throw new Error('the first submission never claimed its key');
      await new Promise((r) => setImmediate(r));
    }
    const second = await place(b, key, BRACKET);
    const firstRes = await first;
    expect([firstRes.status, second.status]).toEqual([201, 200]);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.data.id).toBe(firstRes.body.data.id);
    expect(posted(key)).toHaveLength(1);
  });

  it('a body Alpaca refused frees the key for a corrected body', async () => {
    const key = `fleet-fix-${RUN}`;
    emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'status', status: 422, times: 1 });
    expect((await place(a, key, BRACKET)).status).toBe(422);
    await place(b, key, { ...BRACKET, qty: '1' }).expect(201);
  });
});

describe('idempotency keys per account, two instances on one Redis', () => {
  let a: Gateway;
  let b: Gateway;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    a = await startGateway({ REDIS_URL }, { accounts: [PAPER, LIVE] });
    b = await startGateway({ REDIS_URL }, {}, a.emulator);
  }, 30_000);
  afterAll(async () => {
    const keys = await redis.keys(`opitios:idem:order*${RUN}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await b.close();
    await a.close();
  });

  const both = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'fleet-both', accounts: ['paper', 'live'] })}` };
  const placeOn = (g: Gateway, account: string, key: string) =>
    g
      .anon()
      .post('/api/v1/orders')
      .set(both)
      .set('X-Alpaca-Account', account)
      .set('Idempotency-Key', key)
      .send(BRACKET);
  const postedOn = (account: string, key: string): unknown[] =>
    a.emulator
      .requestsTo('/v2/orders', 'trading', account)
      .filter((r) => r.method === 'POST' && (r.body as Record<string, unknown>)['client_order_id'] === key);

  it('one key at once on paper through one instance and on live through the other: two orders; repeated, replays', async () => {
    const key = `fleet-acct-${RUN}`;
    const [onPaper, onLive] = await Promise.all([placeOn(a, 'paper', key), placeOn(b, 'live', key)]);
    expect([onPaper.status, onLive.status]).toEqual([201, 201]);
    expect(onPaper.body.metadata.account).toBe('paper');
    expect(onLive.body.metadata.account).toBe('live');
    expect(onPaper.body.data.id).not.toBe(onLive.body.data.id);
    // The fleet's ledger keeps the key once per account.
    expect((await redis.keys(`opitios:idem:order@*:${key}`)).sort()).toEqual([
      `opitios:idem:order@live:${key}`,
      `opitios:idem:order@paper:${key}`,
    ]);
    // Repeated on paper through the other instance: paper's order, nothing sent.
    const again = await placeOn(b, 'paper', key).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data.id).toBe(onPaper.body.data.id);
    expect(postedOn('paper', key)).toHaveLength(1);
    expect(postedOn('live', key)).toHaveLength(1);
  });
});
