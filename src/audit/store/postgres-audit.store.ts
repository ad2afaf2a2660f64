import pg from 'pg';
import { chainRecord } from '../audit-chain.js';
import { verifyTrail } from '../audit-checkpoint.js';
import { UNKEYED, type AuditKeys } from '../audit-keys.js';
import { SystemClock, type Clock } from '../../core/time/clock.js';
import { AuditStore } from './audit.store.js';
import { PgQueries } from './pg-queries.js';
import {
  GENESIS_HASH,
  type AuditAction,
  type AuditActor,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type VerifyResult,
} from '../audit.types.js';

/** Any constant works: it names the one lock every writer of the chain takes. */
const CHAIN_LOCK_KEY = 738_201_554;
const MIGRATION_LOCK_KEY = 738_201_555;
const CONNECT_TIMEOUT_MS = 2000;

const MIGRATION = `
CREATE TABLE IF NOT EXISTS audit_events (
  seq        BIGINT PRIMARY KEY,
  time       TEXT NOT NULL,
  actor      JSONB NOT NULL,
  action     TEXT NOT NULL,
  resource   TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  request_id TEXT,
  client_ip  TEXT,
  details    JSONB NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_time ON audit_events (time);
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events ((actor->>'sub'));
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS hmac_kid TEXT;
ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS account TEXT;
CREATE INDEX IF NOT EXISTS audit_events_account ON audit_events (account, seq) WHERE account IS NOT NULL;
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  id        BIGSERIAL PRIMARY KEY,
  seq       BIGINT NOT NULL,
  hash      TEXT NOT NULL,
  time      TEXT NOT NULL,
  kid       TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS audit_events_dedupe ON audit_events ((details->>'dedupe_key')) WHERE (details->>'dedupe_key') IS NOT NULL;`;
/** unique_violation: only the dedupe index can raise it for a writer holding the chain lock. */
const UNIQUE_VIOLATION = '23505';

interface Row {
  seq: string;
  time: string;
  actor: AuditActor;
  action: AuditAction;
  resource: string;
  outcome: string;
  request_id: string | null;
  client_ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hmac_kid: string | null;
  /** NULL for a record that names no account (and every record written before the column existed). */
  account: string | null;
  hash: string;
}

/**
 * The record exactly as it was hashed: a record that names no account has no `account` member at
 * all (a null one would change its canonical JSON and break the chain at it).
 */
export function toRecord(row: Row): AuditRecord {
  const { account, ...rest } = row;
  return { ...rest, seq: Number(row.seq), ...(account === null ? {} : { account }) };
}

/**
 * The audit chain in PostgreSQL (`DATABASE_URL`). Each append takes a transaction-level advisory
 * lock, reads the chain's head and inserts the next record, so concurrent writers on any number
 * of instances keep one unbroken chain. The table is created at boot. Every query goes through
 * `sql` (PgQueries), which gives it a span when tracing is on and a request is being served.
 */
export class PostgresAuditStore extends AuditStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly keys: AuditKeys;
  private readonly sql: PgQueries;
  private readonly clock: Clock;

  /**
   * `traced`: tracing is on, so queries made for a request get spans. `clock` stamps each record's
   * time; the system clock where a store is built outside Nest (CLIs, tests).
   */
  constructor(connectionString: string, options: { keys?: AuditKeys; traced?: boolean; clock?: Clock } = {}) {
    super();
    this.keys = options.keys ?? UNKEYED;
    this.clock = options.clock ?? new SystemClock();
    this.sql = new PgQueries(connectionString, options.traced ?? false);
    // pg.Pool opens no connection until a query (init() at boot runs the first one).
    this.pool = new pg.Pool({ connectionString, max: 5, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle client's connection error must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** The migration runs under a lock too: instances booting together must not race to create the table. */
  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await this.sql.run(client, 'BEGIN');
      await this.sql.run(client, 'SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await this.sql.run(client, MIGRATION);
      await this.sql.run(client, 'COMMIT');
    } catch (e: unknown) {
      await this.sql.run(client, 'ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const record = await this.insert(entry, undefined);
    if (record === null) throw new Error('audit append wrote nothing');
    return record;
  }

  /**
   * Exactly once across instances: under the chain lock (which every writer takes) the key is
   * looked up before the next seq is taken, so a duplicate consumes no seq and the chain stays
   * whole. The unique index on `details->>'dedupe_key'` is the backstop should anything write
   * without the lock; its violation rolls back and reads as "already recorded".
   */
  async appendOnce(entry: AuditEntry, dedupeKey: string): Promise<AuditRecord | null> {
    try {
      return await this.insert({ ...entry, details: { ...entry.details, dedupe_key: dedupeKey } }, dedupeKey);
    } catch (e: unknown) {
      if (typeof e === 'object' && e !== null && 'code' in e && e.code === UNIQUE_VIOLATION) return null;
      throw e;
    }
  }

  private async insert(entry: AuditEntry, dedupeKey: string | undefined): Promise<AuditRecord | null> {
    const client = await this.pool.connect();
    try {
      await this.sql.run(client, 'BEGIN');
      await this.sql.run(client, 'SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      if (dedupeKey !== undefined) {
        const seen = await this.sql.run(
          client,
          "SELECT 1 FROM audit_events WHERE details->>'dedupe_key' = $1 LIMIT 1",
          [dedupeKey],
        );
        if (seen.rowCount !== 0) {
          await this.sql.run(client, 'ROLLBACK');
          return null;
        }
      }
      const head = await this.sql.run<{ seq: string; hash: string }>(
        client,
        'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
      );
      const last = head.rows[0];
      const record = chainRecord(
        entry,
        {
          seq: last === undefined ? 1 : Number(last.seq) + 1,
          prevHash: last?.hash ?? GENESIS_HASH,
          time: new Date(this.clock.now()),
        },
        this.keys,
      );
      await this.sql.run(
        client,
        `INSERT INTO audit_events (seq, time, actor, action, resource, outcome, request_id, client_ip, details, prev_hash, hmac_kid, account, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          record.seq,
          record.time,
          JSON.stringify(record.actor),
          record.action,
          record.resource,
          record.outcome,
          record.request_id,
          record.client_ip,
          JSON.stringify(record.details),
          record.prev_hash,
          record.hmac_kid ?? null,
          record.account ?? null,
          record.hash,
        ],
      );
      await this.sql.run(client, 'COMMIT');
      return record;
    } catch (e: unknown) {
      await this.sql.run(client, 'ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.cursor !== undefined) add('seq > ?', q.cursor);
    if (q.since !== undefined) add('time >= ?', q.since);
    if (q.until !== undefined) add('time <= ?', q.until);
    if (q.actor !== undefined) add("actor->>'sub' = ?", q.actor);
    if (q.action !== undefined) add('action = ?', q.action);
    if (q.account !== undefined) add('account = ?', q.account);
    params.push(q.limit);
    const sql = `SELECT * FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT $${params.length}`;
    return (await this.sql.run<Row>(this.pool, sql, params)).rows.map(toRecord);
  }

  async verify(): Promise<VerifyResult> {
    // Stored (physical) order would hide a swap of seq values; the chain is checked in seq order.
    const records = (await this.sql.run<Row>(this.pool, 'SELECT * FROM audit_events ORDER BY seq')).rows.map(toRecord);
    return verifyTrail(records, await this.checkpoints(), this.keys);
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const row = (
      await this.sql.run<{ seq: string; hash: string }>(
        this.pool,
        'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
      )
    ).rows[0];
    return row === undefined ? null : { seq: Number(row.seq), hash: row.hash };
  }

  /** In their own table: the records' table can be rewritten without touching them. */
  async saveCheckpoint(cp: AuditCheckpoint): Promise<void> {
    await this.sql.run(
      this.pool,
      'INSERT INTO audit_checkpoints (seq, hash, time, kid, signature) VALUES ($1, $2, $3, $4, $5)',
      [cp.seq, cp.hash, cp.time, cp.kid, cp.signature],
    );
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const rows = (
      await this.sql.run<Omit<AuditCheckpoint, 'seq'> & { seq: string }>(
        this.pool,
        'SELECT seq, hash, time, kid, signature FROM audit_checkpoints ORDER BY seq',
      )
    ).rows;
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async ping(): Promise<void> {
    try {
      await this.sql.run(this.pool, 'SELECT 1');
    } catch (e: unknown) {
      // pg's messages can name the host or user; the error code is enough to act on.
      const code =
        typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown';
      throw new Error(`PostgreSQL does not answer (${code})`, { cause: e });
    }
  }

  async writable(): Promise<boolean> {
    try {
      await this.sql.run(this.pool, 'SELECT 1');
      return true;
    } catch {
      // Unreachable database: not writable; the caller reports unready.
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
