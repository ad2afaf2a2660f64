/**
 * Order events of two Alpaca accounts in a fleet: two gateways on one Redis, each with its own
 * audit trail (JSONL: a record written by the instance that read the event), in front of one "Alpaca" serving `paper` and `live`, hold exactly one trade_updates
 * socket per account between them (each with its account's keys), deliver each account's events on
 * both instances to that account's followers only, and audit each fill once with its account.
 * The Redis is a private redis-server: no other suite's fleet (its leases, relays) shares its keys.
 */
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { scopedId } from '../../emulator/accounts/account-fixtures.js';
import { LIVE, PAPER } from '../../emulator/accounts/account-spec-helpers.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { listenOnLoopback, StreamClient, type StreamMessage } from '../../e2e/support/stream-client.js';
import { DisposableRedis, freePort } from '../redis-server.js';

/** The fixture's open AAPL limit order (qty 2): paper keeps its id, live's is scoped to its key. */
const PAPER_ORDER = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const LIVE_ORDER = scopedId(LIVE.keyId, PAPER_ORDER);

async function follower(url: string, sub: string, accounts: string[]): Promise<StreamClient> {
  const c = await StreamClient.connect(url, {
    Authorization: `Bearer ${tokenFor(['trader'], { sub, accounts })}`,
  });
  await c.nextOfType('authenticated');
  c.send({ action: 'subscribe', orders: true });
  expect(await c.nextOfType('subscription')).toMatchObject({ orders: true });
  return c;
}

async function leaders(g: Gateway): Promise<string[]> {
  const text = (await g.anon().get('/metrics')).text;
  return [...text.matchAll(/^opitios_stream_leader\{stream="(orders:[a-z]+)"\} 1$/gm)].map((m) => String(m[1]));
}

describe('order events of two accounts with two instances on one Redis', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  let redis: DisposableRedis;
  const clients: StreamClient[] = [];

  /** The trade_updates connections the emulator holds open, by account (sorted). */
  const listening = (): string[] =>
    emulator.tradeStreamConnections
      .filter((c) => c.listening.includes('trade_updates') && emulator.tradeStreamOpenCount(String(c.account)) > 0)
      .map((c) => String(c.account))
      .sort();

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    emulator = new AlpacaEmulator({ rateLimitPerMinute: 1_000_000, accounts: [PAPER, LIVE] });
    await emulator.start();
    // The harness configures ALPACA_ACCOUNTS=paper,live from the shared emulator's accounts.
    const env = { REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100' };
    a = await startGateway(env, {}, emulator);
    b = await startGateway(env, {}, emulator);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.close();
    await b.close();
    await emulator.stop();
    await redis.kill();
  });

  it('one socket per account for the fleet; each fill reaches its account’s followers on both instances, audited once', async () => {
    await eventually(() => expect(listening()).toEqual(['live', 'paper']), 10_000);
    const [urlA, urlB] = [await listenOnLoopback(a.app), await listenOnLoopback(b.app)];
    const paperOnA = await follower(urlA, 'fleet-paper-a', ['paper']);
    const paperOnB = await follower(urlB, 'fleet-paper-b', ['paper']);
    const liveOnA = await follower(urlA, 'fleet-live-a', ['live']);
    const liveOnB = await follower(urlB, 'fleet-live-b', ['live']);
    clients.push(paperOnA, paperOnB, liveOnA, liveOnB);
    // Each account's lease held by exactly one instance, through several renewals, one socket each all along.
    await eventually(async () => {
      const held = [...(await leaders(a)), ...(await leaders(b))].sort();
      expect(held).toEqual(['orders:live', 'orders:paper']);
    }, 10_000);
    expect(emulator.tradeStreamOpenCount('paper')).toBe(1);
    expect(emulator.tradeStreamOpenCount('live')).toBe(1);
    expect(emulator.tradeStreamConnections.map((c) => String(c.account)).sort()).toEqual(['live', 'paper']);

    const paperFill = emulator.fillOrder(PAPER_ORDER, { price: '187.25' }, 'paper');
    for (const c of [paperOnA, paperOnB])
      expect(await c.nextOfType('order_update')).toMatchObject({
        event: 'fill',
        order_id: PAPER_ORDER,
        account: 'paper',
        order: paperFill.order,
      });
    const liveFill = emulator.fillOrder(LIVE_ORDER, { price: '190.5' }, 'live');
    for (const c of [liveOnA, liveOnB])
      expect(await c.nextOfType('order_update')).toMatchObject({
        event: 'fill',
        order_id: LIVE_ORDER,
        account: 'live',
        order: liveFill.order,
      });
    // Live's followers' first event was live's: paper's (relayed to each instance before) never reached them.
    const orderIds = (c: StreamClient): unknown[] => c.of('order_update').map((m: StreamMessage) => m['order_id']);
    for (const c of [liveOnA, liveOnB]) expect(orderIds(c)).toEqual([LIVE_ORDER]);
    for (const c of [paperOnA, paperOnB]) expect(orderIds(c)).toEqual([PAPER_ORDER]);

    const executions = [paperFill, liveFill].map((f) => f.extra?.['execution_id']);
    /** Both instances' trails together: a fill is audited once in the fleet, by the instance that read it. */
    const audited = async (): Promise<unknown[][]> => {
      const trails = await Promise.all(
        [a, b].map((g) => g.http().get('/api/v1/audit/events?action=order_event&limit=1000').expect(200)),
      );
      return trails
        .flatMap((res) => (res.body as { data: { events: Array<Record<string, unknown>> } }).data.events)
        .map((e) => ({ account: e['account'], details: e['details'] as Record<string, unknown> }))
        .filter((e) => executions.includes(e.details['execution_id']))
        .map((e) => [e.account, e.details['order_id']])
        .sort();
    };
    await eventually(async () => expect(await audited()).toHaveLength(2), 10_000);
    expect(await audited()).toEqual([
      ['live', LIVE_ORDER],
      ['paper', PAPER_ORDER],
    ]);
    expect(emulator.tradeStreamConnections).toHaveLength(2);
  }, 60_000);
});
