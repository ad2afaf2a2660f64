import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'closer' })}` };
const CONTRACT = 'AAPL250620C00100000';

/** An option position in a listed contract (TR-SPEC Position fields; values INVENTED). */
function optionPosition(qty = '2'): Record<string, unknown> {
  return {
    asset_id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
    symbol: CONTRACT,
    exchange: '',
    asset_class: 'us_option',
    asset_marginable: true,
    qty,
    qty_available: qty,
    avg_entry_price: '140',
    side: 'long',
    market_value: '29676',
    cost_basis: '28000',
    unrealized_pl: '1676',
    unrealized_plpc: '0.0598571428571429',
    unrealized_intraday_pl: '0',
    unrealized_intraday_plpc: '0',
    current_price: '148.38',
    lastday_price: '148.38',
    change_today: '0',
  };
}

gatewayPerFile((started) => (gw = started));

const position = (symbol: string) => gw.emulator.fixtures.positions.find((p) => p['symbol'] === symbol);
const close = (path: string, query: Record<string, string> = {}) => gw.anon().delete(path).query(query).set(trader);

describe('DELETE /positions/{symbol}', () => {
  it("with qty: Alpaca's closing order comes back, the rest of the position stays", async () => {
    const res = await close('/api/v1/positions/AAPL', { qty: '1' }).expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['DELETE', '/v2/positions/AAPL', { qty: '1' }],
    ]);
    expect(res.body.data).toMatchObject({
      symbol: 'AAPL',
      qty: '1',
      side: 'sell',
      type: 'market',
      time_in_force: 'day',
      status: 'accepted',
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject({
      data_source: 'alpaca_trading',
      upstream_request_ids: [expect.stringMatching(/^[0-9a-f]{32}$/)],
    });
    expect(position('AAPL')).toMatchObject({ qty: '1', qty_available: '1' });
    expect(gw.emulator.orderEvents.emitted.map((e) => [e.event, e.order['id']])).toEqual([
      ['new', res.body.data.id],
      ['fill', res.body.data.id],
    ]);
  });

  it('with percentage: the share Alpaca computed, passed through as a string', async () => {
    const res = await close('/api/v1/positions/msft', { percentage: '33.333333333' }).expect(200);
    expect(gw.emulator.requests[0]?.query).toEqual({ percentage: '33.333333333' });
    expect(res.body.data).toMatchObject({ symbol: 'MSFT', qty: '0.999999999', side: 'sell' });
  });

  it('with neither: the whole position', async () => {
    const res = await close('/api/v1/positions/AAPL').expect(200);
    expect(gw.emulator.requests[0]?.query).toEqual({});
    expect(res.body.data.qty).toBe('2');
    expect(position('AAPL')).toBeUndefined();
  });

  it.each([
    [{ qty: '1', percentage: '50' }, 'percentage'],
    [{ qty: '0' }, 'qty'],
    [{ qty: '-1' }, 'qty'],
    [{ qty: '1.1234567891' }, 'qty'],
    [{ percentage: '100.5' }, 'percentage'],
    [{ percentage: '0' }, 'percentage'],
    [{ percentage: '1e2' }, 'percentage'],
  ])('%j → 400 naming the field, nothing sent', async (query, field) => {
    const error = expectCatalogError(await close('/api/v1/positions/AAPL', query), 400, 'INVALID_PARAMETER');
    expect((error['details'] as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toContain(field);
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it("no such position → 404 POSITION_NOT_FOUND; more than is available → 422 ORDER_REJECTED with Alpaca's figures", async () => {
    expectCatalogError(await close('/api/v1/positions/TSLA'), 404, 'POSITION_NOT_FOUND');
    const error = expectCatalogError(await close('/api/v1/positions/AAPL', { qty: '5' }), 422, 'ORDER_REJECTED');
    expect(error['details']).toMatchObject({
      upstream_status: 403,
      upstream_code: 40310000,
      upstream_message: 'insufficient qty available for order (requested: 5, available: 2)',
    });
    expectCatalogError(await close('/api/v1/positions/aapl;rm'), 400, 'INVALID_SYMBOL_FORMAT');
    expect(gw.emulator.requests).toHaveLength(2);
  });

  it('a lost answer is not retried: 504 ORDER_OUTCOME_UNKNOWN', async () => {
    gw.emulator.injectFault({ method: 'DELETE', path: '/v2/positions/AAPL', kind: 'status', status: 502, times: 1 });
    const error = expectCatalogError(await close('/api/v1/positions/AAPL'), 504, 'ORDER_OUTCOME_UNKNOWN');
    expect(error['details']).toMatchObject({ resource: 'position:AAPL', cause: 'UPSTREAM_API_UNAVAILABLE' });
    expect(gw.emulator.requests).toHaveLength(1);
  });
});

describe('DELETE /positions (close all)', () => {
  it("each position's outcome as Alpaca reported it; one held for orders is refused", async () => {
    const held = position('MSFT');
    if (held === undefined) throw new Error('fixture MSFT position missing');
    held['qty_available'] = '1';
    const res = await gw
      .anon()
      .delete('/api/v1/positions')
      .query({ cancel_orders: 'true', confirm: 'true' })
      .set(trader)
      .expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['DELETE', '/v2/positions', { cancel_orders: 'true' }],
    ]);
    const [aapl, msft] = res.body.data as Array<Record<string, unknown>>;
    expect(aapl).toMatchObject({
      symbol: 'AAPL',
      status: 200,
      accepted: true,
      body: { symbol: 'AAPL', qty: '2', side: 'sell', type: 'market' },
    });
    expect(msft).toEqual({
      symbol: 'MSFT',
      status: 403,
      accepted: false,
      body: {
        code: 40310000,
        message: 'insufficient qty available for order (requested: 3, available: 1)',
        symbol: 'MSFT',
        available: '1',
        existing_qty: '3',
        held_for_orders: '2',
      },
    });
    // cancel_orders=true canceled the open fixture order first.
    expect(gw.emulator.orderEvents.emitted.map((e) => e.event)).toEqual(['canceled', 'new', 'fill']);
    expect(gw.emulator.fixtures.positions.map((p) => p['symbol'])).toEqual(['MSFT']);
  });

  it('cancel_orders must be true or false', async () => {
    expectCatalogError(
      await gw.anon().delete('/api/v1/positions').query({ cancel_orders: 'yes', confirm: 'true' }).set(trader),
      400,
      'INVALID_PARAMETER',
    );
    expect(gw.emulator.requests).toHaveLength(0);
  });
});

describe('POST /positions/{contract}/exercise', () => {
  it("exercises a held option: Alpaca's empty 200 becomes exercise_submitted, the position is gone", async () => {
    gw.emulator.fixtures.positions.push(optionPosition());
    const res = await gw.anon().post(`/api/v1/positions/${CONTRACT.toLowerCase()}/exercise`).set(trader).expect(200);
    expect(res.body.data).toEqual({ symbol: CONTRACT, exercise_submitted: true });
    expect(res.body.metadata).toMatchObject({
      data_source: 'alpaca_trading',
      data_timestamp: null,
      upstream_request_ids: [expect.stringMatching(/^[0-9a-f]{32}$/)],
    });
    expect(gw.emulator.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', `/v2/positions/${CONTRACT}/exercise`],
    ]);
    expect(position(CONTRACT)).toBeUndefined();
  });

  it('a non-option → 400 INVALID_OPTION_SYMBOL before any call; no position → 404 POSITION_NOT_FOUND; short → 422', async () => {
    const error = expectCatalogError(
      await gw.anon().post('/api/v1/positions/AAPL/exercise').set(trader),
      400,
      'INVALID_OPTION_SYMBOL',
    );
    expect(error['details']).toMatchObject({ option_symbol: 'AAPL' });
    expect(gw.emulator.requests).toHaveLength(0);
    const none = expectCatalogError(
      await gw.anon().post(`/api/v1/positions/${CONTRACT}/exercise`).set(trader),
      404,
      'POSITION_NOT_FOUND',
    );
    expect(none['details']).toMatchObject({
      symbol: CONTRACT,
      upstream_status: 403,
      upstream_message: 'no available position for the specified contract',
    });
    gw.emulator.fixtures.positions.push({ ...optionPosition('-1'), side: 'short' });
    const short = expectCatalogError(
      await gw.anon().post(`/api/v1/positions/${CONTRACT}/exercise`).set(trader),
      422,
      'ORDER_REJECTED',
    );
    expect(short['details']).toMatchObject({
      upstream_status: 403,
      upstream_code: 40310001,
      upstream_message: 'cannot exercise short position',
    });
  });
});
