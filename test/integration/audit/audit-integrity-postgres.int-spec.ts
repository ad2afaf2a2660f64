import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { hashRecord } from '../../../src/audit/audit-chain.js';
import { UNKEYED } from '../../../src/audit/audit-keys.js';
import type { AuditRecord } from '../../../src/audit/audit.types.js';
import { ensureBuilt } from '../../e2e/support/built-gateway.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { testDatabaseUrl } from '../test-database.js';

/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();
const HMAC_KEY = 'pg:integration-audit-hmac-secret-0123456789ab';
const SIGNING_PAIR = generateKeyPairSync('ed25519');
const SIGNING_KEY = SIGNING_PAIR.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
/** The auditor's CLI holds the checkpoints' public key only. */
const PUBLIC_KEY = SIGNING_PAIR.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'pg-integrity' })}` };
const admin = { Authorization: `Bearer ${tokenFor(['admin'])}` };
const ORDER = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

interface Verdict {
  ok: boolean;
  first_broken: { seq: number | null; reason: string } | null;
  checkpoint: { seq: number } | null;
  checkpoints_stored?: number;
  checkpoints_checked?: number;
}

interface Row extends Omit<AuditRecord, 'seq'> {
  seq: string;
}

describe('audit integrity in PostgreSQL: removed tail, rewrite without the key, rollback', () => {
  let db: pg.Client;
  let gw: Gateway;
  const run = promisify(execFile);

  async function viaRoute(): Promise<Verdict> {
    return (await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200)).body.data as Verdict;
  }

  async function viaCli(): Promise<{ code: number; verdict: Verdict }> {
    const cli = join(process.cwd(), 'dist', 'src', 'audit', 'audit-verify.cli.js');
    const env = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL,
      AUDIT_HMAC_KEY: HMAC_KEY,
      AUDIT_VERIFY_PUBLIC_KEY: PUBLIC_KEY,
    };
    try {
      const { stdout } = await run(process.execPath, [cli], { env });
      return { code: 0, verdict: JSON.parse(stdout) as Verdict };
    } catch (e: unknown) {
      const failed = e as { code: number; stdout: string };
      return { code: failed.code, verdict: JSON.parse(failed.stdout) as Verdict };
    }
  }

  beforeAll(() => ensureBuilt(), 120_000);
  beforeAll(async () => {
    db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query(
      'DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_checkpoints; DROP TABLE IF EXISTS audit_events_backup',
    );
    gw = await startGateway({
      DATABASE_URL,
      AUDIT_HMAC_KEY: HMAC_KEY,
      AUDIT_SIGNING_KEY: SIGNING_KEY,
      AUDIT_CHECKPOINT_EVERY: '4',
    });
    for (let i = 0; i < 2; i += 1)
      await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `pgi-${i}`).send(ORDER).expect(201);
    await db.query('CREATE TABLE audit_events_backup AS SELECT * FROM audit_events');
    for (let i = 2; i < 5; i += 1)
      await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `pgi-${i}`).send(ORDER).expect(201);
    // Two checkpoints (every 4 of the 10 records), written just after the records that triggered them.
    await eventually(() => expect(gw.logs.filter((l) => l['message'] === 'audit_checkpoint')).toHaveLength(2));
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_checkpoints')).rows[0]?.n)).toBe(2);
    await db.query('CREATE TABLE audit_events_intact AS SELECT * FROM audit_events');
  }, 60_000);
  afterEach(async () => {
    await db.query('TRUNCATE audit_events; INSERT INTO audit_events SELECT * FROM audit_events_intact');
  });
  afterAll(async () => {
    await gw.close();
    // Leave no keyed chain behind for suites that verify theirs with other keys.
    await db.query(
      'DROP TABLE IF EXISTS audit_events_backup; DROP TABLE IF EXISTS audit_events_intact; DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_checkpoints',
    );
    await db.end();
  });

  it('an intact keyed chain verifies against the newest checkpoint (route and CLI)', async () => {
    const kids = (await db.query<{ hmac_kid: string }>('SELECT DISTINCT hmac_kid FROM audit_events')).rows.map(
      (r) => r.hmac_kid,
    );
    expect(kids).toEqual(['pg']);
    const route = await viaRoute();
    expect(route).toMatchObject({ ok: true, checkpoint: { seq: expect.any(Number) } });
    // The CLI with the public key alone holds the chain against the same newest checkpoint.
    expect(await viaCli()).toMatchObject({
      code: 0,
      verdict: { ok: true, checkpoint: route.checkpoint, checkpoints_stored: 2, checkpoints_checked: 2 },
    });
  });

  it('the newest 3 records deleted → the first missing seq', async () => {
    const cp = (await viaRoute()).checkpoint?.seq ?? 0;
    await db.query('DELETE FROM audit_events WHERE seq > $1', [cp - 3]);
    const expected = { ok: false, first_broken: { seq: cp - 2, reason: expect.stringContaining('missing') } };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });

  it('one record edited and every later hash recomputed without the key → that seq', async () => {
    const rows = (await db.query<Row>('SELECT * FROM audit_events ORDER BY seq')).rows;
    let prev = rows[4]?.prev_hash ?? '';
    for (const row of rows.slice(4)) {
      const record: Omit<AuditRecord, 'hash'> = {
        ...row,
        seq: Number(row.seq),
        prev_hash: prev,
        outcome: Number(row.seq) === 5 ? 'canceled' : row.outcome,
      };
      delete (record as Partial<AuditRecord>).hash;
      const hash = hashRecord(record, UNKEYED) ?? '';
      await db.query('UPDATE audit_events SET outcome = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
        record.seq,
        record.outcome,
        prev,
        hash,
      ]);
      prev = hash;
    }
    const expected = { ok: false, first_broken: { seq: 5, reason: expect.stringContaining('HMAC does not match') } };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });

  it('the table rolled back to an earlier copy → from which seq records are missing', async () => {
    await db.query('TRUNCATE audit_events; INSERT INTO audit_events SELECT * FROM audit_events_backup');
    const expected = { ok: false, first_broken: { seq: 5, reason: expect.stringContaining('rolled back') } };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });
});
