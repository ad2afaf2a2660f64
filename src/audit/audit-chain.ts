import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../core/serialization/canonical-json.js';
import type { AuditKeys } from './audit-keys.js';
import { GENESIS_HASH, type AuditRecord, type VerifyResult } from './audit.types.js';

type Unhashed = Omit<AuditRecord, 'hash'>;

/**
 * HMAC-SHA256 under the key named by `hmac_kid` over prev_hash + the canonical record; records
 * written before the chain was keyed (`hmac_kid` null or absent) keep their plain SHA-256, with the
 * member left out exactly as it was then. Returns null for a kid no configured key has.
 */
export function hashRecord(record: Unhashed, keys: AuditKeys): string | null {
  const { hmac_kid: kid, ...unkeyed } = record;
  if (kid === null || kid === undefined)
    return createHash('sha256')
      .update(record.prev_hash + canonicalJson(unkeyed), 'utf8')
      .digest('hex');
  const secret = keys.hmacByKid.get(kid);
  if (secret === undefined) return null;
  return createHmac('sha256', secret)
    .update(record.prev_hash + canonicalJson(record), 'utf8')
    .digest('hex');
}

/**
 * Walks records in stored order and reports the first broken link: edited, missing, reordered,
 * keyed with a key we do not hold, or, once the chain is keyed, a record that is not (a rewrite
 * by someone without the key would have to drop to plain SHA-256).
 */
export function verifyChain(records: Iterable<AuditRecord | { unreadable: string }>, keys: AuditKeys): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let position = 0;
  let keyedFrom: number | null = null;
  for (const r of records) {
    position += 1;
    const broken = (seq: number | null, reason: string): VerifyResult => ({
      ok: false,
      records_checked: position - 1,
      first_broken: { seq, position, reason },
      last_seq: expectedSeq - 1,
      last_hash: prevHash,
      checkpoint: null,
    });
    if ('unreadable' in r) return broken(null, `record is not valid JSON: ${r.unreadable}`);
    if (r.seq !== expectedSeq) return broken(r.seq, `expected sequence ${expectedSeq}, found ${r.seq}`);
    if (r.prev_hash !== prevHash)
      return broken(r.seq, 'prev_hash does not match the previous record (a record was removed, inserted or moved)');
    const kid = r.hmac_kid ?? null;
    if (kid === null && keyedFrom !== null)
      return broken(
        r.seq,
        `record is not keyed although the chain is keyed from seq ${keyedFrom} (rewritten without the key)`,
      );
    if (kid !== null) keyedFrom ??= r.seq;
    const { hash, ...rest } = r;
    const expected = hashRecord(rest, keys);
    if (expected === null)
      return broken(
        r.seq,
        `record is keyed with HMAC key "${kid ?? ''}", which is not configured (AUDIT_HMAC_KEY / AUDIT_HMAC_PREVIOUS_KEYS)`,
      );
    if (expected !== hash)
      return broken(
        r.seq,
        kid === null
          ? 'hash does not match the record (the record was changed)'
          : 'HMAC does not match the record (changed, or rewritten without the key)',
      );
    prevHash = hash;
    expectedSeq += 1;
  }
  return {
    ok: true,
    records_checked: position,
    first_broken: null,
    last_seq: expectedSeq - 1,
    last_hash: position === 0 ? null : prevHash,
    checkpoint: null,
  };
}

/** Builds the next record of the chain, keyed with the current HMAC key when there is one. */
export function chainRecord(
  entry: Omit<AuditRecord, 'seq' | 'time' | 'prev_hash' | 'hash' | 'hmac_kid'>,
  link: { seq: number; prevHash: string; time: Date },
  keys: AuditKeys,
): AuditRecord {
  const linked: Unhashed = { ...entry, seq: link.seq, time: link.time.toISOString(), prev_hash: link.prevHash };
  // Unkeyed records look exactly as they did before keys existed (no hmac_kid member).
  const body: Unhashed = keys.hmac === null ? linked : { ...linked, hmac_kid: keys.hmac.kid };
  const hash = hashRecord(body, keys);
  if (hash === null) throw new Error('the current HMAC key is missing from the key ring');
  return { ...body, hash };
}
