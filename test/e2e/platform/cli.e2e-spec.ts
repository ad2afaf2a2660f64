import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { productionHmacKeyProblem } from '../../../src/core/config/audit-hmac-keys.js';
import type { AuditRecord } from '../../../src/audit/audit.types.js';
import { ensureBuilt } from '../support/built-gateway.js';
import { expectCatalogError } from '../support/harness.js';
import { startTwoAccountGateway } from '../support/two-accounts.js';

const ROOT = process.cwd();
const LAUNCHER = join(ROOT, 'scripts', 'run-built.mjs');
const APIKEY = join('dist', 'src', 'auth', 'api-keys', 'apikey.cli.js');
const HMAC_KEY = 'prod:cli-audit-hmac-secret-0123456789abcdefgh';
const run = promisify(execFile);

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node <args>` with an environment built from scratch (nothing of the caller's leaks in). */
async function node(args: string[], env: Record<string, string>, cwd = ROOT): Promise<Finished> {
  try {
    return {
      code: 0,
      ...(await run(process.execPath, args, { cwd, env: { PATH: process.env['PATH'] ?? '', ...env } })),
    };
  } catch (e: unknown) {
    return e as Finished;
  }
}

function auditRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

describe('the command-line tools run from the build', () => {
  let dir: string;
  let files: { API_KEYS_FILE: string; AUDIT_LOG_PATH: string };

  beforeAll(() => ensureBuilt(), 120_000);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opitios-cli-'));
    files = { API_KEYS_FILE: join(dir, 'api-keys.json'), AUDIT_LOG_PATH: join(dir, 'audit.jsonl') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run apikey / audit:verify / verify:response start the compiled entry through the launcher, not the compiler', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['apikey']).toBe(`node scripts/run-built.mjs ${APIKEY}`);
    expect(scripts['audit:verify']).toBe('node scripts/run-built.mjs dist/src/audit/audit-verify.cli.js');
    expect(scripts['verify:response']).toBe('node scripts/run-built.mjs dist/scripts/verify-response.js');
  });

  it('on a built tree the launcher runs the entry with its arguments and builds nothing', async () => {
    const created = await node([LAUNCHER, APIKEY, 'create', '--name', 'bot1', '--roles', 'viewer'], files);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created key [0-9a-f]{16} "bot1"/) });
    const listed = await node([LAUNCHER, APIKEY, 'list'], files);
    expect(listed).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^[0-9a-f]{16} {2}bot1 {2}roles=viewer .* active\n$/),
    });
    expect(listed.stderr).not.toContain('building');
  });

  it('where there are no sources (the container image) the compiled entry runs as it is; a missing one is said', async () => {
    const image = join(dir, 'app');
    mkdirSync(join(image, 'scripts'), { recursive: true });
    mkdirSync(join(image, 'dist'));
    copyFileSync(LAUNCHER, join(image, 'scripts', 'run-built.mjs'));
    writeFileSync(join(image, 'dist', 'echo.js'), 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
    expect(await node(['scripts/run-built.mjs', 'dist/echo.js', 'list', '--file', 'x'], {}, image)).toMatchObject({
      code: 0,
      stdout: '["list","--file","x"]',
    });
    expect(await node(['scripts/run-built.mjs', 'dist/none.js'], {}, image)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing and there are no sources'),
    });
  });

  it("apikey under NODE_ENV=production without AUDIT_HMAC_KEY changes nothing and says why, in the gateway's words", async () => {
    const refused = await node([APIKEY, 'create', '--name', 'bot1', '--roles', 'viewer'], {
      ...files,
      NODE_ENV: 'production',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(productionHmacKeyProblem({ NODE_ENV: 'production' }) ?? 'a problem');
    expect(existsSync(files.API_KEYS_FILE)).toBe(false);
    expect(existsSync(files.AUDIT_LOG_PATH)).toBe(false);
    // An empty value is no key either (as at the gateway's boot).
    expect(
      await node([APIKEY, 'create', '--name', 'bot1', '--roles', 'viewer'], {
        ...files,
        NODE_ENV: 'production',
        AUDIT_HMAC_KEY: '',
      }),
    ).toMatchObject({ code: 1 });
    // With the key, the change is made and its record keyed with it.
    expect(
      await node([APIKEY, 'create', '--name', 'bot1', '--roles', 'viewer'], {
        ...files,
        NODE_ENV: 'production',
        AUDIT_HMAC_KEY: HMAC_KEY,
      }),
    ).toMatchObject({ code: 0 });
    const [record] = readFileSync(files.AUDIT_LOG_PATH, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(record).toMatchObject({ action: 'api_key_created', hmac_kid: 'prod' });
    // Reading changes nothing and needs no key.
    expect(await node([APIKEY, 'list'], { ...files, NODE_ENV: 'production' })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('bot1'),
    });
  });

  it('apikey binds a key to accounts at creation and changes them with `accounts`, each change audited', async () => {
    const created = await node([APIKEY, 'create', '--name', 'bot1', '--roles', 'trader', '--accounts', 'paper,live'], {
      ...files,
      ALPACA_ACCOUNTS: 'paper,live',
    });
    expect(created).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^created key [0-9a-f]{16} "bot1" roles=trader accounts=paper,live in /),
    });
    // Every name is one ALPACA_ACCOUNTS has: nothing to warn about.
    expect(created.stderr).not.toContain('warning');
    const id = /^created key ([0-9a-f]{16})/.exec(created.stdout)?.[1] ?? '';
    expect(await node([APIKEY, 'list'], files)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/ bot1 {2}roles=trader {2}risk_policy=default {2}accounts=paper,live {2}created=/),
    });

    const narrowed = await node([APIKEY, 'accounts', 'bot1', 'live'], files);
    expect(narrowed).toMatchObject({
      code: 0,
      stdout: `key ${id} "bot1" accounts=live (in force within API_KEYS_RELOAD_MS)\n`,
    });
    // Without ALPACA_ACCOUNTS here the names cannot be checked, and the CLI says so.
    expect(narrowed.stderr).toContain('ALPACA_ACCOUNTS is not set here');
    // A name the gateway does not serve is stored, with a warning naming it.
    const unknown = await node([APIKEY, 'accounts', id, 'live,margin'], { ...files, ALPACA_ACCOUNTS: 'paper, live' });
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('warning: ALPACA_ACCOUNTS (paper, live) has no account "margin"');
    const unbound = await node([APIKEY, 'accounts', 'bot1', 'none'], files);
    expect(unbound).toMatchObject({ code: 0, stdout: expect.stringContaining('accounts=first') });
    expect(await node([APIKEY, 'list'], files)).toMatchObject({
      stdout: expect.stringContaining('  accounts=first  '),
    });
    const [stored] = (JSON.parse(readFileSync(files.API_KEYS_FILE, 'utf8')) as { keys: Array<Record<string, unknown>> })
      .keys;
    expect(stored).not.toHaveProperty('accounts');

    const records = auditRecords(files.AUDIT_LOG_PATH);
    expect(records.map((r) => [r.action, r.resource, r.details])).toEqual([
      [
        'api_key_created',
        `api_key:${id}`,
        { name: 'bot1', roles: ['trader'], risk_policy: null, accounts: ['paper', 'live'] },
      ],
      ['api_key_accounts_changed', `api_key:${id}`, { name: 'bot1', accounts: ['live'] }],
      ['api_key_accounts_changed', `api_key:${id}`, { name: 'bot1', accounts: ['live', 'margin'] }],
      ['api_key_accounts_changed', `api_key:${id}`, { name: 'bot1', accounts: null }],
    ]);
    expect(records.every((r) => r.actor.sub?.startsWith('cli:') === true && r.outcome === 'ok')).toBe(true);
    // Key changes concern no Alpaca account themselves.
    expect(records.some((r) => 'account' in r)).toBe(false);
    expect(await node([join('dist', 'src', 'audit', 'audit-verify.cli.js')], files)).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('"ok": true'),
    });
  });

  it.each([
    ['an upper-case name', ['create', '--name', 'bot2', '--roles', 'trader', '--accounts', 'Paper']],
    ['a repeated name', ['create', '--name', 'bot2', '--roles', 'trader', '--accounts', 'paper,paper']],
    ['an empty name', ['accounts', 'bot1', 'paper,']],
    ['a name with a dash', ['accounts', 'bot1', 'paper-2']],
    ['--accounts without names', ['create', '--name', 'bot2', '--roles', 'trader', '--accounts']],
  ])('apikey refuses %s (exit 2) and changes nothing', async (_what, args) => {
    await node([APIKEY, 'create', '--name', 'bot1', '--roles', 'trader'], files);
    const before = readFileSync(files.API_KEYS_FILE, 'utf8');
    const auditBefore = readFileSync(files.AUDIT_LOG_PATH, 'utf8');
    const refused = await node([APIKEY, ...args], files);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^accounts ".*": (account name|each account may be named once)|^usage: apikey/);
    expect(readFileSync(files.API_KEYS_FILE, 'utf8')).toBe(before);
    expect(readFileSync(files.AUDIT_LOG_PATH, 'utf8')).toBe(auditBefore);
  });

  it('a key created with --accounts live may not use paper at a gateway serving both, and its token says so', async () => {
    const gw = await startTwoAccountGateway();
    try {
      const env = {
        API_KEYS_FILE: gw.apiKeysFile,
        AUDIT_LOG_PATH: files.AUDIT_LOG_PATH,
        ALPACA_ACCOUNTS: 'paper,live',
      };
      const created = await node(
        [APIKEY, 'create', '--name', 'live-bot', '--roles', 'trader', '--accounts', 'live'],
        env,
      );
      expect(created.code).toBe(0);
      const key = created.stdout.trim().split('\n').at(-1) ?? '';
      const token = await gw.anon().post('/api/v1/auth/token').set('X-API-Key', key).expect(200);
      expect(token.body.data).toMatchObject({ accounts: ['live'], roles: ['trader'] });
      const bearer = `Bearer ${token.body.data.access_token as string}`;

      const refused = expectCatalogError(
        await gw.anon().get('/api/v1/account').set('Authorization', bearer).set('X-Alpaca-Account', 'paper'),
        403,
        'ACCOUNT_NOT_ALLOWED',
      );
      expect(refused['details']).toEqual({
        account: 'paper',
        allowed: ['live'],
        header: 'X-Alpaca-Account',
        sent: false,
      });
      const live = await gw.anon().get('/api/v1/account').set('Authorization', bearer).expect(200);
      expect(live.body.metadata).toMatchObject({ account: 'live' });

      // Rebound to paper: the same token follows the key as it is now.
      expect(await node([APIKEY, 'accounts', 'live-bot', 'paper'], env)).toMatchObject({ code: 0 });
      const paper = await gw.anon().get('/api/v1/account').set('Authorization', bearer).expect(200);
      expect(paper.body.metadata).toMatchObject({ account: 'paper' });
      expectCatalogError(
        await gw.anon().get('/api/v1/account').set('Authorization', bearer).set('X-Alpaca-Account', 'live'),
        403,
        'ACCOUNT_NOT_ALLOWED',
      );
    } finally {
      await gw.close();
    }
  });
});
