import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JWT_SECRET, KEY_ID, SECRET_KEY } from './harness.js';
import type { AlpacaEmulator } from '../emulator/alpaca-emulator.js';

const ROOT = process.cwd();
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with tsc unless it is newer than every source file (CI builds before testing). */
export function ensureBuilt(): void {
  const sources = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
}

export interface BuiltGateway {
  child: ChildProcess;
  baseUrl: string;
  /** Parsed JSON log lines from the child's stdout. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node dist/src/main.js` as production runs it, pointed at `emulator`. The environment is built
 * from scratch so nothing from the caller's (REDIS_URL, DATABASE_URL in CI) leaks in.
 */
export async function spawnGateway(emulator: AlpacaEmulator, port: number, env: Record<string, string> = {}): Promise<BuiltGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'opitios-proc-'));
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      APCA_API_KEY_ID: KEY_ID,
      APCA_API_SECRET_KEY: SECRET_KEY,
      APCA_API_DATA_URL: emulator.dataUrl,
      APCA_API_BASE_URL: emulator.tradingUrl,
      JWT_SECRET,
      API_KEYS_FILE: join(dir, 'api-keys.json'),
      AUDIT_LOG_PATH: join(dir, 'audit.jsonl'),
      RATE_LIMIT_BURST_PER_SECOND: '100000',
      RATE_LIMIT_PREMIUM_PER_HOUR: '1000000',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/api/v1/health/live`)).status === 200) break;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`gateway did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, baseUrl, logs, exited };
}
