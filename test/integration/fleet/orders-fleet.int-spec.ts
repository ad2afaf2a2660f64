/**
 * Order events in a fleet: two gateways on one Redis and one PostgreSQL audit store, in front of
 * one "Alpaca" (the emulator), hold exactly one trading-stream socket between them, deliver each
 * event to `orders` subscribers on both, and write it to the audit trail once, even when both
 * instances try to; the chain still verifies. The socket moves to the other instance when its
 * holder shuts down.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import type { OrderUpdate } from '../../../src/alpaca/trading/trade-updates.port.js';
import { OrderEventAudit } from '../../../src/streams/orders/order-event-audit.js';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { eventually, KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { listenOnLoopback, StreamClient } from '../../e2e/support/stream-client.js';
import { testDatabaseUrl } from '../test-database.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();
/** The fixture's open AAPL limit order (qty 2). */
const ORDER_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const trader = (sub: string): Record<string, string> => ({ Authorization: `Bearer ${tokenFor(['trader'], { sub })}` });

async function clearFleetKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys('opitios:stream:*');
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function auditedWith(g: Gateway, key: string, value: unknown): Promise<Array<Record<string, unknown>>> {
  const res = await g.http().get('/api/v1/audit/events?action=order_event&limit=1000').expect(200);
  const events = (res.body as { data: { events: Array<{ details: Record<string, unknown> }> } }).data.events;
  return events.filter((e) => e.details[key] === value);
}

async function ordersClient(url: string, sub: string): Promise<StreamClient> {
  const c = await StreamClient.connect(url, trader(sub));
  await c.nextOfType('authenticated');
  c.send({ action: 'subscribe', orders: true });
  expect(await c.nextOfType('subscription')).toMatchObject({ orders: true });
  return c;
}

async function leads(g: Gateway): Promise<boolean> {
  return /^opitios_stream_leader\{stream="orders"\} 1$/m.test((await g.anon().get('/metrics')).text);
}

describe('order events with two instances on one Redis and PostgreSQL', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    await clearFleetKeys();
    // A chain of its own: records other suites left (keyed with their keys) are not this test's to verify.
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query('DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_checkpoints');
    await db.end();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
    const env = { REDIS_URL, DATABASE_URL, STREAM_UPSTREAM_LINGER_MS: '100' };
    a = await startGateway(env, {}, emulator);
    b = await startGateway(env, {}, emulator);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.close();
    await b.close();
    await emulator.stop();
  });

  it('one trading socket for both; a fill reaches subscribers on both and is audited once; the chain verifies', async () => {
    await eventually(
      () =>
        expect(emulator.tradeStreamConnections.filter((c) => c.listening.includes('trade_updates'))).toHaveLength(1),
      10_000,
    );
    const [onA, onB] = [
      await ordersClient(await listenOnLoopback(a.app), 'fleet-a'),
      await ordersClient(await listenOnLoopback(b.app), 'fleet-b'),
    ];
    clients.push(onA, onB);
    // Several lease renewals later, still the one socket the emulator ever saw, held by one leader.
    await until(async () => (await Promise.all([leads(a), leads(b)])).filter(Boolean).length === 1);
    expect(emulator.tradeStreamConnections).toHaveLength(1);
    expect(emulator.tradeStreamOpenCount()).toBe(1);

    const sent = emulator.fillOrder(ORDER_ID, { qty: '1', price: '187.25' });
    for (const c of [onA, onB]) {
      expect(await c.nextOfType('order_update')).toEqual({
        type: 'order_update',
        event: 'partial_fill',
        order_id: ORDER_ID,
        symbol: 'AAPL',
        account: 'default',
        order: sent.order,
        ...sent.extra,
        received_at: expect.any(String),
        provider: 'non_alpaca_host',
      });
    }
    const executionId = sent.extra?.['execution_id'];
    await until(async () => (await auditedWith(a, 'execution_id', executionId)).length > 0);
    expect(await auditedWith(b, 'execution_id', executionId)).toHaveLength(1);
    const verify = await b.http().get('/api/v1/audit/verify').expect(200);
    expect(verify.body.data).toMatchObject({ ok: true, first_broken: null });
  }, 60_000);

  it('the same event seen by both instances at once (a handover, fallback sockets) is written once', async () => {
    const order = { ...emulator.fixtures.orders[0], id: `dup-${Date.now()}`, status: 'canceled' };
    const update: OrderUpdate = {
      event: 'canceled',
      order_id: String(order.id),
      symbol: 'AAPL',
      timestamp: new Date().toISOString(),
      order,
    };
    const receivedAt = new Date().toISOString();
    const writers = [a, b].map((g) => g.app.get(OrderEventAudit));
    for (let i = 0; i < 3; i += 1) for (const w of writers) w.record([update], receivedAt, 'default');
    await Promise.all(writers.map((w) => w.settled()));
    expect(await auditedWith(a, 'order_id', order.id)).toHaveLength(1);
    expect((await a.http().get('/api/v1/audit/verify').expect(200)).body.data).toMatchObject({ ok: true });
  }, 30_000);

  it('the holder shuts down: the other instance takes the socket over, its subscribers get a gap, then events', async () => {
    const [leader, follower] = (await leads(a)) ? [a, b] : [b, a];
    const onFollower = await ordersClient(await listenOnLoopback(follower.app), 'fleet-follower');
    clients.push(onFollower);
    await leader.close();
    await eventually(() => {
      expect(emulator.tradeStreamConnections).toHaveLength(2);
      expect(emulator.tradeStreamOpenCount()).toBe(1);
      expect(emulator.tradeStreamConnections[1]?.listening).toEqual(['trade_updates']);
    }, 15_000);
    // The first socket was closed before the second opened: never two at once.
    const [first, second] = emulator.tradeStreamConnections;
    expect(first?.closedAt).toBeLessThanOrEqual(second?.openedAt ?? 0);
    expect(await onFollower.nextOfType('gap')).toMatchObject({ type: 'gap', stream: 'orders' });
    const expired = emulator.expireOrder(ORDER_ID);
    expect(await onFollower.nextOfType('order_update')).toMatchObject({ event: 'expired', order: expired.order });
    await until(async () => (await auditedWith(follower, 'timestamp', expired.extra?.['timestamp'])).length === 1);
  }, 60_000);
});
