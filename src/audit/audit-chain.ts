import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/serialization/canonical-json.js';
import { GENESIS_HASH, type AuditRecord, type VerifyResult } from './audit.types.js';

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  const { prev_hash: prevHash } = record;
  return createHash('sha256').update(prevHash + canonicalJson(record), 'utf8').digest('hex');
}

/** Walks records in stored order and reports the first broken link (edited, missing, reordered). */
export function verifyChain(records: Iterable<AuditRecord | { unreadable: string }>): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let position = 0;
  for (const r of records) {
    position += 1;
    const broken = (seq: number | null, reason: string): VerifyResult => ({
      ok: false,
      records_checked: position - 1,
      first_broken: { seq, position, reason },
      last_hash: prevHash,
    });
    if ('unreadable' in r) return broken(null, `record is not valid JSON: ${r.unreadable}`);
    if (r.seq !== expectedSeq) return broken(r.seq, `expected sequence ${expectedSeq}, found ${r.seq}`);
    if (r.prev_hash !== prevHash) return broken(r.seq, 'prev_hash does not match the previous record (a record was removed, inserted or moved)');
    const { hash, ...rest } = r;
    if (hashRecord(rest) !== hash) return broken(r.seq, 'hash does not match the record (the record was changed)');
    prevHash = hash;
    expectedSeq += 1;
  }
  return { ok: true, records_checked: position, first_broken: null, last_hash: position === 0 ? null : prevHash };
}

/** Builds the next record of the chain. */
export function chainRecord(entry: Omit<AuditRecord, 'seq' | 'time' | 'prev_hash' | 'hash'>, seq: number, prevHash: string, time: Date): AuditRecord {
  const body: Omit<AuditRecord, 'hash'> = { ...entry, seq, time: time.toISOString(), prev_hash: prevHash };
  return { ...body, hash: hashRecord(body) };
}
