import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { PgQueries } from '../../audit/store/pg-queries.js';
import {
  applyChange,
  parseHalt,
  parseState,
  sortHalts,
  type Applied,
  type Halt,
  type HaltChange,
  type HaltState,
} from './halt-scope.js';

export const EMPTY_STATE: HaltState = { version: 0, halts: [] };

/**
 * Where the halts outlive every instance: PostgreSQL (`DATABASE_URL`, the audit trail's database)
 * or a file beside the JSONL audit trail. Redis (when set) only carries them between instances; a
 * restart of the whole fleet reads them from here, so they survive Redis losing its data.
 */
export abstract class HaltStore {
  abstract readonly kind: 'postgres' | 'file';
  /**
   * PostgreSQL: one store every instance shares, so it makes each change itself and decides its
   * version. A file belongs to one instance: it keeps that instance's copy of the state.
   */
  abstract readonly shared: boolean;
  abstract init(): Promise<void>;
  /** The halts in force as stored; rejects when the store cannot be read (the caller then knows nothing). */
  abstract load(): Promise<HaltState>;
  /**
   * Makes the change durable and returns the state after it. Shared: atomically in the store, from
   * what the store holds (`current` is ignored). A file: `current` changed and written.
   */
  abstract apply(change: HaltChange, current: HaltState): Promise<Applied>;
  /** A state this instance learned from the fleet, kept when newer than what is stored (a file; a shared store holds it already). */
  abstract keep(state: HaltState): Promise<void>;
  abstract close(): Promise<void>;
}

/**
 * `{"version": n, "halts": [...]}` in one file, replaced atomically: written to a temporary file
 * in the same directory, fsync'ed, renamed over the old one, and the directory fsync'ed, so a
 * crash leaves the old file or the new one, never half of one. Writes are serialised. A file that
 * exists but cannot be read as a state is an error, never "no halts".
 */
export class FileHaltStore extends HaltStore {
  readonly kind = 'file';
  readonly shared = false;
  private stored: HaltState | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    super();
  }

  async init(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
  }

  async load(): Promise<HaltState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e: unknown) {
      if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT') {
        this.stored = EMPTY_STATE;
        return EMPTY_STATE;
      }
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`the trading halt file ${this.path} is not JSON`);
    }
    const state = parseState(parsed);
    if (state === null) throw new Error(`the trading halt file ${this.path} does not hold a halt state`);
    this.stored = state;
    return state;
  }

  apply(change: HaltChange, current: HaltState): Promise<Applied> {
    return this.enqueue(async () => {
      const applied = applyChange(current, change);
      if ((this.stored?.version ?? -1) < applied.state.version) await this.write(applied.state);
      return applied;
    });
  }

  keep(state: HaltState): Promise<void> {
    return this.enqueue(async () => {
      if (this.stored !== null && this.stored.version >= state.version) return;
      await this.write(state);
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    // The queue goes on after a failure; the failure is this caller's.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(state: HaltState): Promise<void> {
    const dir = dirname(this.path);
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(`${JSON.stringify({ version: state.version, halts: state.halts }, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (e: unknown) {
      await rm(tmp, { force: true });
      throw e;
    }
    // The rename itself must survive a power cut: the directory entry is flushed too.
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    this.stored = state;
  }

  async close(): Promise<void> {
    await this.queue;
  }
}

/** Any constant works: it names the lock instances booting together take to create the tables. */
const MIGRATION_LOCK_KEY = 738_201_556;
const CONNECT_TIMEOUT_MS = 2000;

const MIGRATION = `
CREATE TABLE IF NOT EXISTS trading_halts (
  scope      TEXT PRIMARY KEY,
  reason     TEXT NOT NULL,
  since      TEXT NOT NULL,
  halted_by  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trading_halt_version (
  id      SMALLINT PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO trading_halt_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;`;

interface Row {
  version: string;
  scope: string | null;
  reason: string | null;
  since: string | null;
  halted_by: string | null;
}

/** The version and every halt in one statement, so they are read from one snapshot. */
const SELECT_STATE =
  'SELECT v.version, h.scope, h.reason, h.since, h.halted_by FROM trading_halt_version v LEFT JOIN trading_halts h ON TRUE WHERE v.id = 1';

function stateOf(rows: Row[]): HaltState {
  const first = rows[0];
  if (first === undefined) throw new Error('the trading_halt_version row is missing');
  const halts = rows
    .filter((r) => r.scope !== null)
    .map((r) => parseHalt({ scope: r.scope, reason: r.reason, since: r.since, by: r.halted_by }))
    .filter((h): h is Halt => h !== null);
  return { version: Number(first.version), halts: sortHalts(halts) };
}

/**
 * The halts in PostgreSQL, next to the audit trail, shared by every instance: each change is one
 * transaction that takes the version row's lock, bumps it and changes the halts, so concurrent
 * changes from any instances are ordered and every state has its own version. Tables are created
 * at boot (under an advisory lock, as the audit store does).
 */
export class PostgresHaltStore extends HaltStore {
  readonly kind = 'postgres';
  readonly shared = true;
  private readonly pool: pg.Pool;
  private readonly sql: PgQueries;

  constructor(connectionString: string, traced = false) {
    super();
    this.sql = new PgQueries(connectionString, traced);
    // pg.Pool opens no connection until a query (init() at boot runs the first one).
    this.pool = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle client's connection error must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.transaction(async (client) => {
      await this.sql.run(client, 'SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await this.sql.run(client, MIGRATION);
    });
  }

  async load(): Promise<HaltState> {
    return stateOf((await this.sql.run<Row>(this.pool, SELECT_STATE)).rows);
  }

  apply(change: HaltChange): Promise<Applied> {
    return this.transaction(async (client) => {
      // The row lock orders concurrent changes; the version is the one this change gets.
      await this.sql.run(client, 'SELECT version FROM trading_halt_version WHERE id = 1 FOR UPDATE');
      const scope = change.op === 'halt' ? change.halt.scope : change.scope;
      const before = (
        await this.sql.run<Omit<Row, 'version'>>(
          client,
          'SELECT scope, reason, since, halted_by FROM trading_halts WHERE scope = $1',
          [scope],
        )
      ).rows[0];
      const previous =
        before === undefined
          ? null
          : parseHalt({ scope: before.scope, reason: before.reason, since: before.since, by: before.halted_by });
      let changed: number | null;
      if (change.op === 'halt') {
        const { scope, reason, since, by } = change.halt;
        changed = (
          await this.sql.run(
            client,
            `INSERT INTO trading_halts (scope, reason, since, halted_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (scope) DO UPDATE SET reason = EXCLUDED.reason, since = EXCLUDED.since, halted_by = EXCLUDED.halted_by`,
            [scope, reason, since, by],
          )
        ).rowCount;
      } else {
        changed = (await this.sql.run(client, 'DELETE FROM trading_halts WHERE scope = $1', [change.scope])).rowCount;
      }
      if (changed !== null && changed > 0)
        await this.sql.run(client, 'UPDATE trading_halt_version SET version = version + 1 WHERE id = 1');
      return { state: stateOf((await this.sql.run<Row>(client, SELECT_STATE)).rows), previous };
    });
  }

  async keep(): Promise<void> {
    // Every change is made here first: there is nothing newer to keep.
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await this.sql.run(client, 'BEGIN');
      const result = await work(client);
      await this.sql.run(client, 'COMMIT');
      return result;
    } catch (e: unknown) {
      await this.sql.run(client, 'ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** PostgreSQL when DATABASE_URL is set (the audit trail's database), else the file. */
export function createHaltStore(settings: {
  databaseUrl: string | undefined;
  file: string;
  traced?: boolean;
}): HaltStore {
  return settings.databaseUrl !== undefined
    ? new PostgresHaltStore(settings.databaseUrl, settings.traced ?? false)
    : new FileHaltStore(settings.file);
}
