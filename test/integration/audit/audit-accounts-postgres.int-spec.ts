import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { chainRecord } from '../../../src/audit/audit-chain.js';
import { UNKEYED } from '../../../src/audit/audit-keys.js';
import { GENESIS_HASH, type AuditRecord } from '../../../src/audit/audit.types.js';
import { PostgresAuditStore } from '../../../src/audit/store/postgres-audit.store.js';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { ensureBuilt } from '../../e2e/support/built-gateway.js';
import { eventually, expectCatalogError, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { startTwoAccountGateway } from '../../e2e/support/two-accounts.js';
import { testDatabaseUrl } from '../test-database.js';

/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();
const HMAC_KEY = 'acct:integration-audit-hmac-secret-0123456789';
const admin = { Authorization: `Bearer ${tokenFor(['admin'])}` };
const ORDER = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

/** The table as gateways created it before records named accounts (no `account` column). */
const OLD_TABLE = `
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY, time TEXT NOT NULL, actor JSONB NOT NULL, action TEXT NOT NULL,
  resource TEXT NOT NULL, outcome TEXT NOT NULL, request_id TEXT, client_ip TEXT,
  details JSONB NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, hmac_kid TEXT
)`;

interface Verdict {
  ok: boolean;
  records_checked: number;
  first_broken: unknown;
}

describe('PostgreSQL audit records name their Alpaca account', () => {
  let db: pg.Client;
  let gw: Gateway;
  let older: AuditRecord;

  beforeAll(() => ensureBuilt(), 120_000);
  beforeAll(async () => {
    db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query('DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_checkpoints');
    await db.query(OLD_TABLE);
    // A record an older gateway wrote: an order record, unkeyed, naming no account.
    older = chainRecord(
      {
        actor: { sub: 'old-trader', roles: ['trader'], key_id: null },
        action: 'order_requested',
        resource: 'order:before-accounts',
        outcome: 'pending',
        request_id: null,
        client_ip: null,
        details: { order: ORDER },
      },
      { seq: 1, prevHash: GENESIS_HASH, time: new Date('2026-01-02T15:00:00.000Z') },
      UNKEYED,
    );
    await db.query(
      `INSERT INTO audit_events (seq, time, actor, action, resource, outcome, request_id, client_ip, details, prev_hash, hash)
       VALUES (1, $1, $2, $3, $4, $5, NULL, NULL, $6, $7, $8)`,
      [
        older.time,
        JSON.stringify(older.actor),
        older.action,
        older.resource,
        older.outcome,
        JSON.stringify(older.details),
        older.prev_hash,
        older.hash,
      ],
    );
    gw = await startTwoAccountGateway({ DATABASE_URL, AUDIT_HMAC_KEY: HMAC_KEY });
  }, 60_000);
  afterAll(async () => {
    await gw.close();
    await db.end();
  });

  it('adds the column and its index at init, idempotently, beside the older rows', async () => {
    // The gateway's init ran once; a second store's init (another instance booting) changes nothing.
    const again = new PostgresAuditStore(DATABASE_URL);
    await again.init();
    await again.close();
    const columns = await db.query<{ column_name: string; is_nullable: string }>(
      "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = 'audit_events' AND column_name = 'account'",
    );
    expect(columns.rows).toEqual([{ column_name: 'account', is_nullable: 'YES' }]);
    const indexes = await db.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'audit_events' AND indexname = 'audit_events_account'",
    );
    expect(indexes.rows).toEqual([{ indexname: 'audit_events_account' }]);
    const old = await db.query<{ account: string | null }>('SELECT account FROM audit_events WHERE seq = 1');
    expect(old.rows).toEqual([{ account: null }]);
  });

  it('orders on two accounts carry their account; ?account= filters; the chain with the older record verifies', async () => {
    const { key } = new ApiKeyStore(gw.apiKeysFile).create('both', ['trader'], new Date(), null, ['paper', 'live']);
    const paper = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('Idempotency-Key', 'pga-paper')
      .send(ORDER)
      .expect(201);
    const live = await gw
      .anon()
      .post('/api/v1/orders')
      .set('X-API-Key', key)
      .set('X-Alpaca-Account', 'live')
      .set('Idempotency-Key', 'pga-live')
      .send(ORDER)
      .expect(201);
    expect([paper.body.metadata.account, live.body.metadata.account]).toEqual(['paper', 'live']);

    await eventually(async () => {
      const rows = await db.query<{ seq: string; action: string; resource: string; account: string | null }>(
        'SELECT seq, action, resource, account FROM audit_events ORDER BY seq',
      );
      expect(rows.rows).toEqual([
        { seq: '1', action: 'order_requested', resource: 'order:before-accounts', account: null },
        { seq: '2', action: 'order_requested', resource: 'order:pga-paper', account: 'paper' },
        { seq: '3', action: 'order_accepted', resource: 'order:pga-paper', account: 'paper' },
        { seq: '4', action: 'order_requested', resource: 'order:pga-live', account: 'live' },
        { seq: '5', action: 'order_accepted', resource: 'order:pga-live', account: 'live' },
      ]);
    });

    const all = (await gw.anon().get('/api/v1/audit/events').set(admin).expect(200)).body.data.events as AuditRecord[];
    // Read back exactly as written: the older record has no `account` member, not a null one (an
    // unkeyed row reads `hmac_kid: null`, as it always has: the hash leaves a null kid out).
    expect(all[0]).toStrictEqual({ ...older, hmac_kid: null });
    expect(all[0]).not.toHaveProperty('account');
    expect(all.map((r) => r.account)).toEqual([undefined, 'paper', 'paper', 'live', 'live']);
    expect(all.slice(1).every((r) => r.hmac_kid === 'acct')).toBe(true);

    const onLive = await gw.anon().get('/api/v1/audit/events').query({ account: 'live' }).set(admin).expect(200);
    expect(onLive.body.data).toEqual({ events: all.slice(3), page_info: { has_more: false, next_cursor: null } });
    expect(onLive.body.data.events[1].details).toMatchObject({ order_id: live.body.data.id });
    const onPaper = await gw
      .anon()
      .get('/api/v1/audit/events')
      .query({ account: 'paper', limit: '1' })
      .set(admin)
      .expect(200);
    expect(onPaper.body.data).toEqual({ events: [all[1]], page_info: { has_more: true, next_cursor: 2 } });
    const next = await gw
      .anon()
      .get('/api/v1/audit/events')
      .query({ account: 'paper', cursor: '2' })
      .set(admin)
      .expect(200);
    expect(next.body.data.events).toEqual([all[2]]);
    expectCatalogError(
      await gw.anon().get('/api/v1/audit/events').query({ account: 'Paper' }).set(admin),
      400,
      'INVALID_PARAMETER',
    );

    const route = await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200);
    expect(route.body.data).toMatchObject({ ok: true, records_checked: 5, first_broken: null, last_seq: 5 });
    const cli = join(process.cwd(), 'dist', 'src', 'audit', 'audit-verify.cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli], {
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL, AUDIT_HMAC_KEY: HMAC_KEY },
    });
    expect(JSON.parse(stdout) as Verdict).toMatchObject({ ok: true, records_checked: 5, first_broken: null });
  });

  it('a changed account is a broken link', async () => {
    await db.query("UPDATE audit_events SET account = 'paper' WHERE seq = 4");
    try {
      const route = await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200);
      expect(route.body.data).toMatchObject({ ok: false, first_broken: { seq: 4 } });
    } finally {
      await db.query("UPDATE audit_events SET account = 'live' WHERE seq = 4");
    }
  });
});
