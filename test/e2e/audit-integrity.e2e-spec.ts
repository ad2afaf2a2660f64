import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashRecord } from '../../src/audit/audit-chain.js';
import { UNKEYED } from '../../src/audit/audit-keys.js';
import type { AuditCheckpoint, AuditRecord } from '../../src/audit/audit.types.js';
import { ensureBuilt } from './built-gateway.js';
import { eventually, startGateway, tokenFor, type Gateway } from './harness.js';

const HMAC_KEY = 'k1:e2e-audit-hmac-secret-0123456789abcdefgh';
const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'trader-integrity' })}` };
const admin = { Authorization: `Bearer ${tokenFor(['admin'])}` };
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150.00', time_in_force: 'day' };

function records(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
}

function write(path: string, rs: AuditRecord[]): void {
  writeFileSync(path, rs.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

interface Verdict {
  ok: boolean;
  last_seq: number;
  first_broken: { seq: number | null; reason: string } | null;
  checkpoint: { seq: number; kid: string } | null;
}

describe('audit integrity: keyed chain, signed checkpoints, route and CLI', () => {
  let gw: Gateway;
  let dir: string;
  const run = promisify(execFile);

  async function viaRoute(): Promise<Verdict> {
    return (await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200)).body.data as Verdict;
  }

  /** `npm run audit:verify -- --file …` as an operator runs it, with the gateway's keys. */
  async function viaCli(): Promise<{ code: number; verdict: Verdict }> {
    const cli = join(process.cwd(), 'dist', 'src', 'audit', 'audit-verify.cli.js');
    const env = { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: HMAC_KEY, AUDIT_SIGNING_KEY: SIGNING_KEY };
    try {
      const { stdout } = await run(process.execPath, [cli, '--file', gw.auditFile], { env });
      return { code: 0, verdict: JSON.parse(stdout) as Verdict };
    } catch (e: unknown) {
      const failed = e as { code: number; stdout: string };
      return { code: failed.code, verdict: JSON.parse(failed.stdout) as Verdict };
    }
  }

  beforeAll(() => ensureBuilt(), 120_000);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opitios-integrity-'));
    gw = await startGateway({ AUDIT_HMAC_KEY: HMAC_KEY, AUDIT_SIGNING_KEY: SIGNING_KEY, AUDIT_CHECKPOINT_EVERY: '4' });
    for (let i = 0; i < 2; i += 1) await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `int-${i}`).send(LIMIT_BUY).expect(201);
    copyFileSync(gw.auditFile, join(dir, 'after-two-orders.jsonl'));
    for (let i = 2; i < 5; i += 1) await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `int-${i}`).send(LIMIT_BUY).expect(201);
    // Every 4 records a checkpoint: 10 records → two, at seq 4 and 8 or a little later (records
    // keep coming while a checkpoint is written); wait until the second is in the log.
    await eventually(() => expect(gw.logs.filter((l) => l['message'] === 'audit_checkpoint')).toHaveLength(2));
    copyFileSync(gw.auditFile, join(dir, 'intact.jsonl'));
  }, 30_000);
  afterEach(() => copyFileSync(join(dir, 'intact.jsonl'), gw.auditFile));
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records are HMAC-keyed; checkpoints are signed, kept beside the trail and in the log', async () => {
    const rs = records(gw.auditFile);
    expect(rs.length).toBeGreaterThanOrEqual(10);
    expect(rs.every((r) => r.hmac_kid === 'k1')).toBe(true);
    const cps = readFileSync(gw.auditFile.replace(/\.jsonl$/, '.checkpoints.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditCheckpoint);
    expect(cps.map((c) => c.seq)).toEqual(gw.logs.filter((l) => l['message'] === 'audit_checkpoint').map((l) => l['seq']));
    expect(cps.every((c) => c.hash === rs[c.seq - 1]?.hash && /^[A-Za-z0-9+/]+=*$/.test(c.signature))).toBe(true);
    const route = await viaRoute();
    expect(route).toMatchObject({ ok: true, first_broken: null, checkpoint: { seq: cps[cps.length - 1]?.seq } });
    expect(await viaCli()).toMatchObject({ code: 0, verdict: { ok: true } });
  });

  it('the newest 3 records deleted → both name the first missing seq', async () => {
    const rs = records(gw.auditFile);
    const checkpointSeq = (await viaRoute()).checkpoint?.seq ?? 0;
    write(gw.auditFile, rs.slice(0, checkpointSeq - 3));
    const expected = { ok: false, first_broken: { seq: checkpointSeq - 2, reason: expect.stringContaining(`records from seq ${checkpointSeq - 2} are missing`) } };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });

  it('one record edited and every later hash recomputed without the key → both name that seq', async () => {
    const rs = records(gw.auditFile);
    let prev = rs[2]?.prev_hash ?? '';
    const forged = rs.map((r) => {
      if (r.seq < 3) return r;
      const body: Partial<AuditRecord> & Omit<AuditRecord, 'hash'> = { ...r, prev_hash: prev, outcome: r.seq === 3 ? 'canceled' : r.outcome };
      delete body.hash;
      const hash = hashRecord(body, UNKEYED) ?? '';
      prev = hash;
      return { ...body, hash };
    });
    write(gw.auditFile, forged);
    expect(await viaRoute()).toMatchObject({ ok: false, first_broken: { seq: 3, reason: expect.stringContaining('HMAC does not match') } });
    expect(await viaCli()).toMatchObject({ code: 1, verdict: { first_broken: { seq: 3 } } });
  });

  it('the store rolled back to an earlier copy → both say from which seq records are missing', async () => {
    copyFileSync(join(dir, 'after-two-orders.jsonl'), gw.auditFile);
    const expected = { ok: false, first_broken: { seq: 5, reason: expect.stringContaining('rolled back') } };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });

  it('a graceful shutdown checkpoints the head it leaves', async () => {
    // One record more (an admin may not trade: permission_denied), fewer than a checkpoint's 4.
    const before = records(gw.auditFile).length;
    await gw.anon().post('/api/v1/orders').set(admin).set('Idempotency-Key', 'int-last').send(LIMIT_BUY).expect(403);
    await eventually(() => expect(records(gw.auditFile)).toHaveLength(before + 1));
    const head = before + 1;
    copyFileSync(gw.auditFile, join(dir, 'intact.jsonl'));
    await gw.shutdown();
    expect(gw.logs.filter((l) => l['message'] === 'audit_checkpoint').at(-1)).toMatchObject({ reason: 'shutdown', seq: head });
    expect(await viaCli()).toMatchObject({ code: 0, verdict: { ok: true, checkpoint: { seq: head } } });
  });
});
