import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { productionHmacKeyProblem } from '../../../src/core/config/audit-hmac-keys.js';
import type { AuditRecord } from '../../../src/audit/audit.types.js';
import { ensureBuilt } from '../support/built-gateway.js';

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
});
