import { startGateway, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'replacer' })}` };
const OPEN_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const FILLED_ID = '61e69015-8549-4bfd-b9c3-01e75843f47d';
const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };

beforeAll(async () => {
  // A lost answer is a timeout: short, so the test does not wait Alpaca's default five seconds.
  gw = await startGateway({ ALPACA_REQUEST_TIMEOUT_MS: '300' });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

const patches = () => gw.emulator.requests.filter((r) => r.method === 'PATCH');
const order = (id: unknown) => gw.emulator.fixtures.orders.find((o) => o['id'] === id);

function patch(id: string, body: object, key?: string) {
  const req = gw.anon().patch(`/api/v1/orders/${id}`).set(trader);
  return key === undefined ? req.send(body) : req.set('Idempotency-Key', key).send(body);
}

describe('PATCH /orders/{id}', () => {
  it('replaces an open order once: the new order replaces the old, which Alpaca marks replaced', async () => {
    const res = await patch(OPEN_ID, { qty: '4', limit_price: '155', time_in_force: 'day' }, 'rep-1').expect(200);
    expect(res.headers['idempotency-key']).toBe('rep-1');
    expect(res.headers['idempotent-replayed']).toBe('false');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-data-source']).toBe('alpaca_trading');
    expect(res.body.data).toMatchObject({
      client_order_id: 'rep-1',
      replaces: OPEN_ID,
      qty: '4',
      limit_price: '155',
      time_in_force: 'day',
      symbol: 'AAPL',
    });
    expect(res.body.metadata).toMatchObject({
      data_source: 'alpaca_trading',
      cache: { status: 'BYPASS', age_seconds: 0 },
    });
    expect(res.body.metadata.upstream_request_ids).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    // Exactly the fields given, the key as the new order's client_order_id.
    expect(patches().map((r) => ({ path: r.path, body: r.body }))).toEqual([
      {
        path: `/v2/orders/${OPEN_ID}`,
        body: { qty: '4', limit_price: '155', time_in_force: 'day', client_order_id: 'rep-1' },
      },
    ]);
    expect(order(OPEN_ID)).toMatchObject({ status: 'replaced', replaced_by: res.body.data.id });
    expect(gw.emulator.orderEvents.emitted.map((e) => e.event)).toEqual(['pending_replace', 'replaced', 'new']);
  });

  it('a dropped answer is reconciled from Alpaca, never sent twice; a repeat replays; another body under the key is 409', async () => {
    gw.emulator.injectFault({ method: 'PATCH', path: `/v2/orders/${OPEN_ID}`, kind: 'accept-then-hang', times: 1 });
    const first = await patch(OPEN_ID, { limit_price: '151.5' }, 'rep-lost').expect(200);
    const replacement = gw.emulator.fixtures.orders.find((o) => o['client_order_id'] === 'rep-lost');
    expect(first.body.data).toMatchObject({ id: replacement?.['id'], replaces: OPEN_ID, limit_price: '151.5' });
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(patches()).toHaveLength(1);
    expect(gw.emulator.requestsTo('/v2/orders:by_client_order_id').map((r) => r.query)).toEqual([
      { client_order_id: 'rep-lost' },
    ]);

    const again = await patch(OPEN_ID, { limit_price: '151.50' }, 'rep-lost').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(patches()).toHaveLength(1);

    const other = await patch(OPEN_ID, { limit_price: '152' }, 'rep-lost');
    expect(expectCatalogError(other, 409, 'IDEMPOTENCY_CONFLICT')['details']).toMatchObject({
      client_order_id: 'rep-lost',
      existing_order_id: first.body.data.id,
    });
    expect(patches()).toHaveLength(1);
    expect(gw.emulator.fixtures.orders.filter((o) => o['replaces'] === OPEN_ID)).toHaveLength(1);
  });

  it('a lost answer when Alpaca did not replace → 503 order_replaced=false; the same key then replaces it once', async () => {
    gw.emulator.injectFault({ method: 'PATCH', path: `/v2/orders/${OPEN_ID}`, kind: 'hang', times: 1 });
    const res = await patch(OPEN_ID, { qty: '3' }, 'rep-none');
    expect(expectCatalogError(res, 503, 'UPSTREAM_API_UNAVAILABLE')['details']).toMatchObject({
      order_replaced: false,
      order_id: OPEN_ID,
      client_order_id: 'rep-none',
    });
    expect(order(OPEN_ID)).toMatchObject({ status: 'new', replaced_by: null });
    await patch(OPEN_ID, { qty: '3' }, 'rep-none').expect(200);
    expect(patches()).toHaveLength(2);
    expect(gw.emulator.fixtures.orders.filter((o) => o['replaces'] === OPEN_ID)).toHaveLength(1);
  });

  it('a lost answer that cannot be looked up → 504 ORDER_OUTCOME_UNKNOWN', async () => {
    gw.emulator.injectFault({ method: 'PATCH', kind: 'hang', times: 1 });
    gw.emulator.injectFault({ method: 'GET', kind: 'status', status: 503 });
    const res = await patch(OPEN_ID, { qty: '3' }, 'rep-unknown');
    expect(expectCatalogError(res, 504, 'ORDER_OUTCOME_UNKNOWN')['details']).toMatchObject({
      order_id: OPEN_ID,
      client_order_id: 'rep-unknown',
    });
    expect(patches()).toHaveLength(1);
  });

  it('a repeat that reaches Alpaca (another instance) is resolved from what Alpaca holds under the key', async () => {
    const other = await startGateway({}, {}, gw.emulator);
    try {
      const first = await patch(OPEN_ID, { qty: '5' }, 'rep-cross').expect(200);
      const res = await other
        .anon()
        .patch(`/api/v1/orders/${OPEN_ID}`)
        .set(trader)
        .set('Idempotency-Key', 'rep-cross')
        .send({ qty: '5' })
        .expect(200);
      expect(res.headers['idempotent-replayed']).toBe('true');
      expect(res.body.data.id).toBe(first.body.data.id);
      expectCatalogError(
        await other
          .anon()
          .patch(`/api/v1/orders/${OPEN_ID}`)
          .set(trader)
          .set('Idempotency-Key', 'rep-cross')
          .send({ qty: '6' }),
        409,
        'IDEMPOTENCY_CONFLICT',
      );
      expect(gw.emulator.fixtures.orders.filter((o) => o['replaces'] === OPEN_ID)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('Alpaca refuses a closed order → 422 ORDER_REJECTED with its message; unknown → 404 ORDER_NOT_FOUND', async () => {
    const res = await patch(FILLED_ID, { qty: '4' }, 'rep-closed');
    expect(expectCatalogError(res, 422, 'ORDER_REJECTED')['details']).toMatchObject({
      upstream_status: 422,
      upstream_message: 'order is not replaceable (status filled)',
    });
    expectCatalogError(
      await patch('00000000-0000-4000-8000-000000000000', { qty: '4' }, 'rep-404'),
      404,
      'ORDER_NOT_FOUND',
    );
    expect(patches()).toHaveLength(2);
  });

  it.each([
    ['nothing to change', {}, 'body'],
    ['fractional qty', { qty: '1.5' }, 'qty'],
    ['sub-penny limit', { limit_price: '150.123' }, 'limit_price'],
    ['zero trail', { trail: '0' }, 'trail'],
    ['a number', { qty: 4 }, 'qty'],
    ['unknown time_in_force', { qty: '4', time_in_force: 'gtd' }, 'time_in_force'],
    ['an unknown field', { qty: '4', notional: '100' }, 'notional'],
  ])('%s → 400 naming the field, nothing sent', async (_label, body, field) => {
    const error = expectCatalogError(await patch(OPEN_ID, body, 'rep-bad'), 400, 'INVALID_PARAMETER');
    expect((error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toContain(field);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a bad order id or Idempotency-Key → 400, nothing sent', async () => {
    expectCatalogError(await patch('not-a-uuid', { qty: '4' }), 400, 'INVALID_PARAMETER');
    expectCatalogError(await patch(OPEN_ID, { qty: '4' }, 'has spaces'), 400, 'INVALID_PARAMETER');
    expect(gw.emulator.requests).toHaveLength(0);
  });
});

describe('DELETE /orders (cancel all)', () => {
  it('three open orders and one Alpaca refuses to cancel: the outcome of each, as Alpaca reported it', async () => {
    const ids: string[] = [OPEN_ID];
    for (const key of ['ca-1', 'ca-2']) {
      ids.push(
        (await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(LIMIT_BUY).expect(201))
          .body.data.id as string,
      );
    }
    // A fourth whose cancel is already pending: Alpaca cannot cancel it again.
    const pending = (
      await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', 'ca-3').send(LIMIT_BUY).expect(201)
    ).body.data.id as string;
    const stuck = order(pending);
    if (stuck === undefined) throw new Error('the emulator lost the order');
    stuck['status'] = 'pending_cancel';
    gw.emulator.clearRequests();
    gw.emulator.orderEvents.reset();

    const res = await gw.anon().delete('/api/v1/orders?confirm=true').set(trader).expect(200);
    const byId = new Map((res.body.data as Array<{ id: string }>).map((e) => [e.id, e]));
    expect(byId.size).toBe(4);
    for (const id of ids) expect(byId.get(id)).toEqual({ id, status: 200, body: null, accepted: true });
    expect(byId.get(pending)).toEqual({
      id: pending,
      status: 500,
      body: { code: 50010000, message: 'order is not cancelable' },
      accepted: false,
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject({
      data_source: 'alpaca_trading',
      upstream_request_ids: [expect.stringMatching(/^[0-9a-f]{32}$/)],
    });
    expect(gw.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /v2/orders']);
    for (const id of ids) expect(order(id)?.['status']).toBe('canceled');
    expect(order(pending)?.['status']).toBe('pending_cancel');
    expect(gw.emulator.orderEvents.emitted.map((e) => [e.event, e.order['id']])).toEqual(
      ids.map((id) => ['canceled', id]),
    );
  });

  it('nothing open: an empty list', async () => {
    await gw.anon().delete('/api/v1/orders?confirm=true').set(trader).expect(200);
    const res = await gw.anon().delete('/api/v1/orders?confirm=true').set(trader).expect(200);
    expect(res.body.data).toEqual([]);
  });
});
