import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';
import { startTwoAccountGateway } from '../support/two-accounts.js';

/**
 * Several Alpaca accounts behind one gateway (docs/contract.md "Accounts"): the emulator serves
 * `paper` and `live` (each its own orders, positions and rate-limit window, told apart by the
 * keys a request carries), the gateway is configured with the same two.
 */
let gw: Gateway;

const BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };

beforeAll(async () => {
  gw = await startTwoAccountGateway();
});
afterAll(async () => {
  await gw.close();
});
beforeEach(async () => {
  await gw.reset();
});

function keyFor(name: string, accounts: string[] | null, roles: Array<'trader' | 'viewer'> = ['trader']): string {
  return new ApiKeyStore(gw.apiKeysFile).create(name, roles, new Date(), null, accounts).key;
}

function postedOrders(account: string): Array<Record<string, unknown>> {
  return gw.emulator
    .requestsTo('/v2/orders', 'trading', account)
    .filter((r) => r.method === 'POST')
    .map((r) => r.body as Record<string, unknown>);
}

describe('several accounts: kept apart', () => {
  it("an order through paper is only in paper's orders, and one through live only in live's", async () => {
    const key = keyFor('both', ['paper', 'live']);
    const onPaper = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('Idempotency-Key', 'acct-iso-paper')
      .send(BUY)
      .expect(201);
    expect(onPaper.body.metadata.account).toBe('paper');
    const onLive = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'acct-iso-live')
      .send({ ...BUY, symbol: 'TSLA' })
      .expect(201);
    expect(onLive.body.metadata.account).toBe('live');

    // Each order went to its own account's keys, and only there.
    expect(postedOrders('paper').map((b) => b['client_order_id'])).toEqual(['acct-iso-paper']);
    expect(postedOrders('live').map((b) => b['client_order_id'])).toEqual(['acct-iso-live']);

    const ordersOf = async (account: string): Promise<string[]> => {
      const res = await gw
        .anon()
        .get('/api/v1/orders?status=all&limit=500')
        .set('X-API-Key', key)
        .set('X-Alpaca-Account', account)
        .expect(200);
      expect(res.body.metadata.account).toBe(account);
      expect(res.headers['cache-control']).toBe('no-store');
      return (res.body.data as Array<{ id: string }>).map((o) => o.id);
    };
    // Live's order is no order of paper's: 404 there, naming the account asked.
    const notOnPaper = expectCatalogError(
      await gw
        .anon()
        .get(`/api/v1/orders/${onLive.body.data.id as string}`)
        .set('X-API-Key', key),
      404,
      'ORDER_NOT_FOUND',
    );
    expect(notOnPaper['details']).toMatchObject({ account: 'paper', upstream_status: 404 });
    const paperIds = await ordersOf('paper');
    const liveIds = await ordersOf('live');
    expect(paperIds).toContain(onPaper.body.data.id);
    expect(paperIds).not.toContain(onLive.body.data.id);
    expect(liveIds).toContain(onLive.body.data.id);
    expect(liveIds).not.toContain(onPaper.body.data.id);

    // A position only live holds is read through live only.
    const paperBefore = await gw.anon().get('/api/v1/positions').set('X-API-Key', key).expect(200);
    const livePositionsHeld = gw.emulator.account('live').trading.positions;
    livePositionsHeld.push({
      ...livePositionsHeld[0],
      symbol: 'TSLA',
      asset_id: 'b28f4066-5c6d-479b-a2af-85dc1a8f16fb',
    });
    const livePositions = await gw
      .anon()
      .get('/api/v1/positions')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .expect(200);
    expect((livePositions.body.data as Array<{ symbol: string }>).map((p) => p.symbol)).toContain('TSLA');
    const paperAfter = await gw.anon().get('/api/v1/positions').set('X-API-Key', key).expect(200);
    expect(paperAfter.body.data).toEqual(paperBefore.body.data);
    expect((paperAfter.body.data as Array<{ symbol: string }>).map((p) => p.symbol)).not.toContain('TSLA');
    // The account objects are the two accounts' own.
    const paperAccount = await gw.anon().get('/api/v1/account').set('X-API-Key', key).expect(200);
    const liveAccount = await gw
      .anon()
      .get('/api/v1/account')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .expect(200);
    expect(paperAccount.body.data.id).toBe(gw.emulator.account('paper').trading.account['id']);
    expect(liveAccount.body.data.id).toBe(gw.emulator.account('live').trading.account['id']);
    expect(paperAccount.body.data.id).not.toBe(liveAccount.body.data.id);
  });

  it('the audit trail names the account of each order', async () => {
    const key = keyFor('audited', ['live', 'paper']);
    await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('Idempotency-Key', 'acct-audit-1')
      .send(BUY)
      .expect(201);
    const { readFileSync } = await import('node:fs');
    const records = readFileSync(gw.auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['resource'] === 'order:acct-audit-1');
    expect(records.map((r) => [r['action'], r['account']])).toEqual([
      ['order_requested', 'live'],
      ['order_accepted', 'live'],
    ]);
  });
});

describe('several accounts: who may use which', () => {
  it('a key bound to paper asking for live is 403 ACCOUNT_NOT_ALLOWED, and nothing is sent', async () => {
    const key = keyFor('paper-only', ['paper']);
    gw.emulator.clearRequests();
    const res = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'acct-refused')
      .send(BUY);
    const error = expectCatalogError(res, 403, 'ACCOUNT_NOT_ALLOWED');
    expect(error['details']).toEqual({
      account: 'live',
      allowed: ['paper'],
      header: 'X-Alpaca-Account',
      sent: false,
    });
    expect(res.body.metadata.suggested_actions[0]).toMatch(/X-Alpaca-Account/);
    // Reads too, and an account the gateway does not have at all.
    expectCatalogError(
      await gw.anon().get('/api/v1/account').set('X-API-Key', key).set('X-Alpaca-Account', 'live'),
      403,
      'ACCOUNT_NOT_ALLOWED',
    );
    expectCatalogError(
      await gw.anon().get('/api/v1/account').set('X-API-Key', key).set('X-Alpaca-Account', 'nosuch'),
      403,
      'ACCOUNT_NOT_ALLOWED',
    );
    expect(gw.emulator.requests.filter((r) => r.host === 'trading')).toEqual([]);
    // Without the header the key uses its own account.
    const own = await gw.anon().get('/api/v1/account').set('X-API-Key', key).expect(200);
    expect(own.body.metadata.account).toBe('paper');
  });

  it('a key bound to both switches by header; an unbound key gets the first account only', async () => {
    const both = keyFor('both-switch', ['live', 'paper']);
    const byDefault = await gw.anon().get('/api/v1/account').set('X-API-Key', both).expect(200);
    // The key's first account is its default.
    expect(byDefault.body.metadata.account).toBe('live');
    const switched = await gw
      .anon()
      .get('/api/v1/account')
      .set('X-API-Key', both)
      .set('X-Alpaca-Account', 'paper')
      .expect(200);
    expect(switched.body.metadata.account).toBe('paper');
    expect(gw.emulator.requestsTo('/v2/account', 'trading', 'live')).toHaveLength(1);
    expect(gw.emulator.requestsTo('/v2/account', 'trading', 'paper')).toHaveLength(1);

    const unbound = keyFor('unbound', null);
    const first = await gw.anon().get('/api/v1/account').set('X-API-Key', unbound).expect(200);
    expect(first.body.metadata.account).toBe('paper');
    const refused = expectCatalogError(
      await gw.anon().get('/api/v1/account').set('X-API-Key', unbound).set('X-Alpaca-Account', 'live'),
      403,
      'ACCOUNT_NOT_ALLOWED',
    );
    expect(refused['details']).toMatchObject({ allowed: ['paper'] });
  });

  it("a token carries its key's accounts and follows the key's binding as it is now", async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create('tokened', ['trader'], new Date(), null, ['paper', 'live']);
    const issued = await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200);
    expect(issued.body.data.accounts).toEqual(['paper', 'live']);
    const bearer = `Bearer ${issued.body.data.access_token as string}`;
    await gw.anon().get('/api/v1/account').set('Authorization', bearer).set('X-Alpaca-Account', 'live').expect(200);
    store.setAccounts(record.id, ['paper']);
    expectCatalogError(
      await gw.anon().get('/api/v1/account').set('Authorization', bearer).set('X-Alpaca-Account', 'live'),
      403,
      'ACCOUNT_NOT_ALLOWED',
    );
    // An identity-provider-style token names its accounts in the `accounts` claim; without it, the first.
    const plain = tokenFor(['trader'], { sub: 'no-accounts' });
    const res = await gw.anon().get('/api/v1/account').set('Authorization', `Bearer ${plain}`).expect(200);
    expect(res.body.metadata.account).toBe('paper');
    // A token of no key names its accounts in the `accounts` claim, its default first.
    const liveOnly = `Bearer ${tokenFor(['trader'], { sub: 'claims-live', accounts: ['live'] })}`;
    const byClaim = await gw.anon().get('/api/v1/account').set('Authorization', liveOnly).expect(200);
    expect(byClaim.body.metadata.account).toBe('live');
    expectCatalogError(
      await gw.anon().get('/api/v1/account').set('Authorization', liveOnly).set('X-Alpaca-Account', 'paper'),
      403,
      'ACCOUNT_NOT_ALLOWED',
    );
    // A malformed claim refuses the token itself.
    const bad = await gw
      .anon()
      .get('/api/v1/account')
      .set('Authorization', `Bearer ${tokenFor(['trader'], { sub: 'claims-bad', accounts: ['Live!'] })}`);
    expect(expectCatalogError(bad, 401, 'INVALID_TOKEN')['details']).toEqual({
      reason: 'token accounts must name accounts (a-z 0-9 _)',
    });
  });

  it('the Alpaca-compatible face picks the account by header and says which in X-Alpaca-Account', async () => {
    const key = keyFor('face', ['paper', 'live']);
    const [id] = key.split('_').slice(1, 2);
    const res = await gw
      .anon()
      .get('/v2/account')
      .set('APCA-API-KEY-ID', id ?? '')
      .set('APCA-API-SECRET-KEY', key)
      .set('X-Alpaca-Account', 'live')
      .expect(200);
    expect(res.headers['x-alpaca-account']).toBe('live');
    expect(res.body.id).toBe(gw.emulator.account('live').trading.account['id']);
    // A key bound to paper only: refused in Alpaca's error body, so the SDKs raise it as they would Alpaca's 403.
    const paperKey = keyFor('face-paper', ['paper']);
    const refused = await gw
      .anon()
      .get('/v2/orders')
      .set('APCA-API-KEY-ID', paperKey.split('_')[1] ?? '')
      .set('APCA-API-SECRET-KEY', paperKey)
      .set('X-Alpaca-Account', 'live')
      .expect(403);
    expect(refused.headers['x-error-code']).toBe('ACCOUNT_NOT_ALLOWED');
    expect(refused.body).toEqual({
      code: 40310000,
      message: 'This credential may not use the Alpaca account "live".',
    });
  });

  it('market data goes through the data account (the first) whoever asks', async () => {
    const key = keyFor('md', ['live'], ['viewer']);
    gw.emulator.clearRequests();
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('X-API-Key', key).expect(200);
    const dataCalls = gw.emulator.requests.filter((r) => r.host === 'data');
    expect(dataCalls.length).toBeGreaterThan(0);
    expect(dataCalls.every((r) => r.account === 'paper')).toBe(true);
  });
});

describe('several accounts: idempotency and budgets per account', () => {
  it('the same Idempotency-Key on both accounts places two orders; repeated on one, one', async () => {
    const key = keyFor('idem', ['paper', 'live']);
    const send = (account: string) =>
      gw
        .anon()
        .post('/api/v1/orders')
        .set('X-API-Key', key)
        .set('X-Alpaca-Account', account)
        .set('Idempotency-Key', 'same-key-both')
        .send(BUY);
    const paper = await send('paper').expect(201);
    const live = await send('live').expect(201);
    expect(paper.body.data.id).not.toBe(live.body.data.id);
    const again = await send('paper').expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data.id).toBe(paper.body.data.id);
    expect(postedOrders('paper')).toHaveLength(1);
    expect(postedOrders('live')).toHaveLength(1);
    // Another body under the key on one account is that account's conflict only.
    expectCatalogError(
      await gw
        .anon()
        .post('/api/v1/orders')
        .set('X-API-Key', key)
        .set('X-Alpaca-Account', 'live')
        .set('Idempotency-Key', 'same-key-both')
        .send({ ...BUY, qty: '5' }),
      409,
      'IDEMPOTENCY_CONFLICT',
    );
  });

  it("one account's 429 from Alpaca does not slow the other's orders", async () => {
    const key = keyFor('budget', ['paper', 'live']);
    const reset = String(Math.ceil(Date.now() / 1000) + 60);
    gw.emulator.injectFault({
      account: 'live',
      host: 'trading',
      kind: 'status',
      status: 429,
      body: { code: 42910000, message: 'rate limit exceeded' },
      headers: { 'X-RateLimit-Limit': '200', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset },
    });
    const limited = await gw.anon().get('/api/v1/account').set('X-API-Key', key).set('X-Alpaca-Account', 'live');
    expect(limited.status).toBe(503);
    expect(limited.body.error.code).toBe('UPSTREAM_RATE_LIMITED');
    // A trading host's failure names the account it was for.
    expect(limited.body.error.details).toMatchObject({ upstream: 'trading', upstream_status: 429, account: 'live' });
    // Live's window is spent: its next order is refused before anything is sent...
    gw.emulator.clearRequests();
    const blocked = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'budget-live')
      .send(BUY);
    expect(blocked.status).toBe(503);
    expect(blocked.body.error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(blocked.body.error.details).toMatchObject({ account: 'live', sent: false, budget: 'alpaca_window' });
    expect(postedOrders('live')).toEqual([]);
    // ...while paper's orders go through at once.
    const paper = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('Idempotency-Key', 'budget-paper')
      .send(BUY)
      .expect(201);
    expect(paper.body.metadata.account).toBe('paper');
    expect(postedOrders('paper').map((b) => b['client_order_id'])).toEqual(['budget-paper']);
  });
});

describe('several accounts: metrics by account', () => {
  it('counts orders and refusals per account and shows each account its breaker and budget lane', async () => {
    const key = keyFor('metered', ['paper', 'live']);
    const metricsBefore = (await gw.anon().get('/metrics').expect(200)).text;
    const count = (text: string, series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    };
    await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'metered-live')
      .send(BUY)
      .expect(201);
    const text = (await gw.anon().get('/metrics').expect(200)).text;
    const accepted = (account: string): string =>
      `opitios_account_events_total{account="${account}",event="order_accepted"}`;
    expect(count(text, accepted('live')) - count(metricsBefore, accepted('live'))).toBe(1);
    expect(count(text, accepted('paper')) - count(metricsBefore, accepted('paper'))).toBe(0);
    // Both trading lanes have their own breaker series; the data host is the data account's.
    expect(text).toContain('opitios_circuit_state{upstream="trading",account="paper"} 0');
    expect(text).toContain('opitios_circuit_state{upstream="trading",account="live"} 0');
    expect(text).toContain('opitios_circuit_state{upstream="data",account="paper"} 0');
    expect(text).toMatch(
      /opitios_upstream_requests_total\{api="trading",endpoint="\/v2\/orders",outcome="success",account="live"\} \d/,
    );
  });
});

describe('several accounts: halting one account', () => {
  const HALT = '/api/v1/admin/trading/halt';
  const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'ops-admin' })}` };

  it('account:live refuses every order on live (423) and cancels only its open orders; paper trades on', async () => {
    const key = keyFor('halted', ['paper', 'live']);
    gw.emulator.clearRequests();
    const halted = await gw
      .anon()
      .post(HALT)
      .set(admin)
      .send({ scope: 'account:live', reason: 'live account review', cancel_open_orders: true })
      .expect(200);
    expect(halted.body.data.halt).toMatchObject({ scope: 'account:live', reason: 'live account review' });
    const cancels = gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'DELETE');
    expect(cancels.map((r) => r.account)).toEqual(['live']);
    expect(halted.body.data.cancel_open_orders.accounts.map((a: { account: string }) => a.account)).toEqual(['live']);
    try {
      const refused = await gw
        .anon()
        .post('/api/v1/orders')
        .set('X-API-Key', key)
        .set('X-Alpaca-Account', 'live')
        .set('Idempotency-Key', 'halted-live')
        .send(BUY);
      expect(expectCatalogError(refused, 423, 'TRADING_HALTED')['details']).toMatchObject({
        scope: 'account:live',
        reason: 'live account review',
      });
      expect(postedOrders('live')).toEqual([]);
      const paper = await gw
        .anon()
        .post('/api/v1/orders')
        .set('X-API-Key', key)
        .set('Idempotency-Key', 'halted-paper')
        .send(BUY)
        .expect(201);
      expect(paper.body.metadata.account).toBe('paper');
    } finally {
      await gw.anon().delete(HALT).query({ scope: 'account:live', reason: 'review done' }).set(admin).expect(200);
    }
  });

  it("a halt of all with cancel_open_orders cancels every account's open orders", async () => {
    gw.emulator.clearRequests();
    const halted = await gw
      .anon()
      .post(HALT)
      .set(admin)
      .send({ scope: 'all', reason: 'stop everything', cancel_open_orders: true })
      .expect(200);
    try {
      const cancels = gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'DELETE');
      expect(cancels.map((r) => r.account).sort()).toEqual(['live', 'paper']);
      const outcome = halted.body.data.cancel_open_orders;
      expect(outcome.accounts.map((a: { account: string }) => a.account)).toEqual(['paper', 'live']);
      expect(outcome.error).toBeNull();
    } finally {
      await gw.anon().delete(HALT).query({ scope: 'all', reason: 'resumed' }).set(admin).expect(200);
    }
  });
});
