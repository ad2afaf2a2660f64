/**
 * A real Prometheus (Debian's binary, on loopback) scrapes a running built gateway, with the
 * repository's alert and recording rules loaded: the target comes up, every rule group loads and
 * evaluates without error, and the gateway's series are queryable. CI installs the binary
 * (.ci/run); without it this test fails and says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaEmulator } from '../emulator/alpaca-emulator.js';
import { ensureBuilt, spawnGateway, type BuiltGateway } from '../e2e/support/built-gateway.js';
import { KEY_ID, SECRET_KEY, tokenFor } from '../e2e/support/harness.js';
import { freePort } from './redis-server.js';

const RULES = join(process.cwd(), 'docker', 'prometheus', 'rules', 'opitios-alpaca.rules.yml');

interface Target {
  health: string;
  lastError: string;
  labels: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Array<{ name: string; health: string; lastError?: string; type: string }>;
}

function prometheusBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(
      'the prometheus binary is not installed: apt-get install -y prometheus (Debian package; .ci/run installs it)',
    );
  }
  return path;
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: T };
  if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e: unknown) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline)
      throw new Error(`${what} within ${timeoutMs} ms${last === undefined ? '' : `: ${last}`}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a real Prometheus scraping the built gateway, with the alert rules', () => {
  let emulator: AlpacaEmulator;
  let gateway: BuiltGateway;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let base: string;

  beforeAll(async () => {
    const binary = prometheusBinary();
    ensureBuilt();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
    gateway = await spawnGateway(emulator, await freePort());
    dir = mkdtempSync(join(tmpdir(), 'opitios-prom-'));
    const target = new URL(gateway.baseUrl).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: {scrape_interval: 1s, evaluation_interval: 1s}',
        `rule_files: ['${RULES}']`,
        'scrape_configs:',
        '  - job_name: opitios-alpaca',
        `    static_configs: [{targets: ['${target}']}]`,
      ].join('\n'),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    await until('Prometheus answering', async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited ${prometheus?.exitCode}: ${stderr}`);
      return (await fetch(`${base}/-/ready`)).status === 200 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus?.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (gateway !== undefined) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    await emulator?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the gateway, loads every rule without error, and sees its series', async () => {
    // Some traffic, so the promise series exist.
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${gateway.baseUrl}/api/v1/stocks/AAPL/quote`, {
        headers: { Authorization: `Bearer ${tokenFor(['viewer'])}` },
      });
      expect(res.status).toBe(200);
    }
    const target = await until('the gateway target up', async () => {
      const { activeTargets } = await api<{ activeTargets: Target[] }>(base, '/api/v1/targets');
      return activeTargets.find((t) => t.labels['job'] === 'opitios-alpaca' && t.health === 'up');
    });
    expect(target.lastError).toBe('');

    const groups = await until('every rule evaluated', async () => {
      const data = await api<{ groups: RuleGroup[] }>(base, '/api/v1/rules');
      return data.groups.length > 0 && data.groups.every((g) => g.rules.every((r) => r.health === 'ok'))
        ? data.groups
        : undefined;
    });
    expect(groups.map((g) => g.name).sort()).toEqual([
      'opitios-alpaca-operations',
      'opitios-alpaca-promises',
      'opitios-alpaca-sli',
    ]);
    const all = groups.flatMap((g) => g.rules);
    expect(all.filter((r) => r.type === 'alerting')).toHaveLength(19);
    expect(all.filter((r) => (r.lastError ?? '') !== '')).toEqual([]);

    // The gateway's own series arrive, with the quote route counted.
    const series = await until('the quote requests in Prometheus', async () => {
      const data = await api<{ result: Array<{ value: [number, string] }> }>(
        base,
        `/api/v1/query?query=${encodeURIComponent('sum(opitios_http_requests_total{route="/api/v1/stocks/:symbol/quote",status="200"})')}`,
      );
      return data.result.length > 0 && Number(data.result[0]?.value[1]) >= 3 ? data.result : undefined;
    });
    expect(Number(series[0]?.value[1])).toBe(3);
  }, 60_000);
});
