/**
 * The risk gate's fleet-wide limits: two gateways on one Redis in front of one "Alpaca". Orders a
 * principal sends through either instance count against one max_orders_per_minute and one
 * max_daily_notional, also when they arrive at both at the same moment (the check and the count
 * are one Redis script), and an order refused by one instance is never sent by it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const RUN = `${process.pid}-${Date.now()}`;
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

describe('risk limits with two instances on one Redis', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  let redis: Redis;
  let dir: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    dir = mkdtempSync(join(tmpdir(), 'opitios-risk-fleet-'));
    const policyFile = join(dir, 'risk.json');
    writeFileSync(
      policyFile,
      JSON.stringify({ policies: { default: { max_orders_per_minute: 3, max_daily_notional: 3000 } } }),
    );
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
    a = await startGateway({ REDIS_URL, RISK_POLICY_FILE: policyFile }, {}, emulator);
    b = await startGateway({ REDIS_URL, RISK_POLICY_FILE: policyFile }, {}, emulator);
  }, 30_000);
  afterAll(async () => {
    const keys = await redis.keys(`opitios:risk:*${RUN}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await a.close();
    await b.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  const place = (g: Gateway, auth: Record<string, string>, body: object = LIMIT_BUY) =>
    g
      .anon()
      .post('/api/v1/orders')
      .set(auth)
      .set('Idempotency-Key', `risk-fleet-${RUN}-${(n += 1)}`)
      .send(body);
  const posted = (): number => emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST').length;

  it('max_orders_per_minute holds across the fleet: 2 on A and 1 on B use it up, the 4th is refused on either', async () => {
    const auth = { Authorization: `Bearer ${tokenFor(['trader'], { sub: `fleet-minute-${RUN}` })}` };
    const before = posted();
    await place(a, auth).expect(201);
    await place(b, auth).expect(201);
    await place(a, auth).expect(201);
    for (const g of [a, b]) {
      const refused = await place(g, auth).expect(422);
      expect(refused.body.error).toMatchObject({
        code: 'RISK_LIMIT_EXCEEDED',
        details: { rule: 'max_orders_per_minute', limit: 3, requested: 4, account: 'default' },
      });
    }
    expect(posted() - before).toBe(3);
    // The one account `default` keeps the counter keys written before accounts existed: an upgraded fleet keeps its counts.
    expect((await redis.keys(`opitios:risk:*fleet-minute-${RUN}*`)).sort()).toEqual([
      expect.stringMatching(new RegExp(`^opitios:risk:\\{sub%3Afleet-minute-${RUN}\\}:day:\\d{4}-\\d{2}-\\d{2}$`)),
      `opitios:risk:{sub%3Afleet-minute-${RUN}}:minute`,
    ]);
  });

  it('at the same moment on both instances: exactly the limit is placed', async () => {
    const auth = { Authorization: `Bearer ${tokenFor(['trader'], { sub: `fleet-burst-${RUN}` })}` };
    const before = posted();
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => place(i % 2 === 0 ? a : b, auth)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 201, 422, 422, 422, 422, 422]);
    expect(posted() - before).toBe(3);
  });

  it('max_daily_notional holds across the fleet, and refused orders do not count', async () => {
    const auth = { Authorization: `Bearer ${tokenFor(['trader'], { sub: `fleet-daily-${RUN}` })}` };
    const before = posted();
    await place(a, auth, { ...LIMIT_BUY, qty: '10' }).expect(201);
    const over = await place(b, auth, { ...LIMIT_BUY, qty: '11' }).expect(422);
    expect(over.body.error).toMatchObject({
      code: 'RISK_LIMIT_EXCEEDED',
      details: { rule: 'max_daily_notional', limit: 3000, requested: 3150, account: 'default' },
    });
    await place(b, auth, { ...LIMIT_BUY, qty: '10' }).expect(201);
    for (const g of [a, b]) {
      const refused = await place(g, auth, { ...LIMIT_BUY, qty: '1', limit_price: '0.01' }).expect(422);
      expect(refused.body.error.details).toEqual({
        rule: 'max_daily_notional',
        limit: 3000,
        requested: 3000.01,
        account: 'default',
      });
    }
    expect(posted() - before).toBe(2);
  });
});
