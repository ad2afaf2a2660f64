import { chainRecord, verifyChain } from '../audit-chain.js';
import { UNKEYED } from '../audit-keys.js';
import { GENESIS_HASH, type AuditEntry } from '../audit.types.js';
import { toRecord } from './postgres-audit.store.js';

const ENTRY: AuditEntry = {
  actor: { sub: 't', roles: ['trader'], key_id: null },
  action: 'order_requested',
  resource: 'order:x',
  outcome: 'pending',
  request_id: null,
  client_ip: null,
  details: { n: 1 },
};

/** The record `entry` becomes, and the row pg returns for it: BIGINT as a string, NULL for a missing column. */
function written(entry: AuditEntry): { record: ReturnType<typeof chainRecord>; row: Parameters<typeof toRecord>[0] } {
  const record = chainRecord(entry, { seq: 1, prevHash: GENESIS_HASH, time: new Date(0) }, UNKEYED);
  return { record, row: { ...record, seq: '1', hmac_kid: null, account: record.account ?? null } };
}

describe('toRecord (PostgreSQL row → audit record)', () => {
  it('leaves `account` out of a row whose column is NULL, so the record hashes as it was written', () => {
    const { record, row } = written(ENTRY);
    const read = toRecord(row);
    expect(read).not.toHaveProperty('account');
    expect(read).toStrictEqual({ ...record, hmac_kid: null });
    expect(verifyChain([read], UNKEYED)).toMatchObject({ ok: true, records_checked: 1 });
  });

  it('keeps a named account, and the record still verifies', () => {
    const { record, row } = written({ ...ENTRY, account: 'live' });
    const read = toRecord(row);
    expect(read).toStrictEqual({ ...record, hmac_kid: null });
    expect(read.account).toBe('live');
    expect(verifyChain([read], UNKEYED)).toMatchObject({ ok: true, records_checked: 1 });
  });
});
