/**
 * EmulatorOptions.accounts over HTTP: each account's trading state is its own (account object,
 * orders, positions, activities), market data is shared, wrong credentials are refused, and the
 * request log, faults and rate-limit budgets can be told apart per account.
 */
import { AlpacaEmulator, defaultFixtures, rateLimitFault } from '../alpaca-emulator.js';
import { arr, call, obj } from '../spec-helpers.js';
import { callAs, LIVE, PAPER } from './account-spec-helpers.js';

const emulator = new AlpacaEmulator({ accounts: [PAPER, LIVE] });
const fixtures = defaultFixtures();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
const ids = (value: unknown): unknown[] => arr(value).map((o) => obj(o).id);
const orderIds = async (account: typeof PAPER): Promise<unknown[]> =>
  ids((await callAs(emulator, account, 'trading', '/v2/orders?status=all')).json);

describe('each account has its own trading state', () => {
  it('account objects: the first is the fixture, the second has its own id and number, same values otherwise', async () => {
    const paper = obj((await callAs(emulator, PAPER, 'trading', '/v2/account')).json);
    const live = obj((await callAs(emulator, LIVE, 'trading', '/v2/account')).json);
    expect(paper).toEqual(fixtures.account);
    expect(live.id).not.toBe(paper.id);
    expect(live.account_number).not.toBe(paper.account_number);
    expect({ ...live, id: paper.id, account_number: paper.account_number }).toEqual(paper);
    expect(emulator.account('live').trading.account).toEqual(live);
  });

  it('fixture order ids differ between accounts, and one account cannot read the other’s order', async () => {
    const paperIds = await orderIds(PAPER);
    const liveIds = await orderIds(LIVE);
    expect(paperIds).toEqual(fixtures.orders.map((o) => o.id));
    expect(liveIds).toHaveLength(paperIds.length);
    expect(liveIds.filter((id) => paperIds.includes(id))).toEqual([]);
    expect((await callAs(emulator, LIVE, 'trading', `/v2/orders/${String(paperIds[0])}`)).status).toBe(404);
    expect((await callAs(emulator, LIVE, 'trading', `/v2/orders/${String(liveIds[0])}`)).status).toBe(200);
  });

  it('an order placed under one account never shows under the other, in either direction', async () => {
    const before = { paper: await orderIds(PAPER), live: await orderIds(LIVE) };
    const paperOrder = obj(
      (await callAs(emulator, PAPER, 'trading', '/v2/orders', { method: 'POST', body: LIMIT_BUY })).json,
    );
    const liveOrder = obj(
      (await callAs(emulator, LIVE, 'trading', '/v2/orders', { method: 'POST', body: { ...LIMIT_BUY, qty: '5' } }))
        .json,
    );
    expect(await orderIds(PAPER)).toEqual([paperOrder.id, ...before.paper]);
    expect(await orderIds(LIVE)).toEqual([liveOrder.id, ...before.live]);
    expect((await callAs(emulator, PAPER, 'trading', `/v2/orders/${String(liveOrder.id)}`)).status).toBe(404);
    expect(
      (await callAs(emulator, LIVE, 'trading', `/v2/orders/${String(paperOrder.id)}`, { method: 'DELETE' })).status,
    ).toBe(404);
    // Test controls find the order's account by its id, or are told which one.
    expect(emulator.fillOrder(String(liveOrder.id), { price: '149' }).order.status).toBe('filled');
    expect(() => emulator.expireOrder(String(paperOrder.id), 'live')).toThrow(/no order/);
    expect(emulator.account('paper').orderEvents.emitted.map((e) => e.order.id)).toEqual([paperOrder.id]);
    expect(emulator.account('live').orderEvents.emitted.map((e) => [e.event, e.order.id])).toEqual([
      ['new', liveOrder.id],
      ['fill', liveOrder.id],
    ]);
    expect(emulator.orderEvents).toBe(emulator.account('paper').orderEvents);
  });

  it('closing a position under one account leaves the other’s positions and orders alone', async () => {
    const closing = obj((await callAs(emulator, LIVE, 'trading', '/v2/positions/AAPL', { method: 'DELETE' })).json);
    expect((await callAs(emulator, LIVE, 'trading', '/v2/positions/AAPL')).status).toBe(404);
    expect(obj((await callAs(emulator, PAPER, 'trading', '/v2/positions/AAPL')).json)).toEqual(fixtures.positions[0]);
    expect(await orderIds(LIVE)).toContain(closing.id);
    expect(await orderIds(PAPER)).not.toContain(closing.id);
    expect(emulator.fixtures.positions).toHaveLength(fixtures.positions.length);
  });

  it('activities: an exercise under one account is recorded for that account only; positions are set per account', async () => {
    const option = {
      ...fixtures.positions[0],
      symbol: 'AAPL250620C00100000',
      asset_id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
      qty: '1',
      asset_class: 'us_option',
    };
    emulator.account('paper').trading.positions.push({ ...option });
    emulator.account('live').trading.positions = [{ ...option }];
    expect(arr((await callAs(emulator, LIVE, 'trading', '/v2/positions')).json)).toHaveLength(1);
    expect(arr((await callAs(emulator, PAPER, 'trading', '/v2/positions')).json)).toHaveLength(
      fixtures.positions.length + 1,
    );
    expect(
      (await callAs(emulator, PAPER, 'trading', '/v2/positions/AAPL250620C00100000/exercise', { method: 'POST' }))
        .status,
    ).toBe(200);
    const types = async (account: typeof PAPER): Promise<unknown[]> =>
      arr((await callAs(emulator, account, 'trading', '/v2/account/activities')).json).map((a) => obj(a).activity_type);
    expect(await types(PAPER)).toContain('OPEXC');
    expect(await types(LIVE)).not.toContain('OPEXC');
    expect((await callAs(emulator, LIVE, 'trading', '/v2/positions/AAPL250620C00100000')).status).toBe(200);
  });

  it('reset() gives every account its starting state back', async () => {
    await callAs(emulator, LIVE, 'trading', '/v2/orders', { method: 'POST', body: LIMIT_BUY });
    emulator.account('live').trading.positions = [];
    const liveIds = await orderIds(LIVE);
    emulator.reset();
    expect(await orderIds(LIVE)).toHaveLength(fixtures.orders.length);
    expect(await orderIds(LIVE)).toEqual(liveIds.slice(1));
    expect(emulator.account(LIVE.keyId).trading.positions).toHaveLength(fixtures.positions.length);
  });
});

describe('credentials', () => {
  it('refuses unknown credentials, and one account’s key with the other’s secret, on both hosts', async () => {
    for (const host of ['trading', 'data'] as const) {
      const path = host === 'trading' ? '/v2/account' : '/v2/stocks/quotes/latest?symbols=AAPL';
      expect(
        (
          await call(emulator, host, path, {
            auth: { 'APCA-API-KEY-ID': 'emulator-key-id', 'APCA-API-SECRET-KEY': 'emulator-secret-key' },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await call(emulator, host, path, {
            auth: { 'APCA-API-KEY-ID': PAPER.keyId, 'APCA-API-SECRET-KEY': LIVE.secretKey },
          })
        ).status,
      ).toBe(401);
      expect((await call(emulator, host, path, { auth: false })).status).toBe(401);
    }
  });

  it('market data answers every account the same', async () => {
    const path = '/v2/stocks/quotes/latest?symbols=AAPL';
    const paper = await callAs(emulator, PAPER, 'data', path);
    expect(paper.status).toBe(200);
    expect((await callAs(emulator, LIVE, 'data', path)).json).toEqual(paper.json);
  });

  it('rejects bad account lists and unknown account names', () => {
    expect(() => new AlpacaEmulator({ accounts: [] })).toThrow(TypeError);
    expect(() => new AlpacaEmulator({ accounts: [PAPER, { ...LIVE, name: 'paper' }] })).toThrow(/names/);
    expect(() => new AlpacaEmulator({ accounts: [PAPER, { ...LIVE, keyId: PAPER.keyId }] })).toThrow(/key ids/);
    expect(() => new AlpacaEmulator({ accounts: [PAPER], keyId: 'k' })).toThrow(/not both/);
    expect(() => emulator.account('margin')).toThrow(RangeError);
    expect(emulator.accounts.map((a) => a.name)).toEqual(['paper', 'live']);
    expect([emulator.keyId, emulator.secretKey]).toEqual([PAPER.keyId, PAPER.secretKey]);
  });
});

describe('request log, faults and budgets per account', () => {
  it('records the key id and account of each request', async () => {
    await callAs(emulator, PAPER, 'trading', '/v2/account');
    await callAs(emulator, LIVE, 'trading', '/v2/account');
    await call(emulator, 'trading', '/v2/account', {
      auth: { 'APCA-API-KEY-ID': LIVE.keyId, 'APCA-API-SECRET-KEY': 'wrong' },
    });
    expect(emulator.requests.map((r) => [r.keyId, r.account])).toEqual([
      [PAPER.keyId, 'paper'],
      [LIVE.keyId, 'live'],
      [LIVE.keyId, undefined],
    ]);
    expect(emulator.requestsTo('/v2/account', 'trading', 'live')).toHaveLength(1);
    expect(emulator.requestsTo('/v2/account', 'trading', PAPER.keyId)).toHaveLength(1);
    expect(emulator.requestsOf('live').map((r) => r.keyId)).toEqual([LIVE.keyId]);
  });

  it('a 429 armed for one account answers that account only', async () => {
    emulator.injectFault(rateLimitFault({ account: 'live', path: '/v2/orders' }));
    expect((await callAs(emulator, LIVE, 'trading', '/v2/orders')).status).toBe(429);
    expect((await callAs(emulator, PAPER, 'trading', '/v2/orders')).status).toBe(200);
    expect((await callAs(emulator, LIVE, 'trading', '/v2/account')).status).toBe(200);
    expect(() => emulator.injectFault({ kind: 'hang', account: 'nobody' })).toThrow(RangeError);
  });

  it('counts X-RateLimit-Remaining per account', async () => {
    const remaining = async (account: typeof PAPER): Promise<string | null> =>
      (await callAs(emulator, account, 'trading', '/v2/clock')).headers.get('x-ratelimit-remaining');
    expect(await remaining(PAPER)).toBe('199');
    expect(await remaining(PAPER)).toBe('198');
    expect(await remaining(LIVE)).toBe('199');
  });

  it('control routes: per-account faults and request logs, the account list; unknown accounts → 400', async () => {
    const control = (path: string, method = 'GET', body?: unknown) =>
      call(emulator, 'trading', `/__emulator/${path}`, { method, body, auth: false });
    expect(
      (await control('faults', 'POST', { kind: 'status', status: 503, account: LIVE.keyId, times: 1 })).status,
    ).toBe(200);
    expect((await callAs(emulator, PAPER, 'trading', '/v2/account')).status).toBe(200);
    expect((await callAs(emulator, LIVE, 'trading', '/v2/account')).status).toBe(503);
    expect(arr((await control('requests?account=live')).json).map((r) => obj(r).account)).toEqual(['live']);
    expect(arr((await control('requests')).json)).toHaveLength(2);
    expect((await control('accounts')).json).toEqual([
      { name: 'paper', keyId: PAPER.keyId },
      { name: 'live', keyId: LIVE.keyId },
    ]);
    expect((await control('requests?account=nobody')).status).toBe(400);
    expect((await control('faults', 'POST', { kind: 'hang', account: 'nobody' })).status).toBe(400);
  });
});
