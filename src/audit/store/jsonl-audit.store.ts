import { constants } from 'node:fs';
import { access, mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { chainRecord } from '../audit-chain.js';
import { verifyTrail } from '../audit-checkpoint.js';
import { UNKEYED, type AuditKeys } from '../audit-keys.js';
import { SystemClock, type Clock } from '../../core/time/clock.js';
import { AuditStore, matches } from './audit.store.js';
import {
  GENESIS_HASH,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type VerifyResult,
} from '../audit.types.js';

/** Dedupe keys remembered (those of the latest records). */
const RECENT_KEYS = 10_000;

function parseLines(text: string): Array<AuditRecord | { unreadable: string }> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as AuditRecord;
      } catch {
        // A torn last line (crash mid-write) or an edit; verify reports it.
        return { unreadable: line.slice(0, 80) };
      }
    });
}

/**
 * Append-only JSON lines, one record per line, each write fsync'ed before `append` resolves.
 * Writes in this process are serialised; the file is meant for one gateway instance (several
 * instances share PostgreSQL instead).
 */
export class JsonlAuditStore extends AuditStore {
  readonly kind = 'jsonl';
  private handle: FileHandle | null = null;
  private lastSeq = 0;
  private lastHash = GENESIS_HASH;
  /** File size after our last write; a different size means another writer (the key CLI) appended. */
  private knownSize = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Dedupe keys of the latest records, oldest first (a Set keeps insertion order). */
  private readonly recentKeys = new Set<string>();

  /** Checkpoints live beside the trail, in their own file: `audit.jsonl` → `audit.checkpoints.jsonl`. */
  readonly checkpointPath: string;

  constructor(
    private readonly path: string,
    private readonly keys: AuditKeys = UNKEYED,
    /** Stamps each record's time; the system clock where a store is built outside Nest (CLIs, tests). */
    private readonly clock: Clock = new SystemClock(),
  ) {
    super();
    this.checkpointPath = `${path.replace(/\.jsonl$/, '')}.checkpoints.jsonl`;
  }

  async init(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await this.catchUp();
    this.handle = await open(this.path, 'a', 0o600);
    this.knownSize = (await this.handle.stat()).size;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return this.enqueue(async () => {
      const record = await this.write(entry, undefined);
      if (record === null) throw new Error('audit append wrote nothing');
      return record;
    });
  }

  /**
   * The file has one writing instance, and its writes run one at a time through the queue, so the
   * check of the recent keys and the append are atomic. RECENT_KEYS bounds the memory: a duplicate
   * event arrives within seconds of the first (a leader handover), not thousands of records later.
   */
  appendOnce(entry: AuditEntry, dedupeKey: string): Promise<AuditRecord | null> {
    return this.enqueue(() =>
      this.write({ ...entry, details: { ...entry.details, dedupe_key: dedupeKey } }, dedupeKey),
    );
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    // The queue continues after a failure; the failure goes to this caller only.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(entry: AuditEntry, dedupeKey: string | undefined): Promise<AuditRecord | null> {
    if (this.handle === null) throw new Error('audit store is not open');
    if ((await this.handle.stat()).size !== this.knownSize) await this.catchUp();
    if (dedupeKey !== undefined && this.recentKeys.has(dedupeKey)) return null;
    const record = chainRecord(
      entry,
      { seq: this.lastSeq + 1, prevHash: this.lastHash, time: new Date(this.clock.now()) },
      this.keys,
    );
    const line = `${JSON.stringify(record)}\n`;
    await this.handle.write(line);
    await this.handle.sync();
    this.lastSeq = record.seq;
    this.lastHash = record.hash;
    this.knownSize = (await this.handle.stat()).size;
    if (dedupeKey !== undefined) this.remember(dedupeKey);
    return record;
  }

  private remember(key: string): void {
    this.recentKeys.add(key);
    if (this.recentKeys.size <= RECENT_KEYS) return;
    const oldest = this.recentKeys.values().next();
    if (oldest.done !== true) this.recentKeys.delete(oldest.value);
  }

  /** Continues the chain from the file's real last record. */
  private async catchUp(): Promise<void> {
    const records = await this.readAll();
    this.recentKeys.clear();
    for (const r of records.slice(-RECENT_KEYS)) {
      const key = 'unreadable' in r ? undefined : r.details['dedupe_key'];
      if (typeof key === 'string') this.remember(key);
    }
    const last = [...records].reverse().find((r): r is AuditRecord => !('unreadable' in r));
    this.lastSeq = last?.seq ?? 0;
    this.lastHash = last?.hash ?? GENESIS_HASH;
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for (const r of await this.readAll()) {
      if ('unreadable' in r || !matches(r, q)) continue;
      out.push(r);
      if (out.length >= q.limit) break;
    }
    return out;
  }

  async verify(): Promise<VerifyResult> {
    const records = await this.readAll();
    return verifyTrail(records, await this.checkpoints(), this.keys);
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    // Through the write queue, so the head is the one our own appends left.
    await this.queue;
    if (this.handle !== null && (await this.handle.stat()).size !== this.knownSize) await this.catchUp();
    return this.lastSeq === 0 ? null : { seq: this.lastSeq, hash: this.lastHash };
  }

  async saveCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    const handle = await open(this.checkpointPath, 'a', 0o600);
    try {
      await handle.write(`${JSON.stringify(checkpoint)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    let text: string;
    try {
      text = await readFile(this.checkpointPath, 'utf8');
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: AuditCheckpoint[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as AuditCheckpoint);
      } catch {
        // A torn line (crash mid-write) is no evidence either way; the others still count.
        continue;
      }
    }
    return out;
  }

  /** A file has no server to ask. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  async writable(): Promise<boolean> {
    if (this.handle === null) return false;
    try {
      await access(this.path, constants.W_OK);
      return true;
    } catch {
      // Not writable (removed, permissions, read-only disk): the caller reports unready.
      return false;
    }
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle?.close();
    this.handle = null;
  }

  private async readAll(): Promise<Array<AuditRecord | { unreadable: string }>> {
    try {
      return parseLines(await readFile(this.path, 'utf8'));
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }
}
