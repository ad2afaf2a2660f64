/**
 * Issue 27, the trading halt: an admin stops order writes for every principal or one API key.
 * Refused writes are 423 TRADING_HALTED and never reach "Alpaca"; cancels, position closes and
 * reads go on; halts and resumes are audited with who and why; a halt survives a restart (JSONL
 * mode: the file beside the audit trail); the Alpaca-compatible face refuses in Alpaca's body.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type request from 'supertest';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { expectCatalogError, eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { parseExposition, valueOf } from '../support/prometheus-text.js';

const HALT = '/api/v1/admin/trading/halt';
const OPEN_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const CONTRACT = 'AAPL250620C00100000';
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };
const SPREAD = {
  order_class: 'mleg',
  qty: '1',
  type: 'limit',
  limit_price: '-1.25',
  time_in_force: 'day',
  legs: [
    { symbol: 'AAPL240426C00162500', ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
    { symbol: 'AAPL250620C00100000', ratio_qty: '1', side: 'buy', position_intent: 'buy_to_open' },
  ],
};
const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'ops-admin' })}` };
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'halt-trader' })}` };

type Json = Record<string, unknown>;

function optionPosition(): Json {
  return {
    asset_id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
    symbol: CONTRACT,
    exchange: '',
    asset_class: 'us_option',
    asset_marginable: true,
    qty: '1',
    qty_available: '1',
    avg_entry_price: '140',
    side: 'long',
    market_value: '14838',
    cost_basis: '14000',
    unrealized_pl: '838',
    unrealized_plpc: '0.06',
    unrealized_intraday_pl: '0',
    unrealized_intraday_plpc: '0',
    current_price: '148.38',
    lastday_price: '148.38',
    change_today: '0',
  };
}

function auditRecords(gw: Gateway): Json[] {
  return readFileSync(gw.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

describe('the trading halt', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });
  afterEach(async () => {
    // Every test leaves trading open.
    const res = await gw.anon().get(HALT).set(admin).expect(200);
    for (const h of res.body.data.halts as Array<{ scope: string }>)
      await gw.anon().delete(HALT).query({ scope: h.scope }).set(admin).expect(200);
  });

  const halt = (body: Json) => gw.anon().post(HALT).set(admin).send(body);
  const place = (body: object, key: string, who: Record<string, string> = trader) =>
    gw.anon().post('/api/v1/orders').set(who).set('Idempotency-Key', key).send(body);
  /** Order writes that reached "Alpaca": new orders, replacements, exercises. */
  const writesSent = () => gw.emulator.requests.filter((r) => r.method === 'POST' || r.method === 'PATCH');

  it('halt all: submit, replace, exercise and multi-leg orders get 423 with scope, reason and since; nothing reaches Alpaca', async () => {
    gw.emulator.fixtures.positions.push(optionPosition());
    const set = await halt({ scope: 'all', reason: 'runaway bot under review' }).expect(200);
    const since = set.body.data.halt.since as string;
    expect(set.body.data).toMatchObject({
      halt: { scope: 'all', reason: 'runaway bot under review', by: 'ops-admin' },
      replaced: null,
      store: 'file',
      propagation: 'none',
      cancel_open_orders: null,
    });
    expect(new Date(since).toISOString()).toBe(since);
    expect(set.body.metadata).toMatchObject({
      data_source: 'gateway_trading_halt',
      provider: 'gateway',
      provider_host: 'halt_store:file',
    });
    expect(set.headers['cache-control']).toBe('no-store');
    gw.emulator.clearRequests();

    const refusals = [
      await place(LIMIT_BUY, 'halted-submit'),
      await gw
        .anon()
        .patch(`/api/v1/orders/${OPEN_ID}`)
        .set(trader)
        .set('Idempotency-Key', 'halted-replace')
        .send({ qty: '3' }),
      await gw.anon().post(`/api/v1/positions/${CONTRACT}/exercise`).set(trader),
      await place(SPREAD, 'halted-spread'),
    ];
    for (const res of refusals) {
      const error = expectCatalogError(res, 423, 'TRADING_HALTED');
      expect(error['details']).toEqual({ scope: 'all', reason: 'runaway bot under review', since });
      expect(error['type']).toBe('order_rejected');
    }
    expect(writesSent()).toEqual([]);
    expect(gw.emulator.requests).toEqual([]);
    expect(gw.emulator.fixtures.positions.some((p) => p['symbol'] === CONTRACT)).toBe(true);
  });

  it('cancels, position closes and every read still work while halted', async () => {
    await halt({ scope: 'all', reason: 'closing out' }).expect(200);
    await gw.anon().get('/api/v1/account').set(trader).expect(200);
    await gw.anon().get('/api/v1/positions').set(trader).expect(200);
    await gw.anon().get('/api/v1/orders').set(trader).expect(200);
    await gw.anon().get(`/api/v1/orders/${OPEN_ID}`).set(trader).expect(200);
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set(trader).expect(200);
    const canceled = await gw.anon().delete(`/api/v1/orders/${OPEN_ID}`).set(trader).expect(200);
    expect(canceled.body.data).toEqual({ order_id: OPEN_ID, cancel_accepted: true });
    const closed = await gw.anon().delete('/api/v1/positions/AAPL').query({ qty: '1' }).set(trader).expect(200);
    expect(closed.body.data).toMatchObject({ symbol: 'AAPL', side: 'sell' });
    await gw.anon().delete('/api/v1/orders').query({ confirm: 'true' }).set(trader).expect(200);
    await gw.anon().delete('/api/v1/positions').query({ confirm: 'true' }).set(trader).expect(200);
    expect(gw.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        `DELETE /v2/orders/${OPEN_ID}`,
        'DELETE /v2/positions/AAPL',
        'DELETE /v2/orders',
        'DELETE /v2/positions',
      ]),
    );
  });

  it('resume: orders pass again; a scope not halted answers resumed false', async () => {
    await halt({ scope: 'all', reason: 'maintenance' }).expect(200);
    expectCatalogError(await place(LIMIT_BUY, 'before-resume'), 423, 'TRADING_HALTED');
    const resumed = await gw
      .anon()
      .delete(HALT)
      .query({ scope: 'all', reason: 'maintenance done' })
      .set(admin)
      .expect(200);
    expect(resumed.body.data).toMatchObject({
      resumed: true,
      halt: { scope: 'all', reason: 'maintenance' },
      halts: [],
    });
    // The refused key was released: the same key places the order now.
    const placed = await place(LIMIT_BUY, 'before-resume').expect(201);
    expect(placed.headers['idempotent-replayed']).toBe('false');
    expect(gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST')).toHaveLength(1);
    const again = await gw.anon().delete(HALT).query({ scope: 'all' }).set(admin).expect(200);
    expect(again.body.data).toMatchObject({ resumed: false, halt: null, halts: [] });
  });

  it('a halt of key:<id> covers that key (and tokens issued for it) only', async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const halted = store.create('halted-bot', ['trader']);
    const other = store.create('other-bot', ['trader']);
    const set = await halt({ scope: `key:${halted.record.id}`, reason: 'bot 1 misbehaves' }).expect(200);
    expect(set.body.data.halts).toEqual([expect.objectContaining({ scope: `key:${halted.record.id}` })]);

    const byKey = expectCatalogError(
      await place(LIMIT_BUY, 'key-halted', { 'X-API-Key': halted.key }),
      423,
      'TRADING_HALTED',
    );
    expect(byKey['details']).toMatchObject({ scope: `key:${halted.record.id}`, reason: 'bot 1 misbehaves' });
    const token = (await gw.anon().post('/api/v1/auth/token').set('X-API-Key', halted.key).expect(200)).body.data
      .access_token as string;
    expectCatalogError(
      await place(LIMIT_BUY, 'key-halted-token', { Authorization: `Bearer ${token}` }),
      423,
      'TRADING_HALTED',
    );

    await place(LIMIT_BUY, 'key-other', { 'X-API-Key': other.key }).expect(201);
    await place(LIMIT_BUY, 'key-jwt', trader).expect(201);
    expect(
      gw.emulator
        .requestsTo('/v2/orders', 'trading')
        .filter((r) => r.method === 'POST')
        .map((r) => (r.body as Json)['client_order_id']),
    ).toEqual(['key-other', 'key-jwt']);
  });

  it('only an admin may halt, list or resume: 403 naming trading:halt, nothing changed', async () => {
    for (const role of ['viewer', 'premium', 'trader']) {
      const who = { Authorization: `Bearer ${tokenFor([role])}` };
      for (const res of [
        await gw.anon().post(HALT).set(who).send({ scope: 'all', reason: 'not mine to say' }),
        await gw.anon().get(HALT).set(who),
        await gw.anon().delete(HALT).query({ scope: 'all' }).set(who),
      ]) {
        expect(expectCatalogError(res, 403, 'INSUFFICIENT_PERMISSIONS')['details']).toMatchObject({
          required_permission: 'trading:halt',
        });
      }
    }
    expect((await gw.anon().get(HALT).set(admin).expect(200)).body.data).toEqual({ halts: [], state: 'known' });
    await place(LIMIT_BUY, 'not-halted').expect(201);
  });

  it('refuses a bad scope, an empty reason and cancel_open_orders with a key scope, before anything changes', async () => {
    for (const body of [
      { scope: 'everyone', reason: 'x' },
      { scope: 'key:NOTHEX', reason: 'x' },
      { scope: 'all' },
      { scope: 'all', reason: '' },
      { scope: 'all', reason: 'x', cancel_open_orders: 'yes' },
      { scope: 'key:0123456789abcdef', reason: 'x', cancel_open_orders: true },
    ]) {
      expectCatalogError(await halt(body), 400, 'INVALID_PARAMETER');
    }
    expectCatalogError(await gw.anon().delete(HALT).query({ scope: 'any' }).set(admin), 400, 'INVALID_PARAMETER');
    expect((await gw.anon().get(HALT).set(admin).expect(200)).body.data.halts).toEqual([]);
    expect(gw.emulator.requests).toEqual([]);
  });

  it('halt and resume are audited with who and why; each refusal as order_refused (rule trading_halted), and counted', async () => {
    const metricsBefore = parseExposition((await gw.anon().get('/metrics').expect(200)).text);
    const set = await halt({ scope: 'all', reason: 'audit me' }).expect(200);
    const metricsHalted = parseExposition((await gw.anon().get('/metrics').expect(200)).text);
    expect(valueOf(metricsHalted, 'opitios_trading_halts_active', { kind: 'all' })).toBe(1);
    expectCatalogError(await place(LIMIT_BUY, 'audited-refusal'), 423, 'TRADING_HALTED');
    await gw.anon().delete(HALT).query({ scope: 'all', reason: 'review finished' }).set(admin).expect(200);

    await eventually(() =>
      expect(
        auditRecords(gw).some((r) => r['action'] === 'order_refused' && r['resource'] === 'order:audited-refusal'),
      ).toBe(true),
    );
    const records = auditRecords(gw);
    const halted = records.find(
      (r) => r['action'] === 'trading_halted' && (r['details'] as Json)['reason'] === 'audit me',
    );
    expect(halted).toMatchObject({
      actor: { sub: 'ops-admin', roles: ['admin'] },
      resource: 'trading_halt:all',
      outcome: 'halted',
      details: { scope: 'all', reason: 'audit me', since: set.body.data.halt.since, cancel_open_orders: false },
    });
    const refused = records.find((r) => r['action'] === 'order_refused' && r['resource'] === 'order:audited-refusal');
    expect(refused).toMatchObject({
      actor: { sub: 'halt-trader' },
      outcome: 'TRADING_HALTED',
      details: {
        rule: 'trading_halted',
        operation: 'submit',
        scope: 'all',
        reason: 'audit me',
        since: set.body.data.halt.since,
      },
    });
    expect(records.some((r) => r['action'] === 'order_requested' && r['resource'] === 'order:audited-refusal')).toBe(
      false,
    );
    const resumed = records.find(
      (r) => r['action'] === 'trading_resumed' && (r['details'] as Json)['reason'] === 'review finished',
    );
    expect(resumed).toMatchObject({
      actor: { sub: 'ops-admin' },
      resource: 'trading_halt:all',
      outcome: 'resumed',
      details: { scope: 'all', reason: 'review finished', halt: { scope: 'all', reason: 'audit me', by: 'ops-admin' } },
    });
    // The audit route finds them too, and the chain still verifies.
    const page = await gw.anon().get('/api/v1/audit/events').query({ action: 'trading_halted' }).set(admin).expect(200);
    expect(page.body.data.events.length).toBeGreaterThan(0);
    expect((await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200)).body.data.ok).toBe(true);

    const metricsAfter = parseExposition((await gw.anon().get('/metrics').expect(200)).text);
    const refusedCount = (e: typeof metricsAfter): number =>
      valueOf(e, 'opitios_trading_halt_refusals_total', { operation: 'submit' });
    expect(refusedCount(metricsAfter) - refusedCount(metricsBefore)).toBe(1);
    expect(valueOf(metricsAfter, 'opitios_trading_halts_active', { kind: 'all' })).toBe(0);
  });

  it('cancel_open_orders cancels every open order through the cancel-all path and reports each outcome', async () => {
    const res = await halt({ scope: 'all', reason: 'flatten the book', cancel_open_orders: true }).expect(200);
    expect(gw.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /v2/orders']);
    const outcome = res.body.data.cancel_open_orders as { outcomes: Array<Json>; error: unknown };
    expect(outcome.error).toBeNull();
    expect(outcome.outcomes.length).toBeGreaterThan(0);
    expect(outcome.outcomes).toContainEqual({ id: OPEN_ID, status: 200, body: null, accepted: true });
    expect(gw.emulator.fixtures.orders.find((o) => o['id'] === OPEN_ID)?.['status']).toBe('canceled');
    expect(res.body.metadata.upstream_request_ids).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    // The halt was in force first, and the cancel-all was audited as the admin's.
    const records = auditRecords(gw);
    const at = (action: string): number =>
      records.findIndex((r) => r['action'] === action && (r['actor'] as Json)['sub'] === 'ops-admin');
    expect(at('trading_halted')).toBeGreaterThanOrEqual(0);
    expect(at('trading_halted')).toBeLessThan(at('orders_cancel_all_requested'));
    expect(records[at('orders_cancel_all_outcome')]).toMatchObject({ outcome: 'all_accepted' });
  });

  it('cancel_open_orders that fails upstream: the halt stays in force and the answer says why', async () => {
    gw.emulator.injectFault({ method: 'DELETE', path: '/v2/orders', kind: 'status', status: 500, times: 1 });
    const res = await halt({ scope: 'all', reason: 'flatten', cancel_open_orders: true }).expect(200);
    expect(res.body.data.cancel_open_orders).toMatchObject({
      outcomes: null,
      error: { code: expect.stringMatching(/^UPSTREAM_/) },
    });
    expectCatalogError(await place(LIMIT_BUY, 'still-halted'), 423, 'TRADING_HALTED');
  });

  it('a repeat of an Idempotency-Key answered before the halt returns its order (nothing sent); a new key is refused', async () => {
    const first = await place(LIMIT_BUY, 'answered-before').expect(201);
    const replaced = await gw
      .anon()
      .patch(`/api/v1/orders/${OPEN_ID}`)
      .set(trader)
      .set('Idempotency-Key', 'replaced-before')
      .send({ qty: '3' })
      .expect(200);
    await halt({ scope: 'all', reason: 'halt after answers' }).expect(200);
    gw.emulator.clearRequests();

    const again = await place(LIMIT_BUY, 'answered-before').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    const replacedAgain = await gw
      .anon()
      .patch(`/api/v1/orders/${OPEN_ID}`)
      .set(trader)
      .set('Idempotency-Key', 'replaced-before')
      .send({ qty: '3' })
      .expect(200);
    expect(replacedAgain.headers['idempotent-replayed']).toBe('true');
    expect(replacedAgain.body.data.id).toBe(replaced.body.data.id);
    expectCatalogError(await place(LIMIT_BUY, 'new-after-halt'), 423, 'TRADING_HALTED');
    // Reads of the known orders only: no order was sent.
    expect(writesSent()).toEqual([]);
    expect(gw.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it("through the Alpaca-compatible face: POST and PATCH /v2/orders → 423 in Alpaca's body, X-Error-Code TRADING_HALTED", async () => {
    const { key, record } = new ApiKeyStore(gw.apiKeysFile).create('face-bot', ['trader']);
    await halt({ scope: `key:${record.id}`, reason: 'face bot paused' }).expect(200);
    const as = (req: request.Test): request.Test =>
      req.set('APCA-API-KEY-ID', record.id).set('APCA-API-SECRET-KEY', key);
    const posted = await as(gw.anon().post('/v2/orders')).send({ ...LIMIT_BUY, client_order_id: 'face-halted' });
    expect(posted.status).toBe(423);
    expect(posted.body).toEqual({ code: 42310000, message: 'Trading is halted for this API key: face bot paused' });
    expect(posted.headers['x-error-code']).toBe('TRADING_HALTED');
    const patched = await as(gw.anon().patch(`/v2/orders/${OPEN_ID}`)).send({ qty: '3' });
    expect(patched.status).toBe(423);
    expect(patched.body).toMatchObject({ code: 42310000 });
    expect(writesSent()).toEqual([]);
    // Reads and cancels on the face still work.
    await as(gw.anon().get('/v2/orders')).expect(200);
    await as(gw.anon().delete(`/v2/orders/${OPEN_ID}`)).expect(204);
  });

  it('Swagger documents the admin routes and 423 TRADING_HALTED on every order write', async () => {
    type Op = {
      tags?: string[];
      responses: Record<string, { content?: Record<string, { examples?: Record<string, unknown> }> }>;
    };
    const doc = (await gw.anon().get('/docs-json').set(admin).expect(200)).body as {
      paths: Record<string, Record<string, Op>>;
    };
    const halts = doc.paths[HALT] ?? {};
    expect(Object.keys(halts).sort()).toEqual(['delete', 'get', 'post']);
    for (const op of Object.values(halts)) {
      expect(op.tags).toEqual(['admin']);
      expect(Object.keys(op.responses['403']?.content?.['application/json']?.examples ?? {})).toContain(
        'INSUFFICIENT_PERMISSIONS',
      );
    }
    for (const [path, method] of [
      ['/api/v1/orders', 'post'],
      ['/api/v1/orders/{id}', 'patch'],
      ['/api/v1/positions/{contract}/exercise', 'post'],
    ] as const) {
      expect({
        path,
        examples: Object.keys(
          doc.paths[path]?.[method]?.responses['423']?.content?.['application/json']?.examples ?? {},
        ),
      }).toEqual({ path, examples: ['TRADING_HALTED'] });
    }
  });

  it('lists every halt in force, all first, with since and by', async () => {
    const { record } = new ApiKeyStore(gw.apiKeysFile).create('listed-bot', ['trader']);
    await halt({ scope: `key:${record.id}`, reason: 'one key' }).expect(200);
    await halt({ scope: 'all', reason: 'everyone' }).expect(200);
    const res = await gw.anon().get(HALT).set(admin).expect(200);
    expect(res.body.data).toEqual({
      state: 'known',
      halts: [
        { scope: 'all', reason: 'everyone', since: expect.any(String), by: 'ops-admin' },
        { scope: `key:${record.id}`, reason: 'one key', since: expect.any(String), by: 'ops-admin' },
      ],
    });
    // Halting a halted scope again replaces it and says which it replaced.
    const again = await halt({ scope: 'all', reason: 'everyone, still' }).expect(200);
    expect(again.body.data.replaced).toMatchObject({ scope: 'all', reason: 'everyone' });
    // Ending `all` leaves the key's halt in force.
    await gw.anon().delete(HALT).query({ scope: 'all' }).set(admin).expect(200);
    expect((await gw.anon().get(HALT).set(admin).expect(200)).body.data.halts.map((h: Json) => h['scope'])).toEqual([
      `key:${record.id}`,
    ]);
  });
});

describe('the trading halt survives a restart (JSONL mode: a file beside the audit trail)', () => {
  it('halted before the restart, still halted after it; resumed, it stays resumed', async () => {
    const first = await startGateway();
    let second: Gateway | undefined;
    let third: Gateway | undefined;
    try {
      await first.anon().post(HALT).set(admin).send({ scope: 'all', reason: 'over the weekend' }).expect(200);
      const file = join(dirname(first.auditFile), 'trading-halts.json');
      expect(existsSync(file)).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
        version: 1,
        halts: [{ scope: 'all', reason: 'over the weekend', by: 'ops-admin' }],
      });
      await first.shutdown();

      second = await startGateway({ AUDIT_LOG_PATH: first.auditFile });
      expect((await second.anon().get(HALT).set(admin).expect(200)).body.data.halts).toEqual([
        expect.objectContaining({ scope: 'all', reason: 'over the weekend' }),
      ]);
      expectCatalogError(await second.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY), 423, 'TRADING_HALTED');
      expect(second.emulator.requests).toEqual([]);
      await second.anon().delete(HALT).query({ scope: 'all', reason: 'monday' }).set(admin).expect(200);
      await second.shutdown();

      third = await startGateway({ AUDIT_LOG_PATH: first.auditFile });
      expect((await third.anon().get(HALT).set(admin).expect(200)).body.data.halts).toEqual([]);
      await third.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY).expect(201);
    } finally {
      await third?.close();
      await second?.close();
      await first.close();
    }
  });

  it('a halt file that cannot be read: every order is refused (the state is unknown), reads still work', async () => {
    const first = await startGateway();
    const file = join(dirname(first.auditFile), 'trading-halts.json');
    await first.shutdown();
    writeFileSync(file, '{"version": "torn');
    const second = await startGateway({ AUDIT_LOG_PATH: first.auditFile });
    try {
      const list = await second.anon().get(HALT).set(admin).expect(200);
      expect(list.body.data).toEqual({ halts: [], state: 'unknown' });
      const error = expectCatalogError(
        await second.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY),
        423,
        'TRADING_HALTED',
      );
      expect(error['details']).toMatchObject({ scope: 'all', state: 'unknown' });
      await second.anon().get('/api/v1/orders').set(trader).expect(200);
      expect(second.logs.some((l) => l['message'] === 'trading_halt_state_unavailable')).toBe(true);
      expect(second.emulator.requests.every((r) => r.method === 'GET')).toBe(true);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
