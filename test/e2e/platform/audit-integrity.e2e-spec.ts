import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashRecord } from '../../../src/audit/audit-chain.js';
import { UNKEYED } from '../../../src/audit/audit-keys.js';
import type { AuditCheckpoint, AuditRecord } from '../../../src/audit/audit.types.js';
import { ensureBuilt } from '../support/built-gateway.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';

const HMAC_KEY = 'k1:e2e-audit-hmac-secret-0123456789abcdefgh';
const SIGNING_PAIR = generateKeyPairSync('ed25519');
const SIGNING_KEY = SIGNING_PAIR.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
/** What an auditor holds: the checkpoint key's public half (and the chain's HMAC key), never the private key. */
const PUBLIC_KEY = SIGNING_PAIR.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'trader-integrity' })}` };
const admin = { Authorization: `Bearer ${tokenFor(['admin'])}` };
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150.00', time_in_force: 'day' };

function records(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

function write(path: string, rs: AuditRecord[]): void {
  writeFileSync(path, rs.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

interface Verdict {
  ok: boolean;
  last_seq: number;
  first_broken: { seq: number | null; reason: string } | null;
  checkpoint: { seq: number; kid: string } | null;
  checkpoints_stored?: number;
  checkpoints_checked?: number;
}

describe('audit integrity: keyed chain, signed checkpoints, route and CLI', () => {
  let gw: Gateway;
  let dir: string;
  const run = promisify(execFile);

  async function viaRoute(): Promise<Verdict> {
    return (await gw.anon().get('/api/v1/audit/verify').set(admin).expect(200)).body.data as Verdict;
  }

  /** The built CLI on the gateway's trail, with the chain's HMAC key and `keys`. */
  async function runCli(
    keys: Record<string, string>,
    args: string[] = [],
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const cli = join(process.cwd(), 'dist', 'src', 'audit', 'audit-verify.cli.js');
    const env = { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: HMAC_KEY, ...keys };
    try {
      return { code: 0, ...(await run(process.execPath, [cli, '--file', gw.auditFile, ...args], { env })) };
    } catch (e: unknown) {
      return e as { code: number; stdout: string; stderr: string };
    }
  }

  /**
   * `npm run audit:verify -- --file …` as an auditor runs it: the chain's HMAC key and the
   * checkpoints' public key only (`keys` replaces the latter).
   */
  async function viaCli(
    keys: Record<string, string> = { AUDIT_VERIFY_PUBLIC_KEY: PUBLIC_KEY },
    args: string[] = [],
  ): Promise<{ code: number; verdict: Verdict; stderr: string }> {
    const { code, stdout, stderr } = await runCli(keys, args);
    return { code, verdict: JSON.parse(stdout) as Verdict, stderr };
  }

  beforeAll(() => ensureBuilt(), 120_000);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opitios-integrity-'));
    gw = await startGateway({ AUDIT_HMAC_KEY: HMAC_KEY, AUDIT_SIGNING_KEY: SIGNING_KEY, AUDIT_CHECKPOINT_EVERY: '4' });
    for (let i = 0; i < 2; i += 1)
      await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `int-${i}`).send(LIMIT_BUY).expect(201);
    copyFileSync(gw.auditFile, join(dir, 'after-two-orders.jsonl'));
    for (let i = 2; i < 5; i += 1)
      await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', `int-${i}`).send(LIMIT_BUY).expect(201);
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
    const cps = readFileSync(gw.auditFile.replace(/\.jsonl$/, '.checkpoints.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditCheckpoint);
    expect(cps.map((c) => c.seq)).toEqual(
      gw.logs.filter((l) => l['message'] === 'audit_checkpoint').map((l) => l['seq']),
    );
    expect(cps.every((c) => c.hash === rs[c.seq - 1]?.hash && /^[A-Za-z0-9+/]+=*$/.test(c.signature))).toBe(true);
    const route = await viaRoute();
    const newest = { seq: cps[cps.length - 1]?.seq, kid: cps[0]?.kid };
    expect(route).toMatchObject({ ok: true, first_broken: null, checkpoint: newest });
    // The auditor's public key, and the gateway's own private key, find the same newest checkpoint.
    expect(await viaCli()).toMatchObject({
      code: 0,
      verdict: { ok: true, checkpoint: newest, checkpoints_stored: 2, checkpoints_checked: 2 },
    });
    expect(await viaCli({ AUDIT_SIGNING_KEY: SIGNING_KEY })).toMatchObject({
      code: 0,
      verdict: { ok: true, checkpoint: newest },
    });
  });

  it('the gateway publishes the checkpoint key in its JWK set; the CLI verifies with that URL', async () => {
    const server = gw.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      const set = (await (await fetch(url)).json()) as { keys: Array<{ kid: string; kty: string; crv: string }> };
      const kid = (await viaRoute()).checkpoint?.kid;
      expect(set.keys).toEqual([expect.objectContaining({ kid, kty: 'OKP', crv: 'Ed25519' })]);
      expect(await viaCli({ AUDIT_VERIFY_PUBLIC_KEY: url })).toMatchObject({
        code: 0,
        verdict: { ok: true, checkpoint: { kid } },
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('checkpoints stored but no key to check them → said, exit 3; --no-checkpoints checks the chain alone', async () => {
    const none = await viaCli({});
    expect(none).toMatchObject({
      code: 3,
      verdict: { ok: true, checkpoint: null, checkpoints_stored: 2, checkpoints_checked: 0 },
    });
    expect(none.stderr).toMatch(
      /2 signed checkpoint\(s\) are stored beside the trail but no key to check them was given: set AUDIT_VERIFY_PUBLIC_KEY/,
    );
    // Another key than the one that signed them is no better.
    const stranger = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const wrong = await viaCli({ AUDIT_VERIFY_PUBLIC_KEY: stranger });
    expect(wrong).toMatchObject({ code: 3, verdict: { checkpoint: null, checkpoints_checked: 0 } });
    expect(wrong.stderr).toContain('none signed by the key(s) given');
    const chainOnly = await viaCli({}, ['--no-checkpoints']);
    expect(chainOnly).toMatchObject({ code: 0, verdict: { ok: true, checkpoint: null, checkpoints_checked: 0 } });
    expect(chainOnly.stderr).toContain('not checked (--no-checkpoints)');
    // A private key where the public one belongs is refused, not used.
    expect(await runCli({ AUDIT_VERIFY_PUBLIC_KEY: SIGNING_KEY })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('AUDIT_VERIFY_PUBLIC_KEY: a private key'),
    });
  });

  it('the newest 3 records deleted → both name the first missing seq', async () => {
    const rs = records(gw.auditFile);
    const checkpointSeq = (await viaRoute()).checkpoint?.seq ?? 0;
    write(gw.auditFile, rs.slice(0, checkpointSeq - 3));
    const expected = {
      ok: false,
      first_broken: {
        seq: checkpointSeq - 2,
        reason: expect.stringContaining(`records from seq ${checkpointSeq - 2} are missing`),
      },
    };
    expect(await viaRoute()).toMatchObject(expected);
    expect(await viaCli()).toMatchObject({ code: 1, verdict: expected });
  });

  it('one record edited and every later hash recomputed without the key → both name that seq', async () => {
    const rs = records(gw.auditFile);
    let prev = rs[2]?.prev_hash ?? '';
    const forged = rs.map((r) => {
      if (r.seq < 3) return r;
      const body: Partial<AuditRecord> & Omit<AuditRecord, 'hash'> = {
        ...r,
        prev_hash: prev,
        outcome: r.seq === 3 ? 'canceled' : r.outcome,
      };
      delete body.hash;
      const hash = hashRecord(body, UNKEYED) ?? '';
      prev = hash;
      return { ...body, hash };
    });
    write(gw.auditFile, forged);
    expect(await viaRoute()).toMatchObject({
      ok: false,
      first_broken: { seq: 3, reason: expect.stringContaining('HMAC does not match') },
    });
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
    expect(gw.logs.filter((l) => l['message'] === 'audit_checkpoint').at(-1)).toMatchObject({
      reason: 'shutdown',
      seq: head,
    });
    expect(await viaCli()).toMatchObject({ code: 0, verdict: { ok: true, checkpoint: { seq: head } } });
  });
});
