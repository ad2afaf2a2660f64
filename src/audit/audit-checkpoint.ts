import { sign, verify } from 'node:crypto';
import { canonicalJson } from '../core/serialization/canonical-json.js';
import { verifyChain } from './audit-chain.js';
import type { AuditKeys } from './audit-keys.js';
import type { AuditCheckpoint, AuditRecord, VerifyResult } from './audit.types.js';

function signedBytes(head: { seq: number; hash: string; time: string }): Buffer {
  return Buffer.from(canonicalJson({ seq: head.seq, hash: head.hash, time: head.time }), 'utf8');
}

/** Signs the chain's head; null without AUDIT_SIGNING_KEY. */
export function signCheckpoint(
  head: { seq: number; hash: string },
  time: Date,
  keys: AuditKeys,
): AuditCheckpoint | null {
  if (keys.signing === null) return null;
  const body = { seq: head.seq, hash: head.hash, time: time.toISOString() };
  return {
    ...body,
    kid: keys.signing.kid,
    signature: sign(null, signedBytes(body), keys.signing.privateKey).toString('base64'),
  };
}

function signatureHolds(cp: AuditCheckpoint, keys: AuditKeys): boolean {
  const publicKey = keys.checkpointKeys.get(cp.kid);
  if (publicKey === undefined) return false;
  try {
    return verify(null, signedBytes(cp), publicKey, Buffer.from(cp.signature, 'base64'));
  } catch {
    // A malformed signature is simply one that does not hold.
    return false;
  }
}

/**
 * The whole trail checked, as both stores answer `verify()`: link by link (keyed), then held
 * against the signed checkpoints: each one
 * says "the record at seq S had hash H at time T". A removed tail or a store rolled back to an
 * earlier copy ends before a checkpoint; a chain rewritten (or rolled back and written again)
 * differs at one. Checkpoints are checked with the public keys held (the signing key's own half,
 * or an auditor's AUDIT_VERIFY_PUBLIC_KEY); those signed by another key (before a rotation) are
 * not evidence and are skipped; one that claims a held key but does not verify is itself tampering.
 */
export function verifyTrail(
  stored: ReadonlyArray<AuditRecord | { unreadable: string }>,
  checkpoints: readonly AuditCheckpoint[],
  keys: AuditKeys,
): VerifyResult {
  const chain = verifyChain(stored, keys);
  if (!chain.ok || keys.checkpointKeys.size === 0) return chain;
  // A whole chain has no unreadable line.
  const records = stored.filter((r): r is AuditRecord => !('unreadable' in r));
  const ours = checkpoints.filter((cp) => keys.checkpointKeys.has(cp.kid)).sort((a, b) => a.seq - b.seq);
  const hashAt = new Map(records.map((r) => [r.seq, r.hash]));
  const broken = (seq: number, reason: string): VerifyResult => ({
    ...chain,
    ok: false,
    first_broken: { seq, position: seq, reason },
  });
  let newest: AuditCheckpoint | null = null;
  for (const cp of ours) {
    if (!signatureHolds(cp, keys))
      return broken(
        cp.seq,
        `the checkpoint for seq ${cp.seq} (${cp.time}) does not verify with the checkpoint key ${cp.kid}: the checkpoints were tampered with`,
      );
    if (cp.seq > chain.last_seq) {
      return broken(
        chain.last_seq + 1,
        `records from seq ${chain.last_seq + 1} are missing: the checkpoint signed at ${cp.time} covers seq ${cp.seq} (the newest records were removed, or the store was rolled back)`,
      );
    }
    if (hashAt.get(cp.seq) !== cp.hash) {
      return broken(
        cp.seq,
        `the record at seq ${cp.seq} differs from the checkpoint signed at ${cp.time} (the chain was rewritten, or rolled back and written again)`,
      );
    }
    newest = cp;
  }
  return {
    ...chain,
    checkpoint: newest === null ? null : { seq: newest.seq, hash: newest.hash, time: newest.time, kid: newest.kid },
  };
}
