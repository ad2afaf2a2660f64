/**
 * Security, second round (REST half): holes an attack on the order lifecycle found, each
 * reproduced here against the real gateway and the emulator.
 */
import { readFileSync } from 'node:fs';
import {
  eventually,
  expectCatalogError,
  startGateway,
  tokenFor,
  type Gateway,
  gatewayPerFile,
} from '../support/harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'sec2-trader' })}` };

gatewayPerFile((started) => (gw = started));

const sent = (): string[] => gw.emulator.requests.map((r) => `${r.method} ${r.path}`);

describe('bulk writes are reachable only by their exact path, and only when confirmed', () => {
  it.each([
    ['delete', '/api/v1/positions/'],
    ['delete', '/api/v1/positions/?confirm=true'],
    ['delete', '/api/v1/orders/'],
    ['delete', '/api/v1/orders/?confirm=true'],
    ['delete', '/api/v1/positions//'],
    ['delete', '/API/V1/Positions/'],
    ['delete', '/api/v1//positions'],
    ['get', '/api/v1/stocks/AAPL/quote/'],
  ] as const)('%s %s → 404 ROUTE_NOT_FOUND, nothing sent upstream', async (method, path) => {
    const error = expectCatalogError(await gw.anon()[method](path).set(trader), 404, 'ROUTE_NOT_FOUND');
    expect(error['details']).toEqual({ reason: 'empty_path_segment' });
    expect(sent()).toEqual([]);
    expect(gw.emulator.fixtures.positions.length).toBeGreaterThan(0);
  });

  it.each([
    ['/api/v1/positions', {}],
    ['/api/v1/positions', { confirm: 'false' }],
    ['/api/v1/positions', { confirm: '1' }],
    ['/api/v1/positions', { cancel_orders: 'true' }],
    ['/api/v1/orders', {}],
    ['/api/v1/orders', { confirm: 'yes' }],
  ])('DELETE %s with %j → 400 CONFIRMATION_REQUIRED, nothing sent', async (path, query) => {
    const res = await gw.anon().delete(path).query(query).set(trader);
    const error = expectCatalogError(res, 400, 'CONFIRMATION_REQUIRED');
    expect(JSON.stringify(error)).toContain('confirm');
    expect((res.body as { metadata: { suggested_actions: string[] } }).metadata.suggested_actions[0]).toContain(
      'confirm=true',
    );
    expect(sent()).toEqual([]);
  });

  it('DELETE /positions?confirm=true closes every position; confirm is not forwarded', async () => {
    const res = await gw.anon().delete('/api/v1/positions').query({ confirm: 'true' }).set(trader).expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([['DELETE', '/v2/positions', {}]]);
    expect(Array.isArray(res.body.data)).toBe(true);
  });

  it('DELETE /orders?confirm=true cancels every open order', async () => {
    await gw.anon().delete('/api/v1/orders').query({ confirm: 'true' }).set(trader).expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([['DELETE', '/v2/orders', {}]]);
  });
});

describe('credentials in the query string never reach the audit trail', () => {
  const SECRET_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLXNlY3JldA';
  const SECRET_KEY_VALUE = 'oa_deadbeef_secretsecretsecretsecret';

  it('a refused request with ?api_key= and ?token= is audited with the path, the parameters redacted', async () => {
    await gw
      .anon()
      .get(`/api/v1/stocks/AAPL/quote?api_key=${SECRET_KEY_VALUE}&token=${SECRET_TOKEN}&feed=iex`)
      .set('X-API-Key', 'oa_bad_key')
      .expect(401);
    await gw
      .anon()
      .get(`/api/v1/account?access_token=${SECRET_TOKEN}`)
      .set({ Authorization: `Bearer ${tokenFor(['viewer'])}` })
      .expect(403);
    await eventually(() => {
      const text = readFileSync(gw.auditFile, 'utf8');
      expect(text).toContain('/api/v1/stocks/AAPL/quote');
      expect(text).toContain('/api/v1/account');
    });
    const text = readFileSync(gw.auditFile, 'utf8');
    expect(text).not.toContain(SECRET_KEY_VALUE);
    expect(text).not.toContain(SECRET_TOKEN);
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
    const paths = records
      .filter((r) => r.action === 'auth_failure' || r.action === 'permission_denied')
      .map((r) => r.details['path']);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/stocks/AAPL/quote?api_key=[REDACTED]&token=[REDACTED]&feed=iex',
        '/api/v1/account?access_token=[REDACTED]',
      ]),
    );
  });
});

describe('an idempotency key reused with another body is 409, never a replay of the first order', () => {
  const LIMIT = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };
  const BRACKET = {
    ...LIMIT,
    order_class: 'bracket',
    take_profit: { limit_price: '170' },
    stop_loss: { stop_price: '140', limit_price: '139' },
  };
  const LEGS = [
    { symbol: 'AAPL240426C00162500', ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
    { symbol: 'AAPL250620C00100000', ratio_qty: '1', side: 'buy', position_intent: 'buy_to_open' },
  ];
  const SPREAD = {
    order_class: 'mleg',
    qty: '1',
    type: 'limit',
    limit_price: '-1.25',
    time_in_force: 'day',
    legs: LEGS,
  };
  const VARIANTS: Array<[string, object, object]> = [
    ['extended_hours changed', LIMIT, { ...LIMIT, extended_hours: true }],
    ['another take-profit', BRACKET, { ...BRACKET, take_profit: { limit_price: '175' } }],
    ['another stop-loss', BRACKET, { ...BRACKET, stop_loss: { stop_price: '130' } }],
    ['other legs', SPREAD, { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], ratio_qty: '2' }] }],
    ["a leg's intent changed", SPREAD, { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], position_intent: 'buy_to_close' }] }],
    ['position_intent added', LIMIT, { ...LIMIT, position_intent: 'buy_to_open' }],
  ];
  const orderPosts = (g: Gateway): number =>
    g.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST').length;
  const place = (g: Gateway, key: string, body: object) =>
    g.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(body);

  it.each(VARIANTS)(
    'one instance, one after the other: %s → 409, nothing sent the second time',
    async (name, first, second) => {
      const key = `seq-${name.replace(/\W+/g, '-')}`;
      await place(gw, key, first).expect(201);
      const error = expectCatalogError(await place(gw, key, second), 409, 'IDEMPOTENCY_CONFLICT');
      expect(error['details']).toMatchObject({ client_order_id: key });
      expect(orderPosts(gw)).toBe(1);
    },
  );

  it.each(VARIANTS)('one instance, both at once: %s → one 201 and one 409, one order', async (name, first, second) => {
    const key = `race-${name.replace(/\W+/g, '-')}`;
    const [a, b] = await Promise.all([place(gw, key, first), place(gw, key, second)]);
    expect([a.status, b.status]).toEqual([201, 409]);
    expect(b.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(orderPosts(gw)).toBe(1);
  });

  it.each(VARIANTS)(
    "another instance that never saw the key (no shared store): %s → 409 from Alpaca's copy",
    async (name, first, second) => {
      const key = `cross-${name.replace(/\W+/g, '-')}`;
      const other = await startOther();
      try {
        await place(gw, key, first).expect(201);
        const error = expectCatalogError(await place(other, key, second), 409, 'IDEMPOTENCY_CONFLICT');
        expect(error['details']).toMatchObject({ client_order_id: key, existing_order_id: expect.any(String) });
        // The refused POST was Alpaca's duplicate answer: still one order under the key.
        expect(gw.emulator.fixtures.orders.filter((o) => o['client_order_id'] === key)).toHaveLength(1);
      } finally {
        await other.close();
      }
    },
  );

  it('the same body, decimals written another way, on another instance → the first order replayed', async () => {
    const other = await startOther();
    try {
      const first = await place(gw, 'same-spread', SPREAD).expect(201);
      const again = await place(other, 'same-spread', {
        ...SPREAD,
        limit_price: '-1.250',
        legs: LEGS.map((l) => ({ ...l })),
      }).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.data.id).toBe(first.body.data.id);
      const plain = await place(other, 'same-limit', LIMIT).expect(201);
      const repeat = await place(other, 'same-limit', {
        ...LIMIT,
        extended_hours: false,
        limit_price: '150.00',
      }).expect(200);
      expect(repeat.body.data.id).toBe(plain.body.data.id);
    } finally {
      await other.close();
    }
  });

  /** A second gateway in front of the same emulator (the same "Alpaca"), sharing nothing else. */
  async function startOther(): Promise<Gateway> {
    return startGateway({}, {}, gw.emulator);
  }
});
