/**
 * The pre-trade risk gate (issue 27): every order write, through /api/v1 and through the
 * Alpaca-compatible face, passes the caller's policy (RISK_POLICY_FILE) before anything is
 * audited as requested or sent. Each rule refuses the order that breaks it and passes the one just
 * inside it; a refused order leaves nothing at "Alpaca" (the emulator's request log) and exactly
 * one `order_refused` audit record naming the rule.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { freePort } from '../../integration/redis-server.js';
import { ensureBuilt, runGatewayToExit } from '../support/built-gateway.js';
import { expectCatalogError, KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { OffsetClock } from '../support/offset-clock.js';
import { parseExposition, valueOf } from '../support/prometheus-text.js';

type Json = Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'opitios-risk-'));
const POLICY_FILE = join(dir, 'risk-policy.yaml');
const CALL = 'AAPL240426C00162500';
const PUT = 'AAPL240426P00160000';
/** AAPL's fixtures: quote bid 172.6 / ask 172.7, latest trade 172.6; position 2 shares. */
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };
const MARKET_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' };

/** Writes the policy file as an editor saves it (a new file renamed over the old one). */
function writePolicy(policies: Json | string): void {
  const tmp = `${POLICY_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, typeof policies === 'string' ? policies : JSON.stringify({ policies }));
  renameSync(tmp, POLICY_FILE);
}

let gw: Gateway;
const clock = new OffsetClock();
let principalNo = 0;
/** A trader token of its own per test, so that no count carries over between tests. */
let trader: { Authorization: string };

beforeAll(async () => {
  writePolicy({});
  gw = await startGateway({ RISK_POLICY_FILE: POLICY_FILE }, {}, undefined, { clock });
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await gw.reset();
  principalNo += 1;
  trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: `risk-trader-${principalNo}` })}` };
  freshPrices();
});

/** The emulator's latest quotes and trades stamped "now" (as the gateway's clock reads it). */
function freshPrices(ageMs = 0): void {
  const t = new Date(clock.now() - ageMs).toISOString();
  const f = gw.emulator.fixtures;
  for (const q of Object.values(f.stockQuotes)) q.t = t;
  for (const tr of Object.values(f.stockTrades)) tr.t = t;
  for (const s of Object.values(f.optionSnapshots)) {
    if (s?.latestQuote !== undefined) s.latestQuote.t = t;
    if (s?.latestTrade !== undefined) s.latestTrade.t = t;
  }
}

/** Writes to "Alpaca" (anything but a read on the trading host). */
function writesSent(): Array<{ method: string; path: string }> {
  return gw.emulator.requests
    .filter((r) => r.host === 'trading' && r.method !== 'GET')
    .map((r) => ({ method: r.method, path: r.path }));
}

function auditRecords(): Json[] {
  return readFileSync(gw.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

let keyNo = 0;
const order = (body: Json, headers: Json = trader): request.Test =>
  gw
    .anon()
    .post('/api/v1/orders')
    .set(headers as Record<string, string>)
    .set('Idempotency-Key', `risk-${principalNo}-${(keyNo += 1)}`)
    .send(body);

/**
 * Sends a write the gate must refuse: 422 RISK_LIMIT_EXCEEDED with exactly these details (and the
 * account, here the one account `default`), nothing sent to Alpaca, one `order_refused` record
 * with the same details. Returns the error.
 */
async function expectRefused(send: () => request.Test, breach: Json): Promise<Json> {
  const details = { ...breach, account: 'default' };
  const sentBefore = writesSent().length;
  const auditBefore = auditRecords().length;
  const error = expectCatalogError(await send(), 422, 'RISK_LIMIT_EXCEEDED');
  expect(error['details']).toEqual(details);
  expect(writesSent().slice(sentBefore)).toEqual([]);
  const refused = auditRecords().slice(auditBefore);
  expect(refused.map((r) => [r['action'], r['outcome'], r['details']])).toEqual([
    ['order_refused', 'refused', details],
  ]);
  return error;
}

/** Sends a write the gate must let through: Alpaca's answer (2xx), one write sent, no refusal record. */
async function expectPassed(send: () => request.Test): Promise<request.Response> {
  const sentBefore = writesSent().length;
  const auditBefore = auditRecords().length;
  const res = await send();
  // The error (if any) in the failure message, not only the status.
  expect({ ok: res.status < 300, error: (res.body as { error?: unknown }).error }).toEqual({
    ok: true,
    error: undefined,
  });
  expect(writesSent().slice(sentBefore)).toHaveLength(1);
  expect(
    auditRecords()
      .slice(auditBefore)
      .map((r) => r['action']),
  ).not.toContain('order_refused');
  return res;
}

describe('each rule refuses the order that breaks it and passes the one just inside it', () => {
  it('symbols_allowed', async () => {
    writePolicy({ default: { symbols_allowed: ['AAPL'] } });
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: 'MSFT' }), {
      rule: 'symbols_allowed',
      limit: ['AAPL'],
      requested: 'MSFT',
    });
  });

  it('symbols_denied (an option by its underlying too)', async () => {
    writePolicy({ default: { symbols_denied: ['MSFT', 'aapl'] } });
    await expectPassed(() => order({ ...LIMIT_BUY, symbol: 'TSLA' }));
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: 'MSFT' }), {
      rule: 'symbols_denied',
      limit: ['MSFT', 'AAPL'],
      requested: 'MSFT',
    });
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: CALL, limit_price: '4.3' }), {
      rule: 'symbols_denied',
      limit: ['MSFT', 'AAPL'],
      requested: CALL,
    });
  });

  it('max_order_qty', async () => {
    writePolicy({ default: { max_order_qty: 10 } });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '10' }));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '11' }), { rule: 'max_order_qty', limit: 10, requested: 11 });
  });

  it('max_order_notional: qty × limit price; a market order × the latest ask', async () => {
    writePolicy({ default: { max_order_notional: 1500 } });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '10', limit_price: '150' }));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '10', limit_price: '150.01' }), {
      rule: 'max_order_notional',
      limit: 1500,
      requested: 1500.1,
    });
    // Market: 8 × ask 172.7 = 1381.6 passes, 9 × 172.7 = 1554.3 does not.
    await expectPassed(() => order({ ...MARKET_BUY, qty: '8' }));
    await expectRefused(() => order({ ...MARKET_BUY, qty: '9' }), {
      rule: 'max_order_notional',
      limit: 1500,
      requested: 1554.3,
    });
    // A notional order is its notional.
    await expectPassed(() =>
      order({ symbol: 'AAPL', notional: '1500', side: 'buy', type: 'market', time_in_force: 'day' }),
    );
    await expectRefused(
      () => order({ symbol: 'AAPL', notional: '1500.01', side: 'buy', type: 'market', time_in_force: 'day' }),
      {
        rule: 'max_order_notional',
        limit: 1500,
        requested: 1500.01,
      },
    );
  });

  it('max_order_notional with no fresh quote refuses naming the rule: a price is never guessed', async () => {
    writePolicy({ default: { max_order_notional: 1_000_000 } });
    // One second past RISK_PRICE_MAX_AGE_SECONDS (60).
    freshPrices(61_000);
    const error = await expectRefused(() => order(MARKET_BUY), {
      rule: 'max_order_notional',
      limit: 1_000_000,
      requested: null,
      reason: expect.stringMatching(/^the latest ask of AAPL is 6\d s old \(RISK_PRICE_MAX_AGE_SECONDS 60\)$/),
    });
    expect(error['message']).toMatch(/max_order_notional could not be checked/);
    // A symbol Alpaca has no quote for.
    await expectRefused(() => order({ ...MARKET_BUY, symbol: 'ZZZZ' }), {
      rule: 'max_order_notional',
      limit: 1_000_000,
      requested: null,
      reason: 'SYMBOL_NOT_FOUND',
    });
    // The limit order needs no quote.
    await expectPassed(() => order(LIMIT_BUY));
  });

  it('price_band_pct: the limit within ± pct of the latest trade (172.6)', async () => {
    writePolicy({ default: { price_band_pct: 5 } });
    await expectPassed(() => order({ ...LIMIT_BUY, limit_price: '163.97' }));
    await expectRefused(() => order({ ...LIMIT_BUY, limit_price: '163.96' }), {
      rule: 'price_band_pct',
      limit: 5,
      requested: 5.0058,
    });
    await expectRefused(() => order({ ...LIMIT_BUY, limit_price: '181.24' }), {
      rule: 'price_band_pct',
      limit: 5,
      requested: 5.0058,
    });
    // A market order has no limit price to hold against the band.
    await expectPassed(() => order(MARKET_BUY));
  });

  it('max_orders_per_minute: orders the principal sent in the last minute', async () => {
    writePolicy({ default: { max_orders_per_minute: 2 } });
    await expectPassed(() => order(LIMIT_BUY));
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order(LIMIT_BUY), { rule: 'max_orders_per_minute', limit: 2, requested: 3 });
    // Another principal has its own count.
    await expectPassed(() =>
      order(LIMIT_BUY, { Authorization: `Bearer ${tokenFor(['trader'], { sub: `risk-other-${principalNo}` })}` }),
    );
    clock.advance(60_001);
    freshPrices();
    await expectPassed(() => order(LIMIT_BUY));
  });

  it('max_orders_per_minute: an order Alpaca refused does not count', async () => {
    writePolicy({ default: { max_orders_per_minute: 1 } });
    gw.emulator.injectFault({
      method: 'POST',
      path: '/v2/orders',
      kind: 'status',
      status: 422,
      body: { code: 42210000, message: 'qty must be > 0' },
      times: 1,
    });
    expectCatalogError(await order(LIMIT_BUY), 422, 'ORDER_REJECTED');
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order(LIMIT_BUY), { rule: 'max_orders_per_minute', limit: 1, requested: 2 });
  });

  it("max_open_orders: the account's open orders as Alpaca lists them", async () => {
    const open = gw.emulator.fixtures.orders.filter((o) => o['status'] === 'new').length;
    writePolicy({ default: { max_open_orders: open + 1 } });
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order(LIMIT_BUY), { rule: 'max_open_orders', limit: open + 1, requested: open + 2 });
    expect(
      gw.emulator
        .requestsTo('/v2/orders', 'trading')
        .filter((r) => r.method === 'GET')
        .at(-1)?.query,
    ).toEqual({ status: 'open', limit: '500' });
  });

  it('max_position_qty: |position (2) ± qty|', async () => {
    writePolicy({ default: { max_position_qty: 5 } });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '3' }));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '4' }), { rule: 'max_position_qty', limit: 5, requested: 6 });
    await expectPassed(() => order({ ...LIMIT_BUY, side: 'sell', qty: '7', limit_price: '200' }));
    await expectRefused(() => order({ ...LIMIT_BUY, side: 'sell', qty: '8', limit_price: '200' }), {
      rule: 'max_position_qty',
      limit: 5,
      requested: 6,
    });
  });

  it('max_daily_notional: sent today, refused orders not counted', async () => {
    writePolicy({ default: { max_daily_notional: 3000 } });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '10' }));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '20' }), {
      rule: 'max_daily_notional',
      limit: 3000,
      requested: 4500,
    });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '10' }));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '1', limit_price: '0.01' }), {
      rule: 'max_daily_notional',
      limit: 3000,
      requested: 3000.01,
    });
  });

  it('allow_short: false refuses a sell past flat (position 2)', async () => {
    writePolicy({ default: { allow_short: false } });
    await expectPassed(() => order({ ...LIMIT_BUY, side: 'sell', qty: '2', limit_price: '200' }));
    await expectRefused(() => order({ ...LIMIT_BUY, side: 'sell', qty: '3', limit_price: '200' }), {
      rule: 'allow_short',
      limit: false,
      requested: -1,
    });
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: 'TSLA', side: 'sell', limit_price: '900' }), {
      rule: 'allow_short',
      limit: false,
      requested: -1,
    });
  });

  it('allow_options: false refuses contracts, stocks pass', async () => {
    writePolicy({ default: { allow_options: false } });
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: CALL, limit_price: '4.3' }), {
      rule: 'allow_options',
      limit: false,
      requested: CALL,
    });
  });

  it('order_types', async () => {
    writePolicy({ default: { order_types: ['limit', 'stop_limit'] } });
    await expectPassed(() => order(LIMIT_BUY));
    await expectRefused(() => order(MARKET_BUY), {
      rule: 'order_types',
      limit: ['limit', 'stop_limit'],
      requested: 'market',
    });
  });

  it('reduce_only: only orders that shrink |position| (2) without crossing flat', async () => {
    writePolicy({ default: { reduce_only: true } });
    await expectPassed(() => order({ ...LIMIT_BUY, side: 'sell', qty: '2', limit_price: '200' }));
    await expectRefused(() => order({ ...LIMIT_BUY, side: 'sell', qty: '3', limit_price: '200' }), {
      rule: 'reduce_only',
      limit: true,
      requested: -1,
    });
    await expectRefused(() => order(LIMIT_BUY), { rule: 'reduce_only', limit: true, requested: 3 });
    await expectRefused(() => order({ ...LIMIT_BUY, symbol: 'TSLA' }), {
      rule: 'reduce_only',
      limit: true,
      requested: 1,
    });
  });
});

describe('every kind of order write passes the gate', () => {
  it('a multi-leg order counts every leg: Σ qty × ratio × quote × 100', async () => {
    // Sell the call at its bid (4.15), buy 2 puts at their ask (0.23): 415 + 46 = 461 per unit.
    const spread = {
      order_class: 'mleg',
      qty: '1',
      type: 'limit',
      limit_price: '-3.69',
      time_in_force: 'day',
      legs: [
        { symbol: CALL, ratio_qty: '1', side: 'sell', position_intent: 'sell_to_open' },
        { symbol: PUT, ratio_qty: '2', side: 'buy', position_intent: 'buy_to_open' },
      ],
    };
    writePolicy({ default: { max_order_notional: 461 } });
    await expectPassed(() => order(spread));
    await expectRefused(() => order({ ...spread, qty: '2' }), {
      rule: 'max_order_notional',
      limit: 461,
      requested: 922,
    });
    writePolicy({ default: { max_order_qty: 1 } });
    await expectRefused(() => order(spread), { rule: 'max_order_qty', limit: 1, requested: 2 });
  });

  it('a replacement: the order as it would be (qty, limit price)', async () => {
    const id = String(gw.emulator.fixtures.orders.find((o) => o['status'] === 'new')?.['id']);
    writePolicy({ default: { max_order_notional: 1500 } });
    const patch = (body: Json) => () =>
      gw
        .anon()
        .patch(`/api/v1/orders/${id}`)
        .set(trader)
        .set('Idempotency-Key', `risk-replace-${(keyNo += 1)}`)
        .send(body);
    // 10 × its limit 150 = 1500.
    await expectRefused(patch({ qty: '10', limit_price: '150.01' }), {
      rule: 'max_order_notional',
      limit: 1500,
      requested: 1500.1,
    });
    await expectPassed(patch({ qty: '10' }));
  });

  it('a close with qty or percentage (the whole position is never refused), and an exercise', async () => {
    writePolicy({ default: { max_order_qty: 1, allow_options: false } });
    const close = (symbol: string, query: Json) => () =>
      gw.anon().delete(`/api/v1/positions/${symbol}`).query(query).set(trader);
    await expectRefused(close('AAPL', { qty: '2' }), { rule: 'max_order_qty', limit: 1, requested: 2 });
    await expectPassed(close('AAPL', { qty: '1' }));
    // 50 % of MSFT's 3 shares.
    await expectRefused(close('MSFT', { percentage: '50' }), { rule: 'max_order_qty', limit: 1, requested: 1.5 });
    await expectPassed(close('MSFT', {}));
    gw.emulator.fixtures.positions.push({
      symbol: CALL,
      asset_class: 'us_option',
      qty: '2',
      qty_available: '2',
      side: 'long',
      current_price: '4.2',
    });
    await expectRefused(() => gw.anon().post(`/api/v1/positions/${CALL}/exercise`).set(trader), {
      rule: 'allow_options',
      limit: false,
      requested: CALL,
    });
    writePolicy({ default: { max_order_qty: 1 } });
    await expectRefused(() => gw.anon().post(`/api/v1/positions/${CALL}/exercise`).set(trader), {
      rule: 'max_order_qty',
      limit: 1,
      requested: 2,
    });
    writePolicy({ default: { max_order_qty: 2 } });
    await expectPassed(() => gw.anon().post(`/api/v1/positions/${CALL}/exercise`).set(trader));
  });

  it("through the Alpaca-compatible face: Alpaca's 422 body, our code in X-Error-Code, nothing sent", async () => {
    writePolicy({ default: { max_order_qty: 10 } });
    const { key, record } = new ApiKeyStore(gw.apiKeysFile).create(`face-${principalNo}`, ['trader']);
    const auditBefore = auditRecords().length;
    const res = await gw
      .anon()
      .post('/v2/orders')
      .set('APCA-API-KEY-ID', record.id)
      .set('APCA-API-SECRET-KEY', key)
      .send({ ...LIMIT_BUY, qty: '11' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 42210000, message: expect.stringContaining('max_order_qty') });
    expect(res.headers['x-error-code']).toBe('RISK_LIMIT_EXCEEDED');
    expect(writesSent()).toEqual([]);
    expect(
      auditRecords()
        .slice(auditBefore)
        .map((r) => [r['action'], r['details']]),
    ).toEqual([['order_refused', { rule: 'max_order_qty', limit: 10, requested: 11, account: 'default' }]]);
  });
});

describe('policies: which one governs, and changes without a restart', () => {
  it("a key's named policy replaces the default (for the key and its tokens); a missing one refuses", async () => {
    writePolicy({ default: { max_order_qty: 10 }, bots: { max_order_qty: 100 } });
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create(`bot-${principalNo}`, ['trader'], new Date(), 'bots');
    const asKey = { 'X-API-Key': key };
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '50' }, asKey));
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '50' }), { rule: 'max_order_qty', limit: 10, requested: 50 });
    // A token issued for the key trades under the key's policy, as the key file says now.
    const token = (await gw.anon().post('/api/v1/auth/token').set(asKey).expect(200)).body.data.access_token as string;
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '50' }, { Authorization: `Bearer ${token}` }));
    store.setRiskPolicy(record.id, null);
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '50' }, { Authorization: `Bearer ${token}` }), {
      rule: 'max_order_qty',
      limit: 10,
      requested: 50,
    });
    store.setRiskPolicy(record.id, 'nosuch');
    await expectRefused(() => order(LIMIT_BUY, asKey), {
      rule: 'risk_policy',
      limit: ['default', 'bots'],
      requested: 'nosuch',
      reason: 'the key\'s risk policy "nosuch" is not in RISK_POLICY_FILE',
    });
    // With no default policy, principals without a named one trade under no rule.
    writePolicy({ bots: { max_order_qty: 1 } });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '50' }));
  });

  it('the file is reloaded on change; a bad file keeps the last good policy, logged and counted', async () => {
    writePolicy('policies:\n  default:\n    max_order_qty: 10\n');
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '15' }), { rule: 'max_order_qty', limit: 10, requested: 15 });
    writePolicy('policies:\n  default:\n    max_order_qty: 20\n');
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '15' }));
    const logsBefore = gw.logs.length;
    writePolicy('policies:\n  default:\n    max_order_qty: lots\n');
    await expectRefused(() => order({ ...LIMIT_BUY, qty: '25' }), { rule: 'max_order_qty', limit: 20, requested: 25 });
    await expectPassed(() => order({ ...LIMIT_BUY, qty: '15' }));
    const failed = gw.logs.slice(logsBefore).filter((l) => l['message'] === 'risk_policy_reload_failed');
    // Once per bad version, not once per order.
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'error', kept: ['default'] });
    expect(String(failed[0]?.['error'])).toContain('policy "default", rule max_order_qty: must be a number');
    const metrics = parseExposition((await gw.anon().get('/metrics').expect(200)).text);
    expect(valueOf(metrics, 'opitios_risk_policy_reloads_total', { outcome: 'invalid' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(metrics, 'opitios_risk_refusals_total', { rule: 'max_order_qty' })).toBeGreaterThanOrEqual(2);
  });
});

describe('idempotency and the gate', () => {
  it('a repeat of a key already answered returns its stored answer without passing the gate again', async () => {
    writePolicy({ default: { max_orders_per_minute: 1 } });
    const key = `risk-replay-${principalNo}`;
    const first = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader)
      .set('Idempotency-Key', key)
      .send(LIMIT_BUY)
      .expect(201);
    const auditBefore = auditRecords().length;
    // The gate would refuse a second order this minute; the repeat is no new order.
    const again = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader)
      .set('Idempotency-Key', key)
      .send(LIMIT_BUY)
      .expect(200);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(
      auditRecords()
        .slice(auditBefore)
        .map((r) => r['action']),
    ).toEqual(['order_replayed']);
    await expectRefused(() => order(LIMIT_BUY), { rule: 'max_orders_per_minute', limit: 1, requested: 2 });
  });

  it('a refused key is free again: the same key with an order inside the limit is placed', async () => {
    writePolicy({ default: { max_order_qty: 10 } });
    const key = `risk-retry-${principalNo}`;
    const send = (qty: string) => () =>
      gw
        .anon()
        .post('/api/v1/orders')
        .set(trader)
        .set('Idempotency-Key', key)
        .send({ ...LIMIT_BUY, qty });
    await expectRefused(send('11'), { rule: 'max_order_qty', limit: 10, requested: 11 });
    const placed = await expectPassed(send('10'));
    expect(placed.status).toBe(201);
  });
});

describe('the counters fail closed when Redis is away', () => {
  it('with REDIS_URL unreachable, an order under max_orders_per_minute is refused naming the rule; others trade', async () => {
    const port = await freePort();
    const away = await startGateway({ RISK_POLICY_FILE: POLICY_FILE, REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      writePolicy({ default: { max_orders_per_minute: 100 }, open: { max_order_qty: 100 } });
      const res = await away.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY);
      expect(expectCatalogError(res, 422, 'RISK_LIMIT_EXCEEDED')['details']).toEqual({
        rule: 'max_orders_per_minute',
        limit: 100,
        requested: null,
        account: 'default',
        reason: "the fleet's counters (Redis) did not answer: submit refused until they do",
      });
      expect(away.emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
      const { key } = new ApiKeyStore(away.apiKeysFile).create('no-counters', ['trader'], new Date(), 'open');
      await away.anon().post('/api/v1/orders').set('X-API-Key', key).send(LIMIT_BUY).expect(201);
    } finally {
      await away.close();
    }
  });
});

describe('documentation', () => {
  it('Swagger documents RISK_LIMIT_EXCEEDED (422) on every order write route', async () => {
    const doc = (await gw.anon().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
    };
    const examples = (path: string, method: string): string[] => {
      const content = doc.paths[path]?.[method]?.responses['422']?.['content'] as
        Record<string, { examples?: Json }> | undefined;
      return Object.keys(content?.['application/json']?.examples ?? {});
    };
    for (const [path, method] of [
      ['/api/v1/orders', 'post'],
      ['/api/v1/orders/{id}', 'patch'],
      ['/api/v1/positions/{symbol}', 'delete'],
      ['/api/v1/positions/{contract}/exercise', 'post'],
    ] as const) {
      expect({ path, method, examples: examples(path, method) }).toEqual({
        path,
        method,
        examples: expect.arrayContaining(['RISK_LIMIT_EXCEEDED', 'ORDER_REJECTED']),
      });
    }
  });
});

describe('boot', () => {
  it('says so when no policy file is set', async () => {
    const none = await startGateway();
    try {
      expect(none.logs.find((l) => l['message'] === 'risk_policy_off')).toMatchObject({
        note: 'RISK_POLICY_FILE is not set: no risk rule applies to any order',
      });
    } finally {
      await none.close();
    }
    expect(gw.logs.find((l) => l['message'] === 'risk_policy_loaded')).toMatchObject({
      file: POLICY_FILE,
      policies: [],
    });
  });

  it('a bad file stops the process (exit 1) with one line naming the policy and the rule', async () => {
    ensureBuilt();
    const emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY });
    await emulator.start();
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ policies: { default: {}, bots: { max_order_qty: 10, order_types: ['limit', 'moc'] } } }),
    );
    try {
      const run = await runGatewayToExit(emulator, await freePort(), { RISK_POLICY_FILE: bad });
      expect(run.code).toBe(1);
      expect(run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([
        `RISK_POLICY_FILE ${bad}: policy "bots", rule order_types: must be a non-empty list of order types (market, limit, stop, stop_limit, trailing_stop)`,
      ]);
    } finally {
      await emulator.stop();
    }
  }, 120_000);
});
