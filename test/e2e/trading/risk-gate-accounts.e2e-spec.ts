/**
 * The risk gate on a gateway of two Alpaca accounts (issue 29): a policy's `accounts` say which
 * accounts' orders it governs, and the counters (orders per minute, daily notional) are each
 * account's own. A refusal names its account; the emulator shows which account got what.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { LIVE, PAPER } from '../support/two-accounts.js';
import { expectCatalogError, startGateway, type Gateway } from '../support/harness.js';
import { OffsetClock } from '../support/offset-clock.js';

type Json = Record<string, unknown>;
type Account = 'paper' | 'live';

const dir = mkdtempSync(join(tmpdir(), 'opitios-risk-accounts-'));
const POLICY_FILE = join(dir, 'risk-policy.json');
/** AAPL's fixtures: quote bid 172.6 / ask 172.7; a limit order's notional is qty × 150. */
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

function writePolicy(policies: Json): void {
  const tmp = `${POLICY_FILE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ policies }));
  renameSync(tmp, POLICY_FILE);
}

const clock = new OffsetClock();
let gw: Gateway;

beforeAll(async () => {
  writePolicy({});
  // The harness configures ALPACA_ACCOUNTS=paper,live from the emulator's accounts.
  gw = await startGateway({ RISK_POLICY_FILE: POLICY_FILE }, { accounts: [PAPER, LIVE] }, undefined, { clock });
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

let keyNo = 0;
/** An API key of its own per test (no count carries over), bound to both accounts, under `policy` if given. */
let asKey: { 'X-API-Key': string };
beforeEach(async () => {
  await gw.reset();
  keyNo += 1;
  const t = new Date(clock.now()).toISOString();
  for (const q of Object.values(gw.emulator.fixtures.stockQuotes)) q.t = t;
  const { key } = new ApiKeyStore(gw.apiKeysFile).create(`both-${keyNo}`, ['trader'], new Date(), null, [
    'paper',
    'live',
  ]);
  asKey = { 'X-API-Key': key };
});

let orderNo = 0;
const order = (account: Account, body: Json = LIMIT_BUY, headers: Record<string, string> = asKey) =>
  gw
    .anon()
    .post('/api/v1/orders')
    .set(headers)
    .set('X-Alpaca-Account', account)
    .set('Idempotency-Key', `risk-accounts-${(orderNo += 1)}`)
    .send(body);

/** Orders "Alpaca" received with this account's credentials: their bodies. */
function ordersAt(account: Account): unknown[] {
  return gw.emulator
    .requestsTo('/v2/orders', 'trading', account)
    .filter((r) => r.method === 'POST')
    .map((r) => r.body);
}

function refusals(): Json[] {
  return readFileSync(gw.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json)
    .filter((r) => r['action'] === 'order_refused');
}

async function expectRefused(account: Account, body: Json, details: Json): Promise<void> {
  const before = { sent: ordersAt(account).length, refused: refusals().length };
  const error = expectCatalogError(await order(account, body), 422, 'RISK_LIMIT_EXCEEDED');
  expect(error['details']).toEqual(details);
  expect(ordersAt(account).length).toBe(before.sent);
  expect(
    refusals()
      .slice(before.refused)
      .map((r) => [r['account'], r['details']]),
  ).toEqual([[account, details]]);
}

async function expectPlaced(account: Account, body: Json, headers?: Record<string, string>): Promise<void> {
  const before = ordersAt(account);
  const res = await order(account, body, headers);
  expect({ status: res.status, error: (res.body as Json)['error'] }).toEqual({ status: 201, error: undefined });
  expect((res.body as { metadata: Json }).metadata['account']).toBe(account);
  expect(ordersAt(account)).toEqual([...before, expect.objectContaining({ symbol: body['symbol'], qty: body['qty'] })]);
}

describe("a policy's accounts: the orders it governs", () => {
  it('accounts: [live] refuses a live order over the limit and lets the same order through on paper', async () => {
    writePolicy({ default: { max_order_qty: 10, accounts: ['live'] } });
    const big = { ...LIMIT_BUY, qty: '11' };
    await expectRefused('live', big, { rule: 'max_order_qty', limit: 10, requested: 11, account: 'live' });
    await expectPlaced('paper', big);
    // Inside the limit, live trades too.
    await expectPlaced('live', { ...LIMIT_BUY, qty: '10' });
    expect(ordersAt('live')).toEqual([expect.objectContaining({ qty: '10' })]);
  });

  it("a key's named policy left out by its accounts governs nothing there: the default does not step in", async () => {
    writePolicy({ default: { max_order_qty: 5 }, bots: { max_order_qty: 1, accounts: ['paper'] } });
    const { key } = new ApiKeyStore(gw.apiKeysFile).create(`bot-${keyNo}`, ['trader'], new Date(), 'bots', [
      'paper',
      'live',
    ]);
    const bot = { 'X-API-Key': key };
    await expectPlaced('live', { ...LIMIT_BUY, qty: '20' }, bot);
    const error = expectCatalogError(await order('paper', { ...LIMIT_BUY, qty: '2' }, bot), 422, 'RISK_LIMIT_EXCEEDED');
    expect(error['details']).toEqual({ rule: 'max_order_qty', limit: 1, requested: 2, account: 'paper' });
    // The other keys stay under the default, on both accounts.
    await expectRefused(
      'live',
      { ...LIMIT_BUY, qty: '6' },
      { rule: 'max_order_qty', limit: 5, requested: 6, account: 'live' },
    );
  });

  it('a reloaded file logs which policies are limited to which accounts, and names the ones not served here', async () => {
    writePolicy({ default: { max_order_qty: 10, accounts: ['live', 'staging'] } });
    // The next order makes the gateway look at the file (API_KEYS_RELOAD_MS is 0 in tests).
    await expectPlaced('paper', { ...LIMIT_BUY, qty: '11' });
    const reloaded = gw.logs.filter((l) => l['message'] === 'risk_policy_reloaded').at(-1);
    expect(reloaded).toMatchObject({
      policy_accounts: { default: ['live', 'staging'] },
      unserved_accounts: ['staging'],
    });
  });
});

describe('counters are per key and per account', () => {
  it("max_orders_per_minute: one account's orders never use another's places", async () => {
    writePolicy({ default: { max_orders_per_minute: 1 } });
    await expectPlaced('paper', LIMIT_BUY);
    await expectRefused('paper', LIMIT_BUY, {
      rule: 'max_orders_per_minute',
      limit: 1,
      requested: 2,
      account: 'paper',
    });
    await expectPlaced('live', LIMIT_BUY);
    await expectRefused('live', LIMIT_BUY, { rule: 'max_orders_per_minute', limit: 1, requested: 2, account: 'live' });
  });

  it("max_daily_notional: each account's day is its own", async () => {
    writePolicy({ default: { max_daily_notional: 2000 } });
    const ten = { ...LIMIT_BUY, qty: '10' };
    await expectPlaced('live', ten);
    await expectRefused('live', ten, { rule: 'max_daily_notional', limit: 2000, requested: 3000, account: 'live' });
    // Paper has spent nothing today: the same 1500 USD goes through there.
    await expectPlaced('paper', ten);
    expect([ordersAt('paper').length, ordersAt('live').length]).toEqual([1, 1]);
  });
});
