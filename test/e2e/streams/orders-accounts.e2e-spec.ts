/**
 * The `orders` channel with two Alpaca accounts (ALPACA_ACCOUNTS=paper,live): one trade_updates
 * socket per account, each account's events only to the sessions that follow it (every account the
 * credential may use, or the one X-Alpaca-Account names on the upgrade), each `order_update` naming
 * its account, and each fill audited once with its account. A session that must not get an event
 * is shown by the next event it does get: frames on one socket arrive in order, and an upstream
 * frame reaches all of its followers at once, so no test waits for something not to happen.
 */
import { WebSocket } from 'ws';
import type { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { scopedId } from '../../emulator/accounts/account-fixtures.js';
import { LIVE, PAPER } from '../../emulator/accounts/account-spec-helpers.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { listenOnLoopback, StreamClient, type StreamMessage } from '../support/stream-client.js';

/** The fixture's open AAPL limit order: paper (the first account) keeps its id, live's is scoped to its key. */
const PAPER_ORDER = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const LIVE_ORDER = scopedId(LIVE.keyId, PAPER_ORDER);

let emulator: AlpacaEmulator;
let gw: Gateway;
let url: string;
const clients: StreamClient[] = [];

function token(sub: string, accounts: string[]): string {
  return tokenFor(['trader'], { sub, accounts });
}

/** A trader session subscribed to `orders`, its token bound to `accounts`, with the header when given. */
async function follower(sub: string, accounts: string[], header?: string): Promise<StreamClient> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token(sub, accounts)}` };
  if (header !== undefined) headers['X-Alpaca-Account'] = header;
  const c = await StreamClient.connect(url, headers);
  clients.push(c);
  await c.nextOfType('authenticated');
  c.send({ action: 'subscribe', orders: true });
  expect(await c.nextOfType('subscription')).toMatchObject({ orders: true });
  return c;
}

const updates = (c: StreamClient): StreamMessage[] => c.of('order_update');

function listeningAccounts(): string[] {
  return emulator.tradeStreamConnections
    .filter((c) => c.listening.includes('trade_updates'))
    .map((c) => String(c.account))
    .sort();
}

/** The audited fills of these executions as [account, order id], in the trail's order. */
async function auditedFills(executions: unknown[]): Promise<Array<[unknown, unknown]>> {
  const res = await gw.http().get('/api/v1/audit/events?action=order_event&limit=500').expect(200);
  const events = (res.body as { data: { events: Array<Record<string, unknown>> } }).data.events;
  return events
    .map((e) => ({ account: e['account'], details: e['details'] as Record<string, unknown> }))
    .filter((e) => executions.includes(e.details['execution_id']))
    .map((e) => [e.account, e.details['order_id']]);
}

beforeAll(async () => {
  // The harness configures ALPACA_ACCOUNTS=paper,live from the emulator's accounts.
  gw = await startGateway({ STREAM_UPSTREAM_LINGER_MS: '50' }, { accounts: [PAPER, LIVE] });
  emulator = gw.emulator;
  url = await listenOnLoopback(gw.app);
  // Each account's socket is held from boot, before anyone subscribes (the audit trail needs every fill).
  await eventually(() => expect(listeningAccounts()).toEqual(['live', 'paper']), 5000);
}, 20_000);
afterAll(async () => {
  await gw.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await gw.reset();
});

describe('one trade_updates socket per account', () => {
  it('each account is streamed with its own keys, once; the metrics name each account’s stream', async () => {
    expect(emulator.tradeStreamOpenCount('paper')).toBe(1);
    expect(emulator.tradeStreamOpenCount('live')).toBe(1);
    const text = (await gw.anon().get('/metrics')).text;
    expect(text).toMatch(/^opitios_stream_upstream_state\{stream="orders:paper"\} 2$/m);
    expect(text).toMatch(/^opitios_stream_upstream_state\{stream="orders:live"\} 2$/m);
  });
});

describe('order events per account', () => {
  it('a paper fill reaches paper’s followers only, a live fill live’s only; each names its account', async () => {
    const paper = await follower('acct-paper', ['paper']);
    const live = await follower('acct-live', ['live']);
    const both = await follower('acct-both', ['paper', 'live']);
    const bothLive = await follower('acct-both-live', ['paper', 'live'], 'live');

    const paperFill = emulator.fillOrder(PAPER_ORDER, { price: '187.42' }, 'paper');
    expect(await paper.nextOfType('order_update')).toMatchObject({
      type: 'order_update',
      event: 'fill',
      order_id: PAPER_ORDER,
      account: 'paper',
      price: '187.42',
      order: paperFill.order,
    });
    expect(await both.nextOfType('order_update')).toMatchObject({ order_id: PAPER_ORDER, account: 'paper' });

    const liveFill = emulator.fillOrder(LIVE_ORDER, { price: '190.5' }, 'live');
    const expectedLive = {
      type: 'order_update',
      event: 'fill',
      order_id: LIVE_ORDER,
      account: 'live',
      order: liveFill.order,
    };
    // Their first order event is live's: paper's, delivered to every follower at once above, never came.
    expect(await live.nextOfType('order_update')).toMatchObject(expectedLive);
    expect(await bothLive.nextOfType('order_update')).toMatchObject(expectedLive);
    await both.next((m) => m.type === 'order_update' && m['account'] === 'live');
    expect(updates(both).map((m) => [m['account'], m['order_id']])).toEqual([
      ['paper', PAPER_ORDER],
      ['live', LIVE_ORDER],
    ]);
    // And paper's follower, whose next event is another paper one, never had live's.
    emulator.publishTradeUpdate({ event: 'calculated', order: paperFill.order }, 'paper');
    await paper.next((m) => m.type === 'order_update' && m['event'] === 'calculated');
    expect(updates(paper).map((m) => [m['account'], m['event']])).toEqual([
      ['paper', 'fill'],
      ['paper', 'calculated'],
    ]);
    expect(updates(live)).toHaveLength(1);
    expect(updates(bothLive)).toHaveLength(1);
  });

  it('each fill is audited once, naming its account', async () => {
    const fills = [
      emulator.fillOrder(PAPER_ORDER, { price: '187.42' }, 'paper'),
      emulator.fillOrder(LIVE_ORDER, { price: '190.5' }, 'live'),
    ];
    const executions = fills.map((f) => f.extra?.['execution_id']);
    expect(executions.every((id) => typeof id === 'string')).toBe(true);
    await eventually(async () => expect(await auditedFills(executions)).toHaveLength(2), 4000);
    expect((await auditedFills(executions)).sort()).toEqual([
      ['live', LIVE_ORDER],
      ['paper', PAPER_ORDER],
    ]);
  });
});

describe('choosing an account', () => {
  it('X-Alpaca-Account naming an account the credential may not use refuses the upgrade (ACCOUNT_NOT_ALLOWED, 4401)', async () => {
    const c = await StreamClient.connect(url, {
      Authorization: `Bearer ${token('acct-forbidden', ['paper'])}`,
      'X-Alpaca-Account': 'live',
    });
    clients.push(c);
    expect(await c.closed()).toEqual({ code: 4401, reason: 'ACCOUNT_NOT_ALLOWED' });
    expect(c.of('error')).toEqual([
      expect.objectContaining({
        code: 'ACCOUNT_NOT_ALLOWED',
        details: expect.objectContaining({ allowed: ['paper'] }),
      }),
    ]);
    expect(c.of('authenticated')).toEqual([]);
  });

  it("a key rebound away from an account closes its orders stream (4401 ACCOUNT_NOT_ALLOWED); a reconnect follows the key's accounts now", async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create('acct-rebound', ['trader'], new Date(), null, ['paper', 'live']);
    const c = await StreamClient.connect(url, { 'X-API-Key': key });
    clients.push(c);
    await c.nextOfType('authenticated');
    c.send({ action: 'subscribe', orders: true });
    await c.nextOfType('subscription');
    store.setAccounts(record.id, ['paper']);
    expect(await c.closed()).toEqual({ code: 4401, reason: 'ACCOUNT_NOT_ALLOWED' });
    expect(c.of('error')).toEqual([
      expect.objectContaining({
        code: 'ACCOUNT_NOT_ALLOWED',
        details: expect.objectContaining({ account: 'live', allowed: ['paper'] }),
      }),
    ]);
    // Reconnected, it follows paper only: live's fill never reaches it.
    const again = await StreamClient.connect(url, { 'X-API-Key': key });
    clients.push(again);
    await again.nextOfType('authenticated');
    again.send({ action: 'subscribe', orders: true });
    await again.nextOfType('subscription');
    emulator.fillOrder(LIVE_ORDER, { price: '190.5' }, 'live');
    emulator.fillOrder(PAPER_ORDER, { price: '187.42' }, 'paper');
    expect(await again.nextOfType('order_update')).toMatchObject({ account: 'paper', order_id: PAPER_ORDER });
    expect(updates(again).map((m) => m['account'])).toEqual(['paper']);
  });

  it('the SSE stream with a forbidden account is refused before it starts (403 ACCOUNT_NOT_ALLOWED)', async () => {
    const res = await gw
      .anon()
      .get('/api/v1/stream/events?orders=true')
      .set('Authorization', `Bearer ${token('acct-sse', ['live'])}`)
      .set('X-Alpaca-Account', 'paper')
      .expect(403);
    expect(res.body).toMatchObject({ error: { code: 'ACCOUNT_NOT_ALLOWED' } });
  });

  it('the Alpaca-compatible /stream serves the account the upgrade names, and only that one', async () => {
    const witness = await follower('acct-face-witness', ['paper']);
    const socket = new WebSocket(url.replace(/\/api\/v1\/stream$/, '/stream'), {
      headers: { 'X-Alpaca-Account': 'live' },
    });
    const messages: Array<Record<string, unknown>> = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    try {
      socket.send(
        JSON.stringify({ action: 'authenticate', data: { oauth_token: token('acct-face', ['paper', 'live']) } }),
      );
      await eventually(() => expect(messages.map((m) => m['stream'])).toContain('authorization'));
      socket.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
      await eventually(() => expect(messages.map((m) => m['stream'])).toContain('listening'));
      emulator.fillOrder(PAPER_ORDER, { price: '187.42' }, 'paper');
      // Delivered to paper's followers at once: had the face session been one, it got it before live's fill.
      await witness.nextOfType('order_update');
      const liveFill = emulator.fillOrder(LIVE_ORDER, { price: '190.5' }, 'live');
      await eventually(() => expect(messages.filter((m) => m['stream'] === 'trade_updates')).toHaveLength(1));
      expect(messages.filter((m) => m['stream'] === 'trade_updates')).toEqual([
        { stream: 'trade_updates', data: { event: 'fill', order: liveFill.order, ...liveFill.extra } },
      ]);
    } finally {
      socket.close();
    }
  });
});
