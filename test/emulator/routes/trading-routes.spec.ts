import { AlpacaEmulator, defaultFixtures } from '../alpaca-emulator.js';
import { blankOrder } from '../orders/order-shape.js';
import { arr, call, nextToken, obj, type CallOptions } from '../spec-helpers.js';

const emulator = new AlpacaEmulator();
const fixtures = defaultFixtures();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const trading = (path: string, options?: CallOptions) => call(emulator, 'trading', path, options);
const post = (body: unknown) => trading('/v2/orders', { method: 'POST', body });
const ids = (value: unknown) => arr(value).map((order) => obj(order).id);

const OPEN_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const FILLED_ID = '61e69015-8549-4bfd-b9c3-01e75843f47d';
/** §7.13's request. */
const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NANO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

describe('clock, account, positions', () => {
  it('clock is §7.14 and account is the TR-SPEC example', async () => {
    expect((await trading('/v2/clock')).json).toEqual({
      timestamp: '2025-06-24T14:15:22-04:00',
      is_open: true,
      next_open: '2025-06-25T09:30:00-04:00',
      next_close: '2025-06-24T16:00:00-04:00',
    });
    expect(obj((await trading('/v2/account')).json)).toMatchObject({
      id: '1d9eed04-be39-4e01-9b84-a48ac5bbafcf',
      status: 'ACTIVE',
      cash: '122086.5',
      buying_power: '245432.61',
      equity: '123346.11',
      options_trading_level: 2,
      multiplier: '2',
    });
  });

  it('positions: list, by symbol or asset id, and 404 for none', async () => {
    expect(arr((await trading('/v2/positions')).json)).toHaveLength(2);
    expect((await trading('/v2/positions/AAPL')).json).toEqual(fixtures.positions[0]);
    expect(obj((await trading('/v2/positions/b0b6dd9d-8b9b-48a9-ba46-b9d54906e415')).json).symbol).toBe('AAPL');
    expect(await trading('/v2/positions/TSLA')).toMatchObject({
      status: 404,
      json: { code: 40410000, message: 'position does not exist' },
    });
  });
});

describe('listing and reading orders', () => {
  it('filters by status (default open) and orders newest first by default', async () => {
    expect(ids((await trading('/v2/orders')).json)).toEqual([OPEN_ID]);
    expect(ids((await trading('/v2/orders?status=closed')).json)).toEqual([FILLED_ID]);
    expect(ids((await trading('/v2/orders?status=all')).json)).toEqual([OPEN_ID, FILLED_ID]);
    expect(ids((await trading('/v2/orders?status=all&direction=asc')).json)).toEqual([FILLED_ID, OPEN_ID]);
    expect(ids((await trading('/v2/orders?status=all&limit=1')).json)).toEqual([OPEN_ID]);
  });

  it('filters by symbols, side and exclusive after/until', async () => {
    expect(ids((await trading('/v2/orders?status=all&symbols=MSFT,TSLA')).json)).toEqual([FILLED_ID]);
    expect(ids((await trading('/v2/orders?status=all&side=sell')).json)).toEqual([]);
    expect(ids((await trading('/v2/orders?status=all&after=2023-12-12T00:00:00Z')).json)).toEqual([OPEN_ID]);
    expect(ids((await trading('/v2/orders?status=all&until=2023-12-12T00:00:00Z')).json)).toEqual([FILLED_ID]);
    expect(ids((await trading('/v2/orders?status=all&after=2023-12-12T22:31:24.577215743Z')).json)).toEqual([]);
  });

  it.each(['status=pending', 'limit=0', 'limit=501', 'direction=up', 'after=soon'])(
    'rejects %s with 422',
    async (params) => {
      expect(await trading(`/v2/orders?${params}`)).toMatchObject({ status: 422, json: { code: 40010001 } });
    },
  );

  it('reads one order by id or client order id; unknown → 404', async () => {
    expect(obj((await trading(`/v2/orders/${OPEN_ID}`)).json).status).toBe('new');
    expect(
      obj((await trading('/v2/orders:by_client_order_id?client_order_id=eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4')).json)
        .id,
    ).toBe(FILLED_ID);
    const notFound = { status: 404, json: { code: 40410000, message: 'order not found' } };
    expect(await trading('/v2/orders/00000000-0000-4000-8000-000000000000')).toMatchObject(notFound);
    expect(await trading('/v2/orders:by_client_order_id?client_order_id=nope')).toMatchObject(notFound);
    expect((await trading('/v2/orders:by_client_order_id')).status).toBe(422);
  });
});

describe('placing orders', () => {
  it('creates §7.13 as an accepted order with every Order field, then reads it as new', async () => {
    const reply = await post(LIMIT_BUY);
    expect(reply.status).toBe(200);
    const order = obj(reply.json);
    expect(Object.keys(order).sort()).toEqual(Object.keys(blankOrder()).sort());
    expect(order).toMatchObject({
      status: 'accepted',
      symbol: 'AAPL',
      asset_id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
      asset_class: 'us_equity',
      qty: '2',
      notional: null,
      filled_qty: '0',
      filled_avg_price: null,
      limit_price: '150',
      stop_price: null,
      type: 'limit',
      order_type: 'limit',
      side: 'buy',
      time_in_force: 'gtc',
      order_class: '',
      legs: null,
      canceled_at: null,
      extended_hours: false,
    });
    expect(order.id).toMatch(UUID);
    expect(order.client_order_id).toMatch(UUID);
    for (const stamp of ['created_at', 'updated_at', 'submitted_at']) expect(order[stamp]).toMatch(NANO_TIME);

    const reread = obj((await trading(`/v2/orders/${String(order.id)}`)).json);
    expect(reread.status).toBe('new');
    expect(ids((await trading('/v2/orders')).json)).toContain(order.id);
  });

  it('keeps a given client_order_id, stringifies numeric decimals, and classifies option symbols', async () => {
    const order = obj(
      (
        await post({
          ...LIMIT_BUY,
          qty: 3,
          limit_price: 1.25,
          symbol: 'AAPL240426C00162500',
          client_order_id: 'mine-1',
          time_in_force: 'day',
        })
      ).json,
    );
    expect(order).toMatchObject({ client_order_id: 'mine-1', qty: '3', limit_price: '1.25', asset_class: 'us_option' });
    const notional = obj(
      (await post({ symbol: 'MSFT', notional: '500', side: 'buy', type: 'market', time_in_force: 'day' })).json,
    );
    expect(notional).toMatchObject({ notional: '500', qty: null });
  });

  it('accepts multi-leg orders without a top-level symbol or side and echoes their legs', async () => {
    const legs = [
      { symbol: 'AAPL240426C00162500', ratio_qty: 1, side: 'buy', position_intent: 'buy_to_open' },
      { symbol: 'AAPL240426P00160000', ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
    ];
    const order = obj(
      (await post({ order_class: 'mleg', qty: '1', type: 'limit', limit_price: '1.5', time_in_force: 'day', legs }))
        .json,
    );
    expect(order).toMatchObject({
      order_class: 'mleg',
      asset_class: 'us_option',
      side: null,
      legs: [
        { ratio_qty: '1', side: 'buy' },
        { ratio_qty: '1', side: 'sell' },
      ],
    });
    expect((await post({ order_class: 'mleg', qty: '1', type: 'market', time_in_force: 'day', legs: [] })).status).toBe(
      422,
    );
  });

  it.each([
    ['no type', { ...LIMIT_BUY, type: undefined }, /type is required/],
    ['no time_in_force', { ...LIMIT_BUY, time_in_force: undefined }, /time_in_force is required/],
    ['no side', { ...LIMIT_BUY, side: undefined }, /side is required/],
    ['no symbol', { ...LIMIT_BUY, symbol: undefined }, /symbol is required/],
    ['an unknown type', { ...LIMIT_BUY, type: 'iceberg' }, /invalid type/],
    ['qty and notional', { ...LIMIT_BUY, type: 'market', notional: '10' }, /mutually exclusive/],
    ['neither qty nor notional', { ...LIMIT_BUY, qty: undefined }, /qty or notional is required/],
    ['a negative qty', { ...LIMIT_BUY, qty: '-1' }, /invalid qty/],
    ['limit without limit_price', { ...LIMIT_BUY, limit_price: undefined }, /limit_price is required/],
    ['stop without stop_price', { ...LIMIT_BUY, type: 'stop', limit_price: undefined }, /stop_price is required/],
    ['stop_limit without stop_price', { ...LIMIT_BUY, type: 'stop_limit' }, /stop_price is required/],
    [
      'trailing_stop without a trail',
      { ...LIMIT_BUY, type: 'trailing_stop', limit_price: undefined },
      /trail_price or trail_percent/,
    ],
  ])('rejects %s with 422 42210000', async (_label, body, message) => {
    const reply = await post(body);
    expect(reply.status).toBe(422);
    expect(obj(reply.json).code).toBe(42210000);
    expect(String(obj(reply.json).message)).toMatch(message);
  });

  it('rejects a duplicate client_order_id with 422 40010001', async () => {
    const first = await post({ ...LIMIT_BUY, client_order_id: 'dup-1' });
    expect(first.status).toBe(200);
    const expected = { status: 422, json: { code: 40010001, message: 'client_order_id must be unique' } };
    expect(await post({ ...LIMIT_BUY, client_order_id: 'dup-1' })).toMatchObject(expected);
    expect(await post({ ...LIMIT_BUY, client_order_id: '5680c4bc-9ac1-4a12-a44c-df427ba53032' })).toMatchObject(
      expected,
    );
  });

  it('rejects a body that is not a JSON object with 400', async () => {
    expect(await post('{"symbol":')).toMatchObject({ status: 400, json: { code: 40010000 } });
    expect((await post([LIMIT_BUY])).status).toBe(400);
  });
});

describe('canceling orders', () => {
  it('cancels an open order with 204 and no body; a second cancel is 422', async () => {
    const reply = await trading(`/v2/orders/${OPEN_ID}`, { method: 'DELETE' });
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    const order = obj((await trading(`/v2/orders/${OPEN_ID}`)).json);
    expect(order.status).toBe('canceled');
    expect(order.canceled_at).toMatch(NANO_TIME);
    expect(await trading(`/v2/orders/${OPEN_ID}`, { method: 'DELETE' })).toMatchObject({
      status: 422,
      json: { code: 42210000, message: 'order is not cancelable' },
    });
  });

  it('refuses filled orders (422), unknown ones (404), and can cancel a just-accepted order', async () => {
    expect((await trading(`/v2/orders/${FILLED_ID}`, { method: 'DELETE' })).status).toBe(422);
    expect((await trading('/v2/orders/00000000-0000-4000-8000-000000000000', { method: 'DELETE' })).status).toBe(404);
    const created = obj((await post(LIMIT_BUY)).json);
    expect((await trading(`/v2/orders/${String(created.id)}`, { method: 'DELETE' })).status).toBe(204);
    expect(obj((await trading(`/v2/orders/${String(created.id)}`)).json).status).toBe('canceled');
  });
});

describe('option contracts', () => {
  const symbols = async (params: string) =>
    arr(obj((await trading(`/v2/options/contracts${params}`)).json).option_contracts).map((c) => obj(c).symbol);
  const active = fixtures.optionContracts.filter((c) => c.status === 'active').map((c) => c.symbol);

  it('lists active contracts by default, with next_page_token null', async () => {
    const body = obj((await trading('/v2/options/contracts')).json);
    expect(body.next_page_token).toBeNull();
    expect(arr(body.option_contracts).map((c) => obj(c).symbol)).toEqual(active);
  });

  it.each([
    ['?status=inactive', ['AAPL240126P00050000']],
    ['?underlying_symbols=SPX', ['SPXW240327P04925000']],
    ['?root_symbol=SPXW&style=european', ['SPXW240327P04925000']],
    ['?underlying_symbols=AAPL&type=put', ['AAPL250620P00100000', 'AAPL240426P00160000']],
    ['?expiration_date=2025-06-20', ['AAPL250620C00100000', 'AAPL250620P00100000']],
    ['?expiration_date_gte=2024-04-01&expiration_date_lte=2024-12-31', ['AAPL240426C00162500', 'AAPL240426P00160000']],
    ['?strike_price_gte=150&strike_price_lte=170', ['AAPL240426C00162500', 'AAPL240426P00160000']],
  ])('filters %s', async (params, expected) => {
    expect(await symbols(params)).toEqual(expected);
  });

  it('paginates with an opaque token', async () => {
    const seen: unknown[] = [];
    let token: string | null = null;
    do {
      const suffix: string = token === null ? '' : `&page_token=${token}`;
      const body = obj((await trading(`/v2/options/contracts?limit=2${suffix}`)).json);
      seen.push(...arr(body.option_contracts).map((c) => obj(c).symbol));
      token = nextToken(body);
    } while (token !== null && seen.length < 50);
    expect(seen).toEqual(active);
  });

  it('serves one contract by symbol or id (§7.10 verbatim), 404 otherwise', async () => {
    expect((await trading('/v2/options/contracts/AAPL250620C00100000')).json).toEqual({
      id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
      symbol: 'AAPL250620C00100000',
      name: 'AAPL Jun 20 2025 100 Call',
      status: 'active',
      tradable: true,
      expiration_date: '2025-06-20',
      root_symbol: 'AAPL',
      underlying_symbol: 'AAPL',
      underlying_asset_id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
      type: 'call',
      style: 'american',
      strike_price: '100',
      multiplier: '100',
      size: '100',
      open_interest: '237',
      open_interest_date: '2023-12-11',
      close_price: '148.38',
      close_price_date: '2023-12-11',
    });
    expect(obj((await trading('/v2/options/contracts/98359ef7-5124-49f3-85ea-5cf02df6defa')).json).symbol).toBe(
      'AAPL250620C00100000',
    );
    expect(obj((await trading('/v2/options/contracts/AAPL250620P00100000')).json)).toMatchObject({
      close_price: null,
      close_price_date: null,
      open_interest: '0',
    });
    expect(obj((await trading('/v2/options/contracts/TSLA260116C00400000')).json)).toMatchObject({
      open_interest: null,
      open_interest_date: null,
      close_price: null,
      close_price_date: null,
      strike_price: '400',
    });
    expect(await trading('/v2/options/contracts/TSLA231110C00021000')).toMatchObject({
      status: 404,
      json: { code: 40410000, message: 'option contract TSLA231110C00021000 not found' },
    });
  });

  it.each(['limit=0', 'limit=10001', 'type=both', 'expiration_date=tomorrow'])(
    'rejects %s with 422',
    async (params) => {
      expect((await trading(`/v2/options/contracts?${params}`)).status).toBe(422);
    },
  );
});
