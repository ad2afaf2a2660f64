import type { AuditCheckpoint, AuditEntry, AuditQuery, AuditRecord, VerifyResult } from '../audit.types.js';

/**
 * Where audit records live. `append` resolves only once the record is durable (fsync'ed, or
 * committed): callers rely on that before they trade.
 */
export abstract class AuditStore {
  abstract readonly kind: 'jsonl' | 'postgres';
  abstract init(): Promise<void>;
  abstract append(entry: AuditEntry): Promise<AuditRecord>;
  /**
   * Appends unless a record with this dedupe key exists; null when it does (nothing written, the
   * chain untouched). The key is stored as `details.dedupe_key`, inside the hashed record. The
   * check and the insert are one atomic step for every writer of the trail (see each store).
   */
  abstract appendOnce(entry: AuditEntry, dedupeKey: string): Promise<AuditRecord | null>;
  abstract query(q: AuditQuery): Promise<AuditRecord[]>;
  /** The chain checked link by link (keyed) and held against the signed checkpoints. */
  abstract verify(): Promise<VerifyResult>;
  /** The newest record's seq and hash; null for an empty chain. */
  abstract head(): Promise<{ seq: number; hash: string } | null>;
  /**
   * Keeps a signed checkpoint outside the records (a separate file or table), durable before it
   * resolves, so that removing or rewriting records cannot also remove the evidence of them.
   */
  abstract saveCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  abstract checkpoints(): Promise<AuditCheckpoint[]>;
  /** Whether a write can succeed now (for readiness and for refusing orders early). */
  abstract writable(): Promise<boolean>;
  /**
   * The database behind the store answers (PostgreSQL: `SELECT 1` on the store's own pool), or
   * throws an error naming only the driver's code (never a host or user); resolves for a file store.
   */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}

/** Applies the query filters to records in sequence order. */
export function matches(r: AuditRecord, q: AuditQuery): boolean {
  if (q.cursor !== undefined && r.seq <= q.cursor) return false;
  if (q.since !== undefined && r.time < q.since) return false;
  if (q.until !== undefined && r.time > q.until) return false;
  if (q.actor !== undefined && r.actor.sub !== q.actor) return false;
  if (q.action !== undefined && r.action !== q.action) return false;
  if (q.account !== undefined && r.account !== q.account) return false;
  return true;
}
