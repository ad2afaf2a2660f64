import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The integration run's own PostgreSQL database. DATABASE_URL names a server and a database the
 * run must not change: global setup creates `opitios_test_<time>_<random>` on that server (the
 * given database is only connected to, to issue CREATE DATABASE and DROP DATABASE), points
 * DATABASE_URL at it for every suite, and global teardown drops it. A given database whose name
 * does not contain `test` is refused unless OPITIOS_TEST_DATABASE_OK=1.
 */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** The URL the run was given (set by the setup, read by the teardown). */
export const GIVEN_URL_VAR = 'OPITIOS_GIVEN_DATABASE_URL';
/** The URL of the database the run created (set by the setup; also DATABASE_URL from then on). */
export const OWN_URL_VAR = 'OPITIOS_TEST_DATABASE_URL';
export const OWN_PREFIX = 'opitios_test_';

type Env = Record<string, string | undefined>;

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Throws unless the given database looks like one for tests (or the caller said it is). */
export function refuseForeignDatabase(url: string, env: Env): void {
  const name = databaseName(url);
  if (name.toLowerCase().includes('test') || env['OPITIOS_TEST_DATABASE_OK'] === '1') return;
  throw new Error(
    `DATABASE_URL names the database "${name}", which does not look like a test database (no "test" in its name). ` +
      'The integration tests create and drop a database of their own on that server and leave the named one alone, ' +
      'but need CREATE DATABASE rights there; set OPITIOS_TEST_DATABASE_OK=1 if that server is meant for it.',
  );
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Global setup: checks the given URL, creates the run's database, points DATABASE_URL at it. */
export async function setUpTestDatabase(env: Env): Promise<string> {
  const given = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  refuseForeignDatabase(given, env);
  const name = `${OWN_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  // The name is ours (letters, digits, underscores): no quoting problem.
  await onServer(given, `CREATE DATABASE ${name}`);
  const own = withDatabase(given, name);
  env[GIVEN_URL_VAR] = given;
  env[OWN_URL_VAR] = own;
  env['DATABASE_URL'] = own;
  return own;
}

/** Global teardown: drops the run's database (connections left open are ended), nothing else. */
export async function tearDownTestDatabase(env: Env): Promise<void> {
  const given = env[GIVEN_URL_VAR];
  const own = env[OWN_URL_VAR];
  if (given === undefined || own === undefined) return;
  const name = databaseName(own);
  if (!name.startsWith(OWN_PREFIX)) throw new Error(`refusing to drop "${name}": not a database this run created`);
  await onServer(given, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  env['DATABASE_URL'] = given;
  delete env[OWN_URL_VAR];
  delete env[GIVEN_URL_VAR];
}

/** What suites connect to: the run's own database (global setup made it; never the given one). */
export function testDatabaseUrl(): string {
  const own = process.env[OWN_URL_VAR];
  if (own === undefined || process.env['DATABASE_URL'] !== own) {
    throw new Error(
      "no database of the run: the integration project's global setup (test/integration/global-setup.mjs) did not run",
    );
  }
  return own;
}
