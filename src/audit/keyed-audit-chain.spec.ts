import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEd25519PrivateKey } from '../core/signing/ed25519-key.js';
import { hashRecord } from './audit-chain.js';
import { signCheckpoint } from './audit-checkpoint.js';
import { auditKeys, checkpointPublicKeys, UNKEYED, type AuditKeys } from './audit-keys.js';
import type { AuditEntry, AuditRecord } from './audit.types.js';
import { JsonlAuditStore } from './store/jsonl-audit.store.js';

const K1 = { kid: 'k1', secret: 'first-audit-hmac-secret-0123456789abcdef' };
const K2 = { kid: 'k2', secret: 'second-audit-hmac-secret-0123456789abcdef' };

function signingKey(): AuditKeys['signing'] {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return readEd25519PrivateKey(pem);
}

function entry(i: number): AuditEntry {
  return {
    actor: { sub: 'bot', roles: ['trader'], key_id: null },
    action: 'order_requested',
    resource: `order:${i}`,
    outcome: 'pending',
    request_id: `req-${i}`,
    client_ip: '127.0.0.1',
    details: { n: i },
  };
}

function readRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

function writeRecords(path: string, records: AuditRecord[]): void {
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

describe('the keyed audit chain (HMAC records, signed checkpoints)', () => {
  let dir: string;
  let path: string;
  const signing = signingKey();
  const keys = auditKeys({ hmac: K1, previous: [], signing });

  async function storeWith(k: AuditKeys, records: number): Promise<JsonlAuditStore> {
    const store = new JsonlAuditStore(path, k);
    await store.init();
    for (let i = 0; i < records; i += 1) await store.append(entry(i));
    return store;
  }

  async function checkpoint(store: JsonlAuditStore, k: AuditKeys): Promise<void> {
    const head = await store.head();
    if (head === null) throw new Error('empty chain');
    const cp = signCheckpoint(head, new Date(), k);
    if (cp === null) throw new Error('no signing key');
    await store.saveCheckpoint(cp);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opitios-audit-keyed-'));
    path = join(dir, 'audit.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keys every record with the current HMAC key and verifies against the newest checkpoint', async () => {
    const store = await storeWith(keys, 5);
    await checkpoint(store, keys);
    const records = readRecords(path);
    expect(records.every((r) => r.hmac_kid === 'k1')).toBe(true);
    // Keyed: the plain SHA-256 of the same record is not its hash.
    const [, , third] = records;
    if (third === undefined) throw new Error('no third record');
    const { hash, ...rest } = third;
    expect(hashRecord({ ...rest, hmac_kid: null }, UNKEYED)).not.toBe(hash);
    expect(await store.verify()).toMatchObject({
      ok: true,
      records_checked: 5,
      last_seq: 5,
      checkpoint: { seq: 5, kid: signing?.kid },
    });
    expect(readFileSync(join(dir, 'audit.checkpoints.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    await store.close();
  });

  it('a removed tail is reported from the first missing seq', async () => {
    const store = await storeWith(keys, 8);
    await checkpoint(store, keys);
    writeRecords(path, readRecords(path).slice(0, 5));
    expect(await store.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 6, reason: expect.stringContaining('records from seq 6 are missing') },
    });
    await store.close();
  });

  it('one record edited and every later hash recomputed without the key is reported at the edited seq', async () => {
    const store = await storeWith(keys, 8);
    await checkpoint(store, keys);
    const forged = auditKeys({
      hmac: { kid: 'k1', secret: 'an-attacker-guess-at-the-secret-000000' },
      previous: [],
      signing: null,
    });
    const records = readRecords(path);
    let prev = records[3]?.prev_hash ?? '';
    const rewritten = records.map((r) => {
      if (r.seq < 4) return r;
      const body = { ...r, prev_hash: prev, details: r.seq === 4 ? { n: 999 } : r.details };
      delete (body as Partial<AuditRecord>).hash;
      const hash = hashRecord(body, forged) ?? '';
      prev = hash;
      return { ...body, hash };
    });
    writeRecords(path, rewritten);
    expect(await store.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 4, reason: expect.stringContaining('HMAC does not match') },
    });
    // The same rewrite as plain SHA-256 links: caught as unkeyed records in a keyed chain.
    prev = records[3]?.prev_hash ?? '';
    writeRecords(
      path,
      records.map((r) => {
        if (r.seq < 4) return r;
        const body = { ...r, prev_hash: prev, hmac_kid: null, details: r.seq === 4 ? { n: 999 } : r.details };
        delete (body as Partial<AuditRecord>).hash;
        const hash = hashRecord(body, UNKEYED) ?? '';
        prev = hash;
        return { ...body, hash };
      }),
    );
    expect(await store.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 4, reason: expect.stringContaining('not keyed although the chain is keyed from seq 1') },
    });
    await store.close();
  });

  it('a store rolled back to an earlier copy is reported, also when written again after the rollback', async () => {
    const store = await storeWith(keys, 4);
    const copy = join(dir, 'backup.jsonl');
    copyFileSync(path, copy);
    for (let i = 4; i < 9; i += 1) await store.append(entry(i));
    await checkpoint(store, keys);
    await store.close();
    copyFileSync(copy, path);
    const rolledBack = await storeWith(keys, 0);
    expect(await rolledBack.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 5, reason: expect.stringContaining('rolled back') },
    });
    // Written again past the checkpoint: the record at its seq is not the one it signed.
    for (let i = 0; i < 6; i += 1) await rolledBack.append(entry(100 + i));
    expect(await rolledBack.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 9, reason: expect.stringContaining('differs from the checkpoint') },
    });
    await rolledBack.close();
  });

  it('a forged checkpoint (claims the key, wrong signature) is itself reported', async () => {
    const store = await storeWith(keys, 3);
    await checkpoint(store, keys);
    const [cp] = await store.checkpoints();
    writeFileSync(join(dir, 'audit.checkpoints.jsonl'), `${JSON.stringify({ ...cp, seq: 2 })}\n`);
    expect(await store.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 2, reason: expect.stringContaining('does not verify with the checkpoint key') },
    });
    await store.close();
  });

  it('checkpoints verify with the public key alone (an auditor holds no private key)', async () => {
    const store = await storeWith(keys, 6);
    await checkpoint(store, keys);
    await store.close();
    if (signing === null) throw new Error('no signing key');
    const pem = signing.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const [publicHalf] = await checkpointPublicKeys(pem);
    expect(publicHalf?.kid).toBe(signing.kid);
    const auditor = new JsonlAuditStore(
      path,
      auditKeys({ hmac: K1, previous: [], signing: null, verifying: publicHalf === undefined ? [] : [publicHalf] }),
    );
    expect(await auditor.verify()).toMatchObject({ ok: true, checkpoint: { seq: 6, kid: signing.kid } });
    writeRecords(path, readRecords(path).slice(0, 4));
    expect(await auditor.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 5, reason: expect.stringContaining('records from seq 5 are missing') },
    });
    // The same key from a JWK set (the gateway's /.well-known/jwks.json), found by its thumbprint.
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({
        keys: [
          { kty: 'RSA', n: 'x', e: 'AQAB' },
          { ...signing.publicKey.export({ format: 'jwk' }), kid: 'any-name' },
        ],
      }),
    );
    expect((await checkpointPublicKeys(jwksFile)).map((k) => k.kid)).toEqual([signing.kid]);
    // A private key is refused where a public one is asked for.
    await expect(
      checkpointPublicKeys(signing.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    ).rejects.toThrow(/a private key/);
    await auditor.close();
  });

  it('rotation: records keyed with the old key verify while it is listed in AUDIT_HMAC_PREVIOUS_KEYS', async () => {
    const before = await storeWith(auditKeys({ hmac: K1, previous: [], signing: null }), 3);
    await before.close();
    const rotated = auditKeys({ hmac: K2, previous: [K1], signing: null });
    const after = await storeWith(rotated, 3);
    expect(readRecords(path).map((r) => r.hmac_kid)).toEqual(['k1', 'k1', 'k1', 'k2', 'k2', 'k2']);
    expect(await after.verify()).toMatchObject({ ok: true, records_checked: 6 });
    await after.close();
    // Once the old key is dropped, its records can no longer be checked: said, with the seq.
    const dropped = new JsonlAuditStore(path, auditKeys({ hmac: K2, previous: [], signing: null }));
    expect(await dropped.verify()).toMatchObject({
      ok: false,
      first_broken: { seq: 1, reason: expect.stringContaining('HMAC key "k1", which is not configured') },
    });
  });

  it('records written before the chain was keyed still verify (plain SHA-256 links, no hmac_kid member)', async () => {
    const legacy = await storeWith(UNKEYED, 2);
    await legacy.close();
    expect(readRecords(path).map((r) => 'hmac_kid' in r)).toEqual([false, false]);
    const keyed = await storeWith(keys, 2);
    expect(await keyed.verify()).toMatchObject({ ok: true, records_checked: 4 });
    await keyed.close();
  });
});
