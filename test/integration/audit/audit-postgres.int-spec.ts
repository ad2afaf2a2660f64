import pg from 'pg';
import { PostgresAuditStore } from '../../../src/audit/store/postgres-audit.store.js';
import type { AuditEntry } from '../../../src/audit/audit.types.js';
import { startGateway, tokenFor, type Gateway } from '../../e2e/support/harness.js';
import { testDatabaseUrl } from '../test-database.js';

/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();

function entry(i: number, writer: string): AuditEntry {
  return {
    actor: { sub: writer, roles: ['trader'], key_id: null },
    action: 'order_requested',
    resource: `order:${writer}-${i}`,
    outcome: 'pending',
    request_id: `req-${writer}-${i}`,
    client_ip: '127.0.0.1',
    details: { n: i, nested: { b: 2, a: 1 } },
  };
}

describe('PostgreSQL audit store', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query('DROP TABLE IF EXISTS audit_events');
  });
  afterAll(async () => {
    await admin.end();
  });

  it('keeps one unbroken chain across concurrent writers in two instances', async () => {
    const a = new PostgresAuditStore(DATABASE_URL);
    const b = new PostgresAuditStore(DATABASE_URL);
    await Promise.all([a.init(), b.init()]);
    try {
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => a.append(entry(i, 'a'))),
        ...Array.from({ length: 40 }, (_, i) => b.append(entry(i, 'b'))),
      ]);
      const result = await a.verify();
      expect(result).toMatchObject({ ok: true, records_checked: 80, first_broken: null });
      const seqs = (await admin.query<{ seq: string }>('SELECT seq FROM audit_events ORDER BY seq')).rows.map((r) =>
        Number(r.seq),
      );
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it.each([
    ['an edited row', "UPDATE audit_events SET outcome = 'accepted' WHERE seq = 17", 17],
    ['a deleted row', 'DELETE FROM audit_events WHERE seq = 30', 31],
    [
      'two rows swapped',
      'UPDATE audit_events SET seq = -1 WHERE seq = 40; UPDATE audit_events SET seq = 40 WHERE seq = 41; UPDATE audit_events SET seq = 41 WHERE seq = -1',
      40,
    ],
    ['edited details', `UPDATE audit_events SET details = '{"n": 999}' WHERE seq = 55`, 55],
  ])('detects %s at that record', async (_label, tamper, brokenSeq) => {
    const store = new PostgresAuditStore(DATABASE_URL);
    await store.init();
    try {
      await admin.query('TRUNCATE audit_events');
      for (let i = 0; i < 60; i += 1) await store.append(entry(i, 'w'));
      expect((await store.verify()).ok).toBe(true);
      await admin.query(tamper);
      const result = await store.verify();
      expect(result.ok).toBe(false);
      expect(result.first_broken?.seq).toBe(brokenSeq);
    } finally {
      await store.close();
    }
  });
});

describe('the gateway with DATABASE_URL', () => {
  let gw: Gateway;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query('DROP TABLE IF EXISTS audit_events');
    await admin.end();
    gw = await startGateway({ DATABASE_URL });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('creates the table at boot, records orders there and verifies', async () => {
    const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'pg-trader' })}` };
    const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'pg-admin' })}` };
    await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader)
      .set('Idempotency-Key', 'pg-1')
      .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' })
      .expect(201);
    const events = await gw.anon().get('/api/v1/audit/events').query({ actor: 'pg-trader' }).set(admin).expect(200);
    expect(events.body.data.events.map((e: { action: string }) => e.action)).toEqual([
      'order_requested',
      'order_accepted',
    ]);
    const verify = await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200);
    expect(verify.body.data).toMatchObject({ ok: true, records_checked: 2 });
  });
});
