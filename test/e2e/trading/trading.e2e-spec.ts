import { startGateway, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

let gw: Gateway;
const trader = () => ({ Authorization: `Bearer ${tokenFor(['trader'], { sub: 'trader-1' })}` });
const admin = () => ({ Authorization: `Bearer ${tokenFor(['admin'], { sub: 'admin-1' })}` });

const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };

beforeAll(async () => {
  gw = await startGateway({ ALPACA_REQUEST_TIMEOUT_MS: '300' });
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

function ordersPosted() {
  return gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST');
}

/** The emulator sends a fresh 32-hex X-Request-ID on every answer. */
const EMULATOR_REQUEST_ID = /^[0-9a-f]{32}$/;

/**
 * The X-Request-IDs the gateway received on its calls to this trading endpoint (after log line
 * `since`), as its call log recorded them: what metadata.upstream_request_ids must repeat.
 */
function upstreamIdsLogged(g: Gateway, since: number, endpoint: string, status: number): unknown[] {
  return g.logs
    .slice(since)
    .filter(
      (l) =>
        l['message'] === 'upstream_call' &&
        l['api'] === 'trading' &&
        l['endpoint'] === endpoint &&
        l['status'] === status,
    )
    .map((l) => l['upstream_request_id']);
}

/** What every trading answer's metadata says about where it came from (the emulator stands in for Alpaca). */
function tradingProvenance() {
  return {
    data_source: 'alpaca_trading',
    provider: 'non_alpaca_host',
    provider_host: new URL(gw.emulator.tradingUrl).host,
    trading_mode: 'non_alpaca_host',
    feed: null,
    market_status: null,
    cache: { status: 'BYPASS', age_seconds: 0 },
  };
}

describe('trading reads', () => {
  it("GET /account: Alpaca's account, decimals as strings, never cached, trading mode stated", async () => {
    const since = gw.logs.length;
    const res = await gw.anon().get('/api/v1/account').set(trader()).expect(200);
    const wire = gw.emulator.fixtures.account;
    expect(res.body.data.id).toBe(wire['id']);
    expect(res.body.data.cash).toBe(wire['cash']);
    expect(typeof res.body.data.buying_power).toBe('string');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject(tradingProvenance());
    expect(res.body.metadata.upstream_request_ids).toEqual(upstreamIdsLogged(gw, since, '/v2/account', 200));
    expect(res.body.metadata.upstream_request_ids).toEqual([expect.stringMatching(EMULATOR_REQUEST_ID)]);
  });

  it('GET /positions and /positions/{symbol}; unknown position → 404 POSITION_NOT_FOUND', async () => {
    const list = await gw.anon().get('/api/v1/positions').set(trader()).expect(200);
    expect(list.body.data.map((p: { symbol: string }) => p.symbol)).toEqual(
      gw.emulator.fixtures.positions.map((p) => p['symbol']),
    );
    expect(list.body.metadata).toMatchObject(tradingProvenance());
    expect(list.headers['cache-control']).toBe('no-store');
    const one = await gw.anon().get('/api/v1/positions/aapl').set(trader()).expect(200);
    expect(one.body.data.qty).toBe('2');
    expect(one.body.metadata).toMatchObject(tradingProvenance());
    expectCatalogError(await gw.anon().get('/api/v1/positions/ZZZZ').set(trader()), 404, 'POSITION_NOT_FOUND');
  });

  it('GET /orders passes the filters through; GET /orders/{id}; unknown → 404 ORDER_NOT_FOUND', async () => {
    await gw
      .anon()
      .get('/api/v1/orders')
      .query({
        status: 'all',
        limit: '10',
        direction: 'asc',
        symbols: 'aapl,msft',
        after: '2023-01-01',
        until: '2024-01-01',
      })
      .set(trader())
      .expect(200);
    expect(gw.emulator.requestsTo('/v2/orders', 'trading')[0]?.query).toEqual({
      status: 'all',
      limit: '10',
      direction: 'asc',
      symbols: 'AAPL,MSFT',
      after: '2023-01-01',
      until: '2024-01-01',
    });
    const id = String(gw.emulator.fixtures.orders[0]?.['id']);
    const one = await gw.anon().get(`/api/v1/orders/${id}`).set(admin()).expect(200);
    expect(one.body.data.id).toBe(id);
    expect(one.body.metadata).toMatchObject(tradingProvenance());
    expect(one.headers['cache-control']).toBe('no-store');
    expectCatalogError(
      await gw.anon().get('/api/v1/orders/00000000-0000-4000-8000-000000000000').set(trader()),
      404,
      'ORDER_NOT_FOUND',
    );
    expectCatalogError(await gw.anon().get('/api/v1/orders/not-a-uuid').set(trader()), 400, 'INVALID_PARAMETER');
  });

  it.each([
    [{ limit: '0' }],
    [{ limit: '501' }],
    [{ status: 'pending' }],
    [{ direction: 'up' }],
    [{ symbols: 'AAPL;DROP' }],
  ])('refuses orders query %j before any upstream call', async (q) => {
    expectCatalogError(await gw.anon().get('/api/v1/orders').query(q).set(trader()), 400, 'INVALID_PARAMETER');
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('roles: premium cannot read or trade; admin may read but not trade', async () => {
    const premium = { Authorization: `Bearer ${tokenFor(['premium'])}` };
    expectCatalogError(await gw.anon().get('/api/v1/account').set(premium), 403, 'INSUFFICIENT_PERMISSIONS');
    expectCatalogError(
      await gw.anon().post('/api/v1/orders').set(premium).send(LIMIT_BUY),
      403,
      'INSUFFICIENT_PERMISSIONS',
    );
    await gw.anon().get('/api/v1/account').set(admin()).expect(200);
    const res = await gw.anon().post('/api/v1/orders').set(admin()).send(LIMIT_BUY);
    expect(expectCatalogError(res, 403, 'INSUFFICIENT_PERMISSIONS')['details']).toMatchObject({
      required_permission: 'trading:write',
    });
    expect(ordersPosted()).toHaveLength(0);
  });
});

describe('POST /orders validation (nothing reaches Alpaca)', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['qty and notional', { ...LIMIT_BUY, notional: '100' }, 'notional'],
    ['neither qty nor notional', { symbol: 'AAPL', side: 'buy', type: 'market', time_in_force: 'day' }, 'qty'],
    ['limit without limit_price', { ...LIMIT_BUY, limit_price: undefined }, 'limit_price'],
    ['stop without stop_price', { ...LIMIT_BUY, type: 'stop', limit_price: undefined }, 'stop_price'],
    ['stop_limit without stop_price', { ...LIMIT_BUY, type: 'stop_limit' }, 'stop_price'],
    ['market with a limit_price', { ...LIMIT_BUY, type: 'market' }, 'limit_price'],
    [
      'trailing_stop with both trails',
      { ...LIMIT_BUY, type: 'trailing_stop', limit_price: undefined, trail_price: '1', trail_percent: '1' },
      'trail_price',
    ],
    ['trailing_stop with no trail', { ...LIMIT_BUY, type: 'trailing_stop', limit_price: undefined }, 'trail_price'],
    ['unknown time_in_force', { ...LIMIT_BUY, time_in_force: 'gtd' }, 'time_in_force'],
    ['qty as a number', { ...LIMIT_BUY, qty: 2 }, 'qty'],
    ['negative qty', { ...LIMIT_BUY, qty: '-2' }, 'qty'],
    ['zero qty', { ...LIMIT_BUY, qty: '0' }, 'qty'],
    ['exponent qty', { ...LIMIT_BUY, qty: '1e3' }, 'qty'],
    ['sub-penny limit at $150', { ...LIMIT_BUY, limit_price: '150.123' }, 'limit_price'],
    ['five places under $1', { ...LIMIT_BUY, limit_price: '0.12345' }, 'limit_price'],
    ['fractional qty on a limit order', { ...LIMIT_BUY, qty: '0.5' }, 'qty'],
    ['notional on a limit order', { ...LIMIT_BUY, qty: undefined, notional: '100' }, 'notional'],
    [
      'extended hours on a market order',
      { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', extended_hours: true },
      'extended_hours',
    ],
    ['bracket without legs', { ...LIMIT_BUY, order_class: 'bracket' }, 'order_class'],
    ['bad symbol', { ...LIMIT_BUY, symbol: 'aapl; rm' }, 'symbol'],
    ['unknown field', { ...LIMIT_BUY, leverage: '10' }, 'leverage'],
    ['bad client_order_id', { ...LIMIT_BUY, client_order_id: 'has spaces' }, 'client_order_id'],
  ];

  it.each(cases)('%s → 400 naming the field', async (_label, body, field) => {
    const res = await gw.anon().post('/api/v1/orders').set(trader()).send(body);
    const error = expectCatalogError(res, 400, 'INVALID_PARAMETER');
    expect((error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toContain(field);
    expect(ordersPosted()).toHaveLength(0);
  });

  it('accepts valid shapes and sends them exactly, ioc kept as ioc', async () => {
    const bodies = [
      { symbol: 'AAPL', notional: '100.25', side: 'buy', type: 'market', time_in_force: 'day' },
      { symbol: 'AAPL', qty: '0.125', side: 'buy', type: 'market', time_in_force: 'day' },
      {
        symbol: 'AAPL',
        qty: '1',
        side: 'sell',
        type: 'stop_limit',
        stop_price: '140',
        limit_price: '139.5',
        time_in_force: 'ioc',
      },
      { symbol: 'AAPL', qty: '1', side: 'sell', type: 'trailing_stop', trail_percent: '2.5', time_in_force: 'gtc' },
      { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '0.1234', time_in_force: 'fok' },
      {
        symbol: 'AAPL',
        qty: '1',
        side: 'buy',
        type: 'limit',
        limit_price: '150',
        time_in_force: 'day',
        order_class: 'bracket',
        take_profit: { limit_price: '170' },
        stop_loss: { stop_price: '140' },
      },
    ];
    for (const [i, body] of bodies.entries()) {
      const res = await gw.anon().post('/api/v1/orders').set(trader()).set('Idempotency-Key', `valid-${i}`).send(body);
      expect(res.status).toBe(201);
      const sent = ordersPosted()[i]?.body as Record<string, unknown>;
      expect(sent).toEqual({ ...body, client_order_id: `valid-${i}` });
    }
  });
});

describe('idempotent submission', () => {
  it('the key becomes client_order_id; a repeat returns the original order, not a second one', async () => {
    const since = gw.logs.length;
    const first = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .set('Idempotency-Key', 'key-A')
      .send(LIMIT_BUY)
      .expect(201);
    expect(first.body.data.client_order_id).toBe('key-A');
    expect(first.headers['idempotency-key']).toBe('key-A');
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body.metadata).toMatchObject(tradingProvenance());
    expect(first.body.metadata.upstream_request_ids).toEqual(upstreamIdsLogged(gw, since, '/v2/orders', 200));
    const replaySince = gw.logs.length;
    const again = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .set('Idempotency-Key', 'key-A')
      .send(LIMIT_BUY)
      .expect(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // A replay answers with the order as Alpaca holds it now, attributed to that read.
    expect(again.headers['cache-control']).toBe('no-store');
    expect(again.body.metadata).toMatchObject(tradingProvenance());
    expect(again.body.metadata.upstream_request_ids).toEqual(
      upstreamIdsLogged(gw, replaySince, '/v2/orders/{id}', 200),
    );
    expect(again.body.metadata.upstream_request_ids).toEqual([expect.stringMatching(EMULATOR_REQUEST_ID)]);
    expect(ordersPosted()).toHaveLength(1);
    expect(gw.emulator.fixtures.orders.filter((o) => o['client_order_id'] === 'key-A')).toHaveLength(1);
  });

  it('the same key with a different body → 409 IDEMPOTENCY_CONFLICT', async () => {
    await gw.anon().post('/api/v1/orders').set(trader()).set('Idempotency-Key', 'key-B').send(LIMIT_BUY).expect(201);
    const res = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .set('Idempotency-Key', 'key-B')
      .send({ ...LIMIT_BUY, qty: '3' });
    expect(expectCatalogError(res, 409, 'IDEMPOTENCY_CONFLICT')['details']).toMatchObject({ client_order_id: 'key-B' });
    expect(ordersPosted()).toHaveLength(1);
  });

  it('client_order_id in the body works as the key; a mismatching header is refused', async () => {
    await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .send({ ...LIMIT_BUY, client_order_id: 'body-key' })
      .expect(201);
    await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .send({ ...LIMIT_BUY, client_order_id: 'body-key' })
      .expect(200);
    expectCatalogError(
      await gw
        .anon()
        .post('/api/v1/orders')
        .set(trader())
        .set('Idempotency-Key', 'other')
        .send({ ...LIMIT_BUY, client_order_id: 'body-key' }),
      400,
      'INVALID_PARAMETER',
    );
    expect(ordersPosted()).toHaveLength(1);
  });

  it('without a key the gateway generates one and returns it', async () => {
    const res = await gw.anon().post('/api/v1/orders').set(trader()).send(LIMIT_BUY).expect(201);
    const key = res.headers['idempotency-key'];
    expect(key).toMatch(/^oa-[0-9a-f-]{36}$/);
    expect(res.body.data.client_order_id).toBe(key);
    expect(ordersPosted()[0]?.body).toMatchObject({ client_order_id: key });
  });

  it("a repeat that reaches Alpaca (another instance, or after a restart) is resolved from Alpaca's duplicate answer", async () => {
    const other = await startGateway();
    try {
      other.emulator.fixtures.orders.push(...gw.emulator.fixtures.orders);
      await gw
        .anon()
        .post('/api/v1/orders')
        .set(trader())
        .set('Idempotency-Key', 'cross-1')
        .send(LIMIT_BUY)
        .expect(201);
      // A second gateway that never saw the key, against the same emulator state.
      other.emulator.fixtures.orders = gw.emulator.fixtures.orders;
      const res = await other
        .anon()
        .post('/api/v1/orders')
        .set(trader())
        .set('Idempotency-Key', 'cross-1')
        .send(LIMIT_BUY)
        .expect(200);
      expect(res.headers['idempotent-replayed']).toBe('true');
      // Attributed to the by-client-id look-up that found the order, not to the refused POST.
      expect(res.body.metadata).toMatchObject({
        ...tradingProvenance(),
        provider_host: new URL(other.emulator.tradingUrl).host,
      });
      expect(res.body.metadata.upstream_request_ids).toEqual(
        upstreamIdsLogged(other, 0, '/v2/orders:by_client_order_id', 200),
      );
      const posted = other.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST');
      expect(posted).toHaveLength(1);
      expect(other.emulator.requestsTo('/v2/orders:by_client_order_id')).toHaveLength(1);
      expectCatalogError(
        await other
          .anon()
          .post('/api/v1/orders')
          .set(trader())
          .set('Idempotency-Key', 'cross-1')
          .send({ ...LIMIT_BUY, side: 'sell' }),
        409,
        'IDEMPOTENCY_CONFLICT',
      );
    } finally {
      await other.close();
    }
  });

  it('concurrent identical submissions make one order', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        gw.anon().post('/api/v1/orders').set(trader()).set('Idempotency-Key', 'race-1').send(LIMIT_BUY),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
    expect(ordersPosted()).toHaveLength(1);
  });
});

describe('lost answers and rejections (never auto-retried)', () => {
  it('accepted but the answer is lost → found by client_order_id and returned', async () => {
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'accept-then-hang', times: 1 });
    const since = gw.logs.length;
    const res = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .set('Idempotency-Key', 'lost-1')
      .send(LIMIT_BUY)
      .expect(201);
    expect(res.body.data.client_order_id).toBe('lost-1');
    // The POST's answer never came: the provenance is the look-up that found the order.
    expect(res.body.metadata).toMatchObject(tradingProvenance());
    expect(res.body.metadata.upstream_request_ids).toEqual(
      upstreamIdsLogged(gw, since, '/v2/orders:by_client_order_id', 200),
    );
    expect(res.body.metadata.upstream_request_ids).toHaveLength(1);
    expect(ordersPosted()).toHaveLength(1);
    expect(gw.emulator.requestsTo('/v2/orders:by_client_order_id').length).toBeGreaterThanOrEqual(1);
  });

  it('5xx and no such order → 503 saying no order was placed', async () => {
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'status', status: 500, times: 1 });
    const res = await gw.anon().post('/api/v1/orders').set(trader()).set('Idempotency-Key', 'fail-1').send(LIMIT_BUY);
    const error = expectCatalogError(res, 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(error['details']).toMatchObject({ order_placed: false, client_order_id: 'fail-1' });
    expect(String(error['message'])).toContain('no order was placed');
    expect(ordersPosted()).toHaveLength(1);
    // Retrying with the same key is then safe and places it once.
    await gw.anon().post('/api/v1/orders').set(trader()).set('Idempotency-Key', 'fail-1').send(LIMIT_BUY).expect(201);
    expect(gw.emulator.fixtures.orders.filter((o) => o['client_order_id'] === 'fail-1')).toHaveLength(1);
  });

  it('timeout and the lookup fails too → 504 ORDER_OUTCOME_UNKNOWN with the client_order_id', async () => {
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'hang', times: 1 });
    gw.emulator.injectFault({ path: '/v2/orders:by_client_order_id', kind: 'status', status: 503 });
    const res = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader())
      .set('Idempotency-Key', 'unknown-1')
      .send(LIMIT_BUY);
    expect(expectCatalogError(res, 504, 'ORDER_OUTCOME_UNKNOWN')['details']).toMatchObject({
      client_order_id: 'unknown-1',
    });
    expect(ordersPosted()).toHaveLength(1);
  });

  it.each([
    [403, { code: 40310000, message: 'insufficient buying power' }],
    [
      422,
      {
        code: 42210000,
        message: 'invalid limit_price 290.123. sub-penny increment does not fulfill minimum pricing criteria',
      },
    ],
  ])("Alpaca %i → 422 ORDER_REJECTED with Alpaca's message, sent once", async (status, body) => {
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'status', status, body, times: 1 });
    const res = await gw.anon().post('/api/v1/orders').set(trader()).send(LIMIT_BUY);
    const error = expectCatalogError(res, 422, 'ORDER_REJECTED');
    expect(error['message']).toContain(body.message);
    expect(error['details']).toMatchObject({ upstream_status: status, upstream_message: body.message });
    expect(ordersPosted()).toHaveLength(1);
  });
});

describe('DELETE /orders/{id}', () => {
  it('cancels an open order once; a second cancel is refused by Alpaca → 422 ORDER_REJECTED', async () => {
    const created = await gw.anon().post('/api/v1/orders').set(trader()).send(LIMIT_BUY).expect(201);
    const id = created.body.data.id as string;
    const since = gw.logs.length;
    const res = await gw.anon().delete(`/api/v1/orders/${id}`).set(trader()).expect(200);
    expect(res.body.data).toEqual({ order_id: id, cancel_accepted: true });
    expect(gw.emulator.requestsTo(`/v2/orders/${id}`, 'trading').filter((r) => r.method === 'DELETE')).toHaveLength(1);
    // Provenance of the DELETE itself: Alpaca's trading host, the X-Request-ID of its 204, never cached.
    expect(res.body.metadata).toMatchObject({
      ...tradingProvenance(),
      data_timestamp: null,
      data_freshness_seconds: null,
    });
    const deleteIds = upstreamIdsLogged(gw, since, '/v2/orders/{id}', 204);
    expect(deleteIds).toEqual([expect.stringMatching(EMULATOR_REQUEST_ID)]);
    expect(res.body.metadata.upstream_request_ids).toEqual(deleteIds);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-data-source']).toBe('alpaca_trading');
    expect(res.headers['x-cache-status']).toBe('BYPASS');
    expectCatalogError(await gw.anon().delete(`/api/v1/orders/${id}`).set(trader()), 422, 'ORDER_REJECTED');
  });

  it('unknown order → 404 ORDER_NOT_FOUND', async () => {
    expectCatalogError(
      await gw.anon().delete('/api/v1/orders/00000000-0000-4000-8000-000000000000').set(trader()),
      404,
      'ORDER_NOT_FOUND',
    );
  });
});
