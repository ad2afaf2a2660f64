import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startGateway, tokenFor } from '../e2e/support/harness.js';
import {
  databaseName,
  GIVEN_URL_VAR,
  OWN_PREFIX,
  refuseForeignDatabase,
  setUpTestDatabase,
  tearDownTestDatabase,
  testDatabaseUrl,
} from './test-database.js';

/** The URL this run was given (global setup kept it); its server hosts the stand-in below. */
const GIVEN = process.env[GIVEN_URL_VAR] ?? '';
const ORDER = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

function onDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const databases = async (): Promise<string[]> =>
  (await query<{ datname: string }>(GIVEN, 'SELECT datname FROM pg_database')).map((r) => r.datname);

describe('integration tests touch no database they do not own', () => {
  it("this run's suites connect to a database the run created, not to the one DATABASE_URL named", () => {
    expect(GIVEN).not.toBe('');
    expect(databaseName(testDatabaseUrl())).toMatch(new RegExp(`^${OWN_PREFIX}`));
    expect(databaseName(testDatabaseUrl())).not.toBe(databaseName(GIVEN));
  });

  it("someone else's tables in the given database, even ones named like ours, are left as they were", async () => {
    // A stand-in for somebody's database on the same server, holding tables the suites drop in theirs.
    const foreignName = `others_test_${randomBytes(4).toString('hex')}`;
    const foreign = onDatabase(GIVEN, foreignName);
    await query(GIVEN, `CREATE DATABASE ${foreignName}`);
    try {
      await query(
        foreign,
        "CREATE TABLE audit_events (seq BIGINT, note TEXT); INSERT INTO audit_events VALUES (1, 'theirs');" +
          'CREATE TABLE audit_checkpoints (seq BIGINT); INSERT INTO audit_checkpoints VALUES (1);' +
          'CREATE TABLE ledger (id INT); INSERT INTO ledger VALUES (7);',
      );
      const env: Record<string, string | undefined> = { DATABASE_URL: foreign };
      const own = await setUpTestDatabase(env);
      expect(env['DATABASE_URL']).toBe(own);
      expect(databaseName(own)).toMatch(new RegExp(`^${OWN_PREFIX}`));
      // What the suites do with DATABASE_URL: a gateway writes its audit trail there, then they drop and truncate.
      const gw = await startGateway({ DATABASE_URL: own });
      try {
        await gw
          .anon()
          .post('/api/v1/orders')
          .set('Authorization', `Bearer ${tokenFor(['trader'])}`)
          .set('Idempotency-Key', `iso-${foreignName}`)
          .send(ORDER)
          .expect(201);
      } finally {
        await gw.close();
      }
      expect(Number((await query<{ n: string }>(own, 'SELECT count(*) AS n FROM audit_events'))[0]?.n)).toBeGreaterThan(
        0,
      );
      await query(
        own,
        'TRUNCATE audit_events; DROP TABLE IF EXISTS audit_events; DROP TABLE IF EXISTS audit_checkpoints',
      );
      await tearDownTestDatabase(env);
      expect(env['DATABASE_URL']).toBe(foreign);
      expect(await databases()).not.toContain(databaseName(own));
      const tables = await query<{ tablename: string }>(
        foreign,
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      expect(tables.map((t) => t.tablename)).toEqual(['audit_checkpoints', 'audit_events', 'ledger']);
      expect(await query(foreign, 'SELECT seq::int AS seq, note FROM audit_events')).toEqual([
        { seq: 1, note: 'theirs' },
      ]);
      expect(await query(foreign, 'SELECT seq::int AS seq FROM audit_checkpoints')).toEqual([{ seq: 1 }]);
      expect(await query(foreign, 'SELECT id FROM ledger')).toEqual([{ id: 7 }]);
    } finally {
      await query(GIVEN, `DROP DATABASE IF EXISTS ${foreignName} WITH (FORCE)`);
    }
  }, 60_000);

  it('a given database whose name does not say "test" is refused before anything is created, unless OPITIOS_TEST_DATABASE_OK=1', async () => {
    expect(() => refuseForeignDatabase('postgres://app@db.internal:5432/orders', {})).toThrow(
      /"orders", which does not look like a test database.*OPITIOS_TEST_DATABASE_OK=1/,
    );
    expect(() => refuseForeignDatabase('postgres://app@db.internal:5432/', {})).toThrow(
      /does not look like a test database/,
    );
    expect(() =>
      refuseForeignDatabase('postgres://app@db.internal:5432/orders', { OPITIOS_TEST_DATABASE_OK: '1' }),
    ).not.toThrow();
    expect(() => refuseForeignDatabase('postgres://ci@127.0.0.1/Test_CI?sslmode=disable', {})).not.toThrow();
    const before = await databases();
    await expect(setUpTestDatabase({ DATABASE_URL: onDatabase(GIVEN, 'postgres') })).rejects.toThrow(
      /"postgres", which does not look like a test database/,
    );
    expect(await databases()).toEqual(before);
    // Told that the server is meant for it: a database of the run's own is made there and dropped again.
    const env: Record<string, string | undefined> = {
      DATABASE_URL: onDatabase(GIVEN, 'postgres'),
      OPITIOS_TEST_DATABASE_OK: '1',
    };
    const own = await setUpTestDatabase(env);
    expect(await databases()).toContain(databaseName(own));
    await tearDownTestDatabase(env);
    expect(await databases()).toEqual(before);
  });
});
