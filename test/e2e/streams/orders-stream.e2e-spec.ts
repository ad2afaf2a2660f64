/**
 * The `orders` channel end to end: the real gateway holding Alpaca's trading stream
 * (`trade_updates`, spoken by the emulator in paper's binary frames or in text frames), fanned out
 * to WebSocket and SSE clients, and every fill, cancel, expiry, replace and rejection written once
 * to the audit trail.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { listenOnLoopback, StreamClient, type StreamMessage } from '../support/stream-client.js';

/** The fixture's open AAPL limit order (qty 2). */
const ORDER_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const bearer = (roles: string[], sub = `orders-${roles.join('-')}`): Record<string, string> => ({
  Authorization: `Bearer ${tokenFor(roles, { sub })}`,
});

let gw: Gateway;
let url: string;
const clients: StreamClient[] = [];

async function client(roles: string[]): Promise<StreamClient> {
  const c = await StreamClient.connect(url, bearer(roles));
  clients.push(c);
  await c.nextOfType('authenticated');
  return c;
}

async function send(c: StreamClient, frame: Record<string, unknown>): Promise<StreamMessage> {
  const after = c.messages.length;
  c.send(frame);
  return c.next((m) => m.type === 'subscription' || m.type === 'error', { after });
}

/** Polls an async condition with a deadline (harness.eventually takes synchronous checks). */
async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function orderEvents(): Promise<Array<Record<string, unknown>>> {
  const res = await gw.http().get('/api/v1/audit/events?action=order_event&limit=500').expect(200);
  return (res.body as { data: { events: Array<Record<string, unknown>> } }).data.events;
}

beforeAll(async () => {
  gw = await startGateway({ STREAM_UPSTREAM_LINGER_MS: '50' });
  url = await listenOnLoopback(gw.app);
  // Held from boot, before anyone subscribes: fills must reach the audit trail regardless.
  await eventually(
    () =>
      expect(gw.emulator.tradeStreamConnections.filter((c) => c.listening.includes('trade_updates'))).toHaveLength(1),
    5000,
  );
  // The hook waits up to 5 s above, on top of the boot: Jest's default 5 s for the whole hook is too tight on a loaded machine.
}, 20_000);
afterAll(async () => {
  await gw.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await gw.reset();
});

describe('subscribing', () => {
  it('a trader subscribes with orders:true; the subscription says so, and unsubscribing clears it', async () => {
    const c = await client(['trader']);
    expect(await send(c, { action: 'subscribe', orders: true })).toEqual({
      type: 'subscription',
      quotes: [],
      trades: [],
      bars: [],
      updated_bars: [],
      daily_bars: [],
      statuses: [],
      lulds: [],
      option_quotes: [],
      option_trades: [],
      orders: true,
    });
    expect(await send(c, { action: 'subscribe', quotes: ['AAPL'] })).toMatchObject({ quotes: ['AAPL'], orders: true });
    expect(await send(c, { action: 'unsubscribe', orders: true })).toMatchObject({ quotes: ['AAPL'], orders: false });
  });

  it.each([['viewer'], ['premium']])('%s → INSUFFICIENT_PERMISSIONS, and the socket stays open', async (role) => {
    const c = await client([role]);
    expect(await send(c, { action: 'subscribe', orders: true, quotes: ['AAPL'] })).toMatchObject({
      type: 'error',
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { channel: 'orders', required_permission: 'trading:read' },
    });
    // All or nothing: the quotes of the refused frame were not added either; the socket still serves.
    expect(await send(c, { action: 'subscribe', quotes: ['AAPL'] })).toMatchObject({
      type: 'subscription',
      quotes: ['AAPL'],
      orders: false,
    });
    expect(c.closeCode).toBeNull();
  });

  it('admin may read the orders channel', async () => {
    const c = await client(['admin']);
    expect(await send(c, { action: 'subscribe', orders: true })).toMatchObject({ type: 'subscription', orders: true });
  });
});

describe('order events', () => {
  it('a fill reaches every subscriber once, with the order exactly as Alpaca sent it; one upstream socket for all', async () => {
    const [trader, admin, other] = [await client(['trader']), await client(['admin']), await client(['trader'])];
    await send(trader, { action: 'subscribe', orders: true });
    await send(admin, { action: 'subscribe', orders: true });
    await send(other, { action: 'subscribe', quotes: ['AAPL'] });
    const sent = gw.emulator.fillOrder(ORDER_ID, { price: '187.4213' });
    const expected = {
      type: 'order_update',
      event: 'fill',
      order_id: ORDER_ID,
      symbol: 'AAPL',
      account: 'default',
      order: sent.order,
      ...sent.extra,
      received_at: expect.any(String),
      provider: 'non_alpaca_host',
    };
    for (const c of [trader, admin]) expect(await c.nextOfType('order_update')).toEqual(expected);
    expect(sent.order).toMatchObject({ status: 'filled', filled_qty: '2', filled_avg_price: '187.4213' });
    expect(sent.extra).toMatchObject({
      price: '187.4213',
      qty: '2',
      position_qty: '2',
      execution_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(other.of('order_update')).toEqual([]);
    expect(gw.emulator.tradeStreamOpenCount()).toBe(1);
  });

  it('binary frames (paper) and text frames are read alike; unknown events and members pass through', async () => {
    const c = await client(['trader']);
    await send(c, { action: 'subscribe', orders: true });
    gw.emulator.fillOrder(ORDER_ID, { qty: '1', price: '150' });
    expect(await c.nextOfType('order_update')).toMatchObject({
      event: 'partial_fill',
      qty: '1',
      order: { status: 'partially_filled', filled_qty: '1' },
    });
    gw.emulator.tradeStreamFrames('text');
    const after = c.messages.length;
    gw.emulator.fillOrder(ORDER_ID, { qty: '1', price: '151.5' });
    expect(await c.nextOfType('order_update', after)).toMatchObject({
      event: 'fill',
      qty: '1',
      price: '151.5',
      order: { filled_avg_price: '150.75' },
    });
    const order = {
      id: 'f00d0000-0000-4000-8000-000000000001',
      symbol: null,
      qty: '1.50',
      legs: [{ symbol: 'AAPL240426C00162500' }],
      extra_member: { kept: true },
    };
    gw.emulator.publishTradeUpdate({ event: 'accepted', order, at: '2026-07-30T00:00:00Z' });
    const accepted = await c.next((m) => m.type === 'order_update' && m['event'] === 'accepted');
    expect(accepted).toMatchObject({ order, symbol: null, timestamp: null });
    expect(accepted).not.toHaveProperty('at');
  });

  it('the upstream socket drops → a gap on stream orders, a new socket, and events flow again', async () => {
    const c = await client(['trader']);
    await send(c, { action: 'subscribe', orders: true });
    const before = gw.emulator.tradeStreamConnections.length;
    expect(gw.emulator.tradeStreamDropAll()).toBe(1);
    expect(await c.nextOfType('gap')).toEqual({
      type: 'gap',
      stream: 'orders',
      account: 'default',
      from: expect.any(String),
      to: expect.any(String),
      reason: 'connection_lost',
    });
    expect(gw.emulator.tradeStreamConnections.length).toBe(before + 1);
    expect(gw.emulator.tradeStreamOpenCount()).toBe(1);
    gw.emulator.expireOrder(ORDER_ID);
    expect(await c.nextOfType('order_update')).toMatchObject({ event: 'expired', order: { status: 'expired' } });
  });
});

describe('the audit trail', () => {
  it('partial fill, fill, expiry, rejection and cancel are each recorded once; a repeated event is not; the chain verifies', async () => {
    await eventually(() => expect(gw.emulator.tradeStreamOpenCount()).toBe(1), 5000);
    const before = (await orderEvents()).length;
    const partial = gw.emulator.fillOrder(ORDER_ID, { qty: '1', price: '150' });
    // Alpaca (or a second instance's socket) delivering the same execution again adds nothing.
    gw.emulator.publishTradeUpdate({ event: 'partial_fill', ...partial.extra, order: partial.order });
    gw.emulator.fillOrder(ORDER_ID, { price: '150' });
    const [expiring, rejected, canceled] = ['e', 'r', 'c'].map((tag) => {
      const order = {
        ...gw.emulator.fixtures.orders[0],
        id: `${tag}0000000-0000-4000-8000-000000000000`,
        client_order_id: `coid-${tag}`,
        status: 'new',
        filled_qty: '0',
        filled_avg_price: null,
      };
      gw.emulator.fixtures.orders.push(order);
      return String(order.id);
    });
    gw.emulator.expireOrder(expiring);
    gw.emulator.rejectOrder(rejected);
    // A `new` event is streamed, not audited (the REST submission audits the request).
    gw.emulator.orderEvents.emit('new', { id: 'not-audited', symbol: 'AAPL' });
    expect(
      (
        await gw
          .anon()
          .delete(`/api/v1/orders/${canceled}`)
          .set(bearer(['trader']))
      ).ok,
    ).toBe(true);
    await until(async () => (await orderEvents()).length >= before + 5);
    const records = (await orderEvents()).slice(before);
    expect(records.map((r) => r['outcome'])).toEqual(['partial_fill', 'fill', 'expired', 'rejected', 'canceled']);
    expect(records[0]).toMatchObject({
      action: 'order_event',
      resource: 'order:5680c4bc-9ac1-4a12-a44c-df427ba53032',
      actor: { sub: null },
      details: {
        event: 'partial_fill',
        order_id: ORDER_ID,
        qty: '1',
        price: '150',
        execution_id: partial.extra?.['execution_id'],
        timestamp: partial.extra?.['timestamp'],
      },
    });
    const verify = await gw.http().get('/api/v1/audit/verify').expect(200);
    expect(verify.body.data).toMatchObject({ ok: true });
  });
});

describe('Server-Sent Events', () => {
  it('?orders=true streams order_update events to a trader; a viewer gets 403', async () => {
    const { port } = gw.app.getHttpServer().address() as AddressInfo;
    const viewer = await gw
      .anon()
      .get('/api/v1/stream/events?orders=true')
      .set(bearer(['viewer']));
    expect(viewer.status).toBe(403);
    let body = '';
    const req = http.get(
      { host: '127.0.0.1', port, path: '/api/v1/stream/events?orders=true', headers: bearer(['trader']) },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
      },
    );
    try {
      await eventually(() => expect(body).toContain('"orders":true'));
      gw.emulator.rejectOrder(ORDER_ID);
      await eventually(() =>
        expect(body).toMatch(/event: order_update\ndata: \{"type":"order_update","event":"rejected",/),
      );
    } finally {
      req.destroy();
    }
  });
});

describe('refused credentials', () => {
  let own: Gateway;
  beforeAll(async () => {
    own = await startGateway();
  });
  afterAll(async () => {
    await own.close();
  });

  it('→ UPSTREAM_AUTHENTICATION_FAILED to orders subscribers (the socket stays open), never the secret', async () => {
    const c = await StreamClient.connect(await listenOnLoopback(own.app), bearer(['trader']));
    clients.push(c);
    await c.nextOfType('authenticated');
    await eventually(() => expect(own.emulator.tradeStreamOpenCount()).toBe(1), 5000);
    c.send({ action: 'subscribe', orders: true });
    await c.nextOfType('subscription');
    own.emulator.tradeStreamSetAuthFailure(true);
    own.emulator.tradeStreamDropAll();
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'UPSTREAM_AUTHENTICATION_FAILED',
      details: { stream: 'orders' },
    });
    expect(c.closeCode).toBeNull();
    expect(JSON.stringify(c.messages) + own.rawLogs.join('')).not.toContain('sk-test-secret');
  });
});
