import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'spread-bot' })}` };

/** Four listed contracts (the emulator's option contract fixtures): an AAPL iron-condor-shaped spread. */
const LEGS = [
  { symbol: 'AAPL240426C00162500', ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
  { symbol: 'AAPL240426P00160000', ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
  { symbol: 'AAPL250620C00100000', ratio_qty: '1', side: 'buy', position_intent: 'buy_to_open' },
  { symbol: 'AAPL250620P00100000', ratio_qty: '2', position_intent: 'buy_to_open' },
];
const SPREAD = { order_class: 'mleg', qty: '1', type: 'limit', limit_price: '-1.25', time_in_force: 'day', legs: LEGS };

gatewayPerFile((started) => (gw = started));

const posted = () => gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST');
const place = (body: object, key: string) =>
  gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(body);

describe('multi-leg options orders (order_class mleg)', () => {
  it('a 4-leg spread with a net credit is sent exactly as given and its legs come back', async () => {
    const res = await place(SPREAD, 'spread-1').expect(201);
    expect(posted().map((r) => r.body)).toEqual([{ ...SPREAD, client_order_id: 'spread-1' }]);
    expect(res.body.data).toMatchObject({
      order_class: 'mleg',
      symbol: '',
      limit_price: '-1.25',
      qty: '1',
      client_order_id: 'spread-1',
      status: 'accepted',
    });
    const legs = res.body.data.legs as Array<Record<string, unknown>>;
    expect(legs.map((l) => [l['symbol'], l['ratio_qty'], l['side'], l['position_intent'], l['qty']])).toEqual([
      ['AAPL240426C00162500', '1', 'sell', 'sell_to_open', '1'],
      ['AAPL240426P00160000', '1', 'sell', 'sell_to_open', '1'],
      ['AAPL250620C00100000', '1', 'buy', 'buy_to_open', '1'],
      ['AAPL250620P00100000', '2', 'buy', 'buy_to_open', '2'],
    ]);
    // Each leg is an order of its own, mapped field by field like the parent.
    const wire = gw.emulator.fixtures.orders.find((o) => o['client_order_id'] === 'spread-1')?.['legs'] as Array<
      Record<string, unknown>
    >;
    expect(legs.map((l) => l['id'])).toEqual(wire.map((l) => l['id']));
    expect(legs.every((l) => l['asset_class'] === 'us_option' && l['order_class'] === 'mleg')).toBe(true);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject({ data_source: 'alpaca_trading' });
    // A repeat replays the same spread.
    const again = await place(SPREAD, 'spread-1').expect(200);
    expect(again.body.data.id).toBe(res.body.data.id);
    expect(again.body.data.legs).toHaveLength(4);
    expect(posted()).toHaveLength(1);
  });

  it('5 legs → 400 INVALID_PARAMETER before any upstream call', async () => {
    const five = { ...SPREAD, legs: [...LEGS, { symbol: 'SPXW240327P04925000', ratio_qty: '1', side: 'buy' }] };
    const error = expectCatalogError(await place(five, 'spread-5'), 400, 'INVALID_PARAMETER');
    expect(error['details']).toMatchObject({ fields: [{ field: 'legs', problems: ['legs must hold 2 to 4 legs'] }] });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a duplicated leg → 400 naming both places, before any upstream call', async () => {
    const dup = { ...SPREAD, legs: [LEGS[0], LEGS[1], { ...LEGS[0], side: 'buy', position_intent: 'buy_to_close' }] };
    const error = expectCatalogError(await place(dup, 'spread-dup'), 400, 'INVALID_PARAMETER');
    expect(error['details']).toEqual({
      fields: [
        {
          field: 'legs[2].symbol',
          problems: ['AAPL240426C00162500 is already legs[0]: each contract may appear in one leg only'],
        },
      ],
    });
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('a non-OCC leg → 400 INVALID_OPTION_SYMBOL naming the leg and the bad parts, before any upstream call', async () => {
    const stock = {
      ...SPREAD,
      legs: [LEGS[0], { symbol: 'AAPL', ratio_qty: '1', side: 'buy' }, { ...LEGS[2], symbol: 'AAPL241332C00100000' }],
    };
    const error = expectCatalogError(await place(stock, 'spread-occ'), 400, 'INVALID_OPTION_SYMBOL');
    const invalid = (
      error['details'] as {
        invalid_legs: Array<{ leg: number; option_symbol: string; invalid_parts: Array<{ part: string }> }>;
      }
    ).invalid_legs;
    expect(invalid.map((l) => [l.leg, l.option_symbol, l.invalid_parts.map((p) => p.part)])).toEqual([
      [1, 'AAPL', ['option_symbol']],
      [2, 'AAPL241332C00100000', ['expiration']],
    ]);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it.each([
    ['one leg', { ...SPREAD, legs: [LEGS[0]] }, 'legs'],
    ['a fractional ratio', { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], ratio_qty: '1.5' }] }, 'legs[1].ratio_qty'],
    ['a zero ratio', { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], ratio_qty: '0' }] }, 'legs[1].ratio_qty'],
    ['a numeric ratio', { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], ratio_qty: 1 }] }, 'legs.1.ratio_qty'],
    [
      'a leg with neither side nor intent',
      { ...SPREAD, legs: [LEGS[0], { symbol: LEGS[1]?.symbol, ratio_qty: '1' }] },
      'legs[1].side',
    ],
    [
      'side contradicting intent',
      { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], side: 'buy' }] },
      'legs[1].position_intent',
    ],
    ['a top-level symbol', { ...SPREAD, symbol: 'AAPL' }, 'symbol'],
    ['a top-level side', { ...SPREAD, side: 'buy' }, 'side'],
    ['gtc', { ...SPREAD, time_in_force: 'gtc' }, 'time_in_force'],
    ['a stop order', { ...SPREAD, type: 'stop', stop_price: '1' }, 'type'],
    ['a zero net price', { ...SPREAD, limit_price: '0' }, 'limit_price'],
    ['fractional units', { ...SPREAD, qty: '1.5' }, 'qty'],
    ['notional', { ...SPREAD, qty: undefined, notional: '100' }, 'notional'],
    [
      'legs on a simple order',
      { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', legs: LEGS.slice(0, 2) },
      'legs',
    ],
  ])('%s → 400, nothing sent', async (_label, body, field) => {
    const error = expectCatalogError(await place(body, 'spread-bad'), 400, 'INVALID_PARAMETER');
    expect((error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toContain(field);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('Alpaca refuses a leg it does not list (422) → 422 ORDER_REJECTED with its message, sent once', async () => {
    const unlisted = { ...SPREAD, legs: [LEGS[0], { ...LEGS[1], symbol: 'AAPL240426P00155000' }] };
    const error = expectCatalogError(await place(unlisted, 'spread-unlisted'), 422, 'ORDER_REJECTED');
    expect(error['details']).toMatchObject({
      upstream_status: 422,
      upstream_message: 'asset AAPL240426P00155000 not found',
    });
    expect(posted()).toHaveLength(1);
  });

  it('a debit above the options buying power → Alpaca 403 → 422 ORDER_REJECTED, sent once', async () => {
    gw.emulator.fixtures.account['options_buying_power'] = '100';
    const error = expectCatalogError(
      await place({ ...SPREAD, limit_price: '2.5' }, 'spread-poor'),
      422,
      'ORDER_REJECTED',
    );
    expect(error['details']).toMatchObject({ upstream_status: 403, upstream_message: 'insufficient buying power' });
    expect(posted()).toHaveLength(1);
  });
});

describe('bracket, OCO, OTO and trailing stops: accepted and passed through unchanged', () => {
  const BASE = { symbol: 'AAPL', qty: '1', side: 'buy', time_in_force: 'gtc' };
  it.each([
    [
      'bracket with a stop-limit loss',
      {
        ...BASE,
        type: 'limit',
        limit_price: '150',
        order_class: 'bracket',
        take_profit: { limit_price: '170' },
        stop_loss: { stop_price: '140', limit_price: '139.5' },
      },
    ],
    [
      'oco',
      {
        ...BASE,
        side: 'sell',
        type: 'limit',
        limit_price: '170',
        order_class: 'oco',
        take_profit: { limit_price: '170' },
        stop_loss: { stop_price: '140' },
      },
    ],
    [
      'oto with take_profit',
      { ...BASE, type: 'limit', limit_price: '150', order_class: 'oto', take_profit: { limit_price: '170' } },
    ],
    [
      'oto with stop_loss',
      { ...BASE, type: 'market', time_in_force: 'day', order_class: 'oto', stop_loss: { stop_price: '140' } },
    ],
    ['trailing stop by price', { ...BASE, side: 'sell', type: 'trailing_stop', trail_price: '2.5' }],
    [
      'trailing stop by percent',
      { ...BASE, side: 'sell', type: 'trailing_stop', trail_percent: '1.25', time_in_force: 'day' },
    ],
    [
      'simple option order with an intent',
      {
        symbol: 'AAPL250620C00100000',
        qty: '1',
        side: 'buy',
        type: 'limit',
        limit_price: '10',
        time_in_force: 'day',
        position_intent: 'buy_to_open',
      },
    ],
  ])('%s', async (label, body) => {
    const key = `pass-${label.replace(/\W+/g, '-')}`;
    const res = await place(body, key).expect(201);
    expect(posted().map((r) => r.body)).toEqual([{ ...body, client_order_id: key }]);
    expect(res.body.data.client_order_id).toBe(key);
  });

  it.each([
    [
      'oco that is not a limit order',
      {
        ...BASE,
        type: 'market',
        order_class: 'oco',
        take_profit: { limit_price: '170' },
        stop_loss: { stop_price: '140' },
      },
      'order_class',
    ],
    [
      'oto with both',
      {
        ...BASE,
        type: 'limit',
        limit_price: '150',
        order_class: 'oto',
        take_profit: { limit_price: '170' },
        stop_loss: { stop_price: '140' },
      },
      'order_class',
    ],
    [
      'a sub-penny take profit',
      {
        ...BASE,
        type: 'limit',
        limit_price: '150',
        order_class: 'bracket',
        take_profit: { limit_price: '170.001' },
        stop_loss: { stop_price: '140' },
      },
      'take_profit.limit_price',
    ],
    ['a trail on a limit order', { ...BASE, type: 'limit', limit_price: '150', trail_price: '1' }, 'trail_price'],
  ])('%s → 400, nothing sent', async (_label, body, field) => {
    const error = expectCatalogError(await place(body, 'pass-bad'), 400, 'INVALID_PARAMETER');
    expect((error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toContain(field);
    expect(gw.emulator.requests).toHaveLength(0);
  });
});
