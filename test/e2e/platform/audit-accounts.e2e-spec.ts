import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { JsonlAuditStore } from '../../../src/audit/store/jsonl-audit.store.js';
import type { AuditRecord } from '../../../src/audit/audit.types.js';
import { ensureBuilt } from '../support/built-gateway.js';
import { eventually, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';
import { startTwoAccountGateway } from '../support/two-accounts.js';

const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'auditor' })}` };

function trail(gw: Gateway): AuditRecord[] {
  return readFileSync(gw.auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

describe('audit records name their Alpaca account (JSONL trail)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startTwoAccountGateway();
  }, 30_000);
  afterAll(async () => {
    await gw.close();
  });

  it('orders on two accounts carry their account, ?account= filters, and the chain (with older records) verifies', async () => {
    // A record as a gateway wrote it before accounts existed: an order record naming no account.
    const older = new JsonlAuditStore(gw.auditFile);
    await older.init();
    await older.append({
      actor: { sub: 'old-trader', roles: ['trader'], key_id: null },
      action: 'order_requested',
      resource: 'order:before-accounts',
      outcome: 'pending',
      request_id: null,
      client_ip: null,
      details: { order: LIMIT_BUY },
    });
    await older.close();

    const { key } = new ApiKeyStore(gw.apiKeysFile).create('both', ['trader'], new Date(), null, ['paper', 'live']);
    const onPaper = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('Idempotency-Key', 'acct-paper-1')
      .send(LIMIT_BUY)
      .expect(201);
    expect(onPaper.body.metadata).toMatchObject({ account: 'paper' });
    const onLive = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'acct-live-1')
      .send(LIMIT_BUY)
      .expect(201);
    expect(onLive.body.metadata).toMatchObject({ account: 'live' });

    await eventually(() =>
      expect(trail(gw).map((r) => [r.action, r.resource, r.account])).toEqual([
        ['order_requested', 'order:before-accounts', undefined],
        ['order_requested', 'order:acct-paper-1', 'paper'],
        ['order_accepted', 'order:acct-paper-1', 'paper'],
        ['order_requested', 'order:acct-live-1', 'live'],
        ['order_accepted', 'order:acct-live-1', 'live'],
      ]),
    );
    const written = trail(gw);
    // Absent, not null: the older record reads back exactly as it was hashed.
    expect(written[0]).not.toHaveProperty('account');

    const live = await gw.anon().get('/api/v1/audit/events').query({ account: 'live' }).set(admin).expect(200);
    expect(live.body.data).toEqual({
      events: written.filter((r) => r.account === 'live'),
      page_info: { has_more: false, next_cursor: null },
    });
    expect(live.body.data.events.map((r: AuditRecord) => r.details['order_id'] ?? 'requested')).toEqual([
      'requested',
      onLive.body.data.id,
    ]);
    const paper = await gw
      .anon()
      .get('/api/v1/audit/events')
      .query({ account: 'paper', action: 'order_requested' })
      .set(admin)
      .expect(200);
    expect(paper.body.data.events).toEqual([written[1]]);
    const none = await gw.anon().get('/api/v1/audit/events').query({ account: 'margin' }).set(admin).expect(200);
    expect(none.body.data.events).toEqual([]);
    // The whole trail answers every record exactly as stored, the older one without `account`.
    const all = await gw.anon().get('/api/v1/audit/events').set(admin).expect(200);
    expect(all.body.data.events).toEqual(written);
    expect(all.body.data.events[0]).not.toHaveProperty('account');

    const verified = await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200);
    expect(verified.body.data).toMatchObject({
      ok: true,
      records_checked: 5,
      first_broken: null,
      last_seq: 5,
      last_hash: written[4]?.hash,
    });
  });

  it.each(['Live', 'live-1', '1live', 'a'.repeat(33), ''])(
    '?account=%s is no account name: 400 INVALID_PARAMETER',
    async (account) => {
      const error = expectCatalogError(
        await gw.anon().get('/api/v1/audit/events').query({ account }).set(admin),
        400,
        'INVALID_PARAMETER',
      );
      expect(String(error['message'])).toContain('account must be an account name');
    },
  );

  it('npm run audit:verify verifies the trail with and without account fields', async () => {
    ensureBuilt();
    const cli = join(process.cwd(), 'dist', 'src', 'audit', 'audit-verify.cli.js');
    // Exit 0, or execFile rejects; the environment is built from scratch (no DATABASE_URL leaks in).
    const { stdout } = await promisify(execFile)(process.execPath, [cli, '--file', gw.auditFile], {
      env: { PATH: process.env['PATH'] ?? '' },
    });
    const verdict = JSON.parse(stdout) as { ok: boolean; records_checked: number };
    expect(verdict).toMatchObject({ ok: true, first_broken: null });
    expect(verdict.records_checked).toBe(trail(gw).length);
    expect(trail(gw).some((r) => r.account === undefined)).toBe(true);
    expect(trail(gw).some((r) => r.account === 'live')).toBe(true);
  }, 120_000);
});
