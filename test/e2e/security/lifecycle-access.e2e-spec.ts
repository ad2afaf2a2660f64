import { startGateway, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

let gw: Gateway;
const as = (role: string) => ({ Authorization: `Bearer ${tokenFor([role], { sub: `${role}-lifecycle` })}` });
const OPEN_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const CONTRACT = 'AAPL250620C00100000';

type Method = 'get' | 'patch' | 'delete' | 'post';
const WRITES: Array<[Method, string, object?]> = [
  ['patch', `/api/v1/orders/${OPEN_ID}`, { qty: '3' }],
  ['delete', '/api/v1/orders?confirm=true'],
  ['delete', '/api/v1/positions/AAPL?qty=1'],
  ['delete', '/api/v1/positions?cancel_orders=false&confirm=true'],
  ['post', `/api/v1/positions/${CONTRACT}/exercise`],
];
const READS: Array<[Method, string]> = [
  ['get', '/api/v1/account/activities'],
  ['get', '/api/v1/account/portfolio-history?period=1W'],
];

beforeAll(async () => {
  gw = await startGateway();
});
afterAll(async () => {
  await gw.close();
});

function send(method: Method, path: string, role: string, body?: object) {
  const req = gw.anon()[method](path).set(as(role)).set('Idempotency-Key', `acc-${role}`);
  return body === undefined ? req : req.send(body);
}

describe('roles on the lifecycle routes', () => {
  it.each(['viewer', 'premium'])('%s → 403 on every new route, nothing reaches Alpaca', async (role) => {
    gw.emulator.clearRequests();
    for (const [method, path, body] of [...WRITES, ...READS]) {
      const error = expectCatalogError(await send(method, path, role, body), 403, 'INSUFFICIENT_PERMISSIONS');
      expect({ path, required: (error['details'] as { required_permission: string }).required_permission }).toEqual({
        path,
        required: WRITES.some(([, p]) => p === path) ? 'trading:write' : 'trading:read',
      });
    }
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('admin may read but never write', async () => {
    gw.emulator.clearRequests();
    for (const [method, path, body] of WRITES) {
      const error = expectCatalogError(await send(method, path, 'admin', body), 403, 'INSUFFICIENT_PERMISSIONS');
      expect(error['details']).toMatchObject({ required_permission: 'trading:write' });
    }
    expect(gw.emulator.requests).toHaveLength(0);
    for (const [method, path] of READS) await send(method, path, 'admin').expect(200);
  });
});

describe('every write is audited: requested before, outcome after, with principal and request id', () => {
  it('replace, cancel-all, close, close-all and exercise; the chain verifies', async () => {
    gw.emulator.fixtures.positions.push({
      symbol: CONTRACT,
      asset_id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
      asset_class: 'us_option',
      qty: '1',
      qty_available: '1',
      side: 'long',
      current_price: '148.38',
    });
    const answers: Array<{ requestId: string; requested: string; outcome: string; expected: string }> = [];
    const run = async (method: Method, path: string, op: string, expected: string, body?: object): Promise<void> => {
      const res = await send(method, path, 'trader', body);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      answers.push({
        requestId: String(res.headers['x-request-id']),
        requested: `${op}_requested`,
        outcome: `${op}_outcome`,
        expected,
      });
    };
    await run('patch', `/api/v1/orders/${OPEN_ID}`, 'order_replace', 'replaced', { qty: '3' });
    await run('post', `/api/v1/positions/${CONTRACT}/exercise`, 'option_exercise', 'submitted');
    await run('delete', '/api/v1/positions/AAPL?qty=1', 'position_close', 'order_created');
    await run('delete', '/api/v1/orders?confirm=true', 'orders_cancel_all', 'all_accepted');
    await run('delete', '/api/v1/positions?cancel_orders=false&confirm=true', 'positions_close_all', 'all_accepted');

    const events = (await gw.anon().get('/api/v1/audit/events').query({ limit: '500' }).set(as('admin')).expect(200))
      .body.data.events as Array<Record<string, unknown>>;
    for (const a of answers) {
      const mine = events.filter((e) => e['request_id'] === a.requestId);
      expect(mine.map((e) => [e['action'], e['outcome']])).toEqual([
        [a.requested, 'pending'],
        [a.outcome, a.expected],
      ]);
      for (const e of mine) expect(e['actor']).toMatchObject({ sub: 'trader-lifecycle', roles: ['trader'] });
    }
    const verify = await gw.anon().get('/api/v1/audit/verify').set(as('admin')).expect(200);
    expect(verify.body.data).toMatchObject({ ok: true, first_broken: null });
    expect(verify.body.data.records_checked).toBeGreaterThanOrEqual(answers.length * 2);
  });

  it('a refusal is audited as the outcome too', async () => {
    const res = await send('delete', '/api/v1/positions/TSLA', 'trader');
    expectCatalogError(res, 404, 'POSITION_NOT_FOUND');
    const events = (
      await gw
        .anon()
        .get('/api/v1/audit/events')
        .query({ action: 'position_close_outcome', limit: '500' })
        .set(as('admin'))
        .expect(200)
    ).body.data.events as Array<Record<string, unknown>>;
    expect(events.filter((e) => e['request_id'] === res.headers['x-request-id']).map((e) => e['outcome'])).toEqual([
      'POSITION_NOT_FOUND',
    ]);
  });
});
