import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { startGateway, eventually, expectCatalogError, tokenFor, type Gateway } from '../support/harness.js';

const LIMIT_BUY = { symbol: 'AAPL', qty: '2', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'trader-audit' })}` };
const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'auditor' })}` };

interface Rec {
  seq: number;
  action: string;
  resource: string;
  outcome: string;
  actor: { sub: string | null; roles: string[]; key_id: string | null };
  request_id: string | null;
  client_ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  time: string;
}

/** The audit routes answer from the gateway's own trail: no Alpaca, no upstream call, never cached. */
const AUDIT_PROVENANCE = {
  data_source: 'gateway_audit',
  provider: 'gateway',
  provider_host: 'audit_store:jsonl',
  feed: null,
  market_status: null,
  upstream_request_ids: [],
  cache: { status: 'BYPASS', age_seconds: 0 },
};

function expectAuditAttribution(res: {
  headers: Record<string, string>;
  body: { metadata: Record<string, unknown> };
}): void {
  expect(res.body.metadata).toMatchObject(AUDIT_PROVENANCE);
  expect(res.body.metadata).not.toHaveProperty('trading_mode');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-data-source']).toBe('gateway_audit');
  expect(res.headers['x-cache-status']).toBe('BYPASS');
}

function records(gw: Gateway): Rec[] {
  return readFileSync(gw.auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);
}

describe('audit trail', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('records orders, tokens, auth failures and denials with actor, request id, IP and a hash chain', async () => {
    const order = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader)
      .set('Idempotency-Key', 'audit-1')
      .send(LIMIT_BUY)
      .expect(201);
    const { key } = new ApiKeyStore(gw.apiKeysFile).create('audited', ['viewer']);
    await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200);
    await gw.anon().get('/api/v1/stocks/AAPL/quote').set('Authorization', 'Bearer nope.nope.nope').expect(401);
    await gw.anon().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day' }).set('X-API-Key', key).expect(403);

    // Refusals are audited without holding up their answer: wait for the records to land.
    await eventually(() =>
      expect(records(gw).map((r) => r.action)).toEqual([
        'order_requested',
        'order_accepted',
        'token_issued',
        'auth_failure',
        'permission_denied',
      ]),
    );
    const all = records(gw);
    const [requested, accepted, issued, failure, denied] = all;
    expect(requested).toMatchObject({
      seq: 1,
      resource: 'order:audit-1',
      outcome: 'pending',
      actor: { sub: 'trader-audit', roles: ['trader'], key_id: null },
      request_id: order.headers['x-request-id'],
      details: { order: { ...LIMIT_BUY, client_order_id: 'audit-1' } },
    });
    expect(requested?.client_ip).toMatch(/127\.0\.0\.1|::1/);
    expect(accepted).toMatchObject({
      seq: 2,
      resource: 'order:audit-1',
      details: { order_id: order.body.data.id, reconciled: false },
    });
    expect(issued?.actor.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(failure).toMatchObject({
      outcome: 'INVALID_TOKEN',
      actor: { sub: null },
      resource: 'route:GET /api/v1/stocks/:symbol/quote',
      details: { credential: 'bearer', path: '/api/v1/stocks/AAPL/quote', path_truncated: false },
    });
    expect(failure?.request_id).toMatch(/^req_/);
    expect(denied).toMatchObject({
      outcome: 'INSUFFICIENT_PERMISSIONS',
      resource: 'route:GET /api/v1/stocks/:symbol/bars',
      actor: { key_id: issued?.actor.key_id },
      details: { required_permission: 'history:read' },
    });
    // No secret in the trail.
    const text = readFileSync(gw.auditFile, 'utf8');
    expect(text).not.toContain(key);
    expect(text).not.toContain('nope.nope.nope');
    // The chain links.
    expect(all[0]?.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < all.length; i += 1) expect(all[i]?.prev_hash).toBe(all[i - 1]?.hash);
  });

  it('GET /audit/events: admin only, filtered, paged by cursor', async () => {
    expectCatalogError(await gw.anon().get('/api/v1/audit/events').set(trader), 403, 'INSUFFICIENT_PERMISSIONS');
    const byAction = await gw
      .anon()
      .get('/api/v1/audit/events')
      .query({ action: 'order_requested' })
      .set(admin)
      .expect(200);
    expect(byAction.body.data.events.map((e: Rec) => e.action)).toEqual(['order_requested']);
    const byActor = await gw.anon().get('/api/v1/audit/events').query({ actor: 'trader-audit' }).set(admin).expect(200);
    expect(byActor.body.data.events.every((e: Rec) => e.actor.sub === 'trader-audit')).toBe(true);
    const page1 = await gw.anon().get('/api/v1/audit/events').query({ limit: '2' }).set(admin).expect(200);
    expect(page1.body.data.events.map((e: Rec) => e.seq)).toEqual([1, 2]);
    expect(page1.body.data.page_info).toEqual({ has_more: true, next_cursor: 2 });
    // Attributed to the trail; data_timestamp is the newest record's own time, as written.
    expectAuditAttribution(page1);
    expect(page1.body.metadata.data_timestamp).toBe(records(gw)[1]?.time);
    expect(page1.body.metadata.data_freshness_seconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(page1.body)).toEqual(['data', 'metadata']);
    expect(Object.keys(page1.body.data)).toEqual(['events', 'page_info']);
    expect(page1.body.data.events).toEqual(records(gw).slice(0, 2));
    const page2 = await gw.anon().get('/api/v1/audit/events').query({ limit: '2', cursor: '2' }).set(admin).expect(200);
    expect(page2.body.data.events.map((e: Rec) => e.seq)).toEqual([3, 4]);
    const future = await gw.anon().get('/api/v1/audit/events').query({ since: '2999-01-01' }).set(admin).expect(200);
    expect(future.body.data.events).toEqual([]);
    expectAuditAttribution(future);
    expect(future.body.metadata).toMatchObject({ data_timestamp: null, data_freshness_seconds: null });
    expectCatalogError(
      await gw.anon().get('/api/v1/audit/events').query({ since: '2024-02-01', until: '2024-01-01' }).set(admin),
      400,
      'INVALID_DATE_RANGE',
    );
    expectCatalogError(
      await gw.anon().get('/api/v1/audit/events').query({ action: 'dance' }).set(admin),
      400,
      'INVALID_PARAMETER',
    );
  });

  it('GET /audit/verify: a clean log verifies', async () => {
    const res = await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200);
    expect(res.body.data).toMatchObject({ ok: true, first_broken: null });
    expect(res.body.data.records_checked).toBeGreaterThanOrEqual(5);
    expect(Object.keys(res.body.data).sort()).toEqual([
      'checkpoint',
      'first_broken',
      'last_hash',
      'last_seq',
      'ok',
      'records_checked',
    ]);
    expectAuditAttribution(res);
    expect(res.body.metadata).toMatchObject({ data_timestamp: null, data_freshness_seconds: null });
  });
});

describe('tampering is detected at the record', () => {
  async function tampered(
    edit: (lines: string[]) => string[],
  ): Promise<{ ok: boolean; first_broken: { seq: number | null; position: number; reason: string } | null }> {
    const gw = await startGateway();
    try {
      for (let i = 0; i < 3; i += 1) {
        await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `t-${i}`).send(LIMIT_BUY).expect(201);
      }
      const lines = readFileSync(gw.auditFile, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(6);
      writeFileSync(gw.auditFile, `${edit(lines).join('\n')}\n`);
      return (await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200)).body.data;
    } finally {
      await gw.close();
    }
  }

  it('an edited line fails at that record', async () => {
    const result = await tampered((lines) =>
      lines.map((l, i) => (i === 3 ? l.replace('"outcome":"', '"outcome":"x') : l)),
    );
    expect(result.ok).toBe(false);
    expect(result.first_broken).toMatchObject({ seq: 4, position: 4 });
    expect(result.first_broken?.reason).toContain('changed');
  });

  it('a deleted line fails at the record after the gap', async () => {
    const result = await tampered((lines) => lines.filter((_, i) => i !== 2));
    expect(result.first_broken).toMatchObject({ seq: 4, position: 3 });
  });

  it('two swapped lines fail at the first of them', async () => {
    const result = await tampered((lines) => {
      const copy = [...lines];
      [copy[1], copy[2]] = [copy[2] ?? '', copy[1] ?? ''];
      return copy;
    });
    expect(result.first_broken).toMatchObject({ seq: 3, position: 2 });
  });

  it('a line made unreadable fails there', async () => {
    const result = await tampered((lines) => lines.map((l, i) => (i === 4 ? l.slice(0, 20) : l)));
    expect(result.first_broken).toMatchObject({ seq: null, position: 5 });
  });
});

describe('when the audit store cannot write', () => {
  it('order routes refuse with 503 AUDIT_UNAVAILABLE and send nothing; read routes go on', async () => {
    // A directory where the file should be: every write fails.
    const notAFile = mkdtempSync(join(tmpdir(), 'not-a-file-'));
    const gw = await startGateway({ AUDIT_LOG_PATH: notAFile });
    try {
      const res = await gw.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY);
      expectCatalogError(res, 503, 'AUDIT_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('30');
      // The failure's log line names the request that met it.
      expect(
        gw.logs.filter((l) => l['message'] === 'audit_write_failed' && l['request_id'] === res.headers['x-request-id']),
      ).toEqual([expect.objectContaining({ level: 'error', action: 'order_requested' })]);
      expect(gw.emulator.requestsTo('/v2/orders', 'trading')).toHaveLength(0);
      const id = String(gw.emulator.fixtures.orders[0]?.['id']);
      expectCatalogError(await gw.anon().delete(`/api/v1/orders/${id}`).set(trader), 503, 'AUDIT_UNAVAILABLE');
      await gw.anon().get('/api/v1/account').set(trader).expect(200);
      await gw.anon().get('/api/v1/orders').set(trader).expect(200);
      await gw.anon().get('/api/v1/stocks/AAPL/quote').set(trader).expect(200);
      expect(gw.logs.some((l) => l['message'] === 'audit_store_unavailable')).toBe(true);
      // Readiness says so too, and metrics count the failed writes.
      const ready = await gw.anon().get('/api/v1/health/ready');
      expect(ready.status).toBe(503);
      expect(JSON.stringify(ready.body)).toContain('audit_store');
      const metrics = await gw.anon().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/opitios_audit_events_total\{[^}]*outcome="failed"[^}]*\} [1-9]/);
    } finally {
      await gw.close();
      rmSync(notAFile, { recursive: true, force: true });
    }
  });
});
