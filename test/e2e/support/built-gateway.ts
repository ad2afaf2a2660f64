import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JWT_SECRET, KEY_ID, SECRET_KEY } from './harness.js';
import type { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';

const ROOT = process.cwd();
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const DEMO = join(ROOT, 'dist', 'scripts', 'demo.js');
/** What tsconfig.build.json compiles into dist/ (the demo runs the emulator from test/emulator). */
const SOURCES = ['src', 'scripts', join('test', 'emulator')];

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
  const sources = Math.max(
    ...SOURCES.map((dir) => newestMtime(join(ROOT, dir))),
    ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  if ([MAIN, DEMO].every((out) => existsSync(out) && statSync(out).mtimeMs >= sources)) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT, stdio: 'pipe' },
  );
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
export async function spawnGateway(
  emulator: AlpacaEmulator,
  port: number,
  env: Record<string, string> = {},
): Promise<BuiltGateway> {
  const child = spawnMain(emulator, port, env);
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/api/v1/health/live`)).status === 200) break;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      // Not left running after the test gives up on it (and its exit removes its temp folder).
      child.kill('SIGKILL');
      throw new Error(`gateway did not start (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, baseUrl, logs, exited };
}

/** main.js with a key file and audit file in a temp folder of its own, removed once the process has exited. */
function spawnMain(emulator: AlpacaEmulator, port: number, env: Record<string, string>): ChildProcess {
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
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return child;
}

export interface FinishedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output until it exits; SIGKILLs it if it outlives `timeoutMs`. */
export function runToExit(child: ChildProcess, timeoutMs: number): Promise<FinishedRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': by then both pipes have been read to the end.
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** `node dist/src/main.js` for a boot that is expected to fail: runs it to its exit. */
export function runGatewayToExit(
  emulator: AlpacaEmulator,
  port: number,
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<FinishedRun> {
  return runToExit(spawnMain(emulator, port, env), timeoutMs);
}

/**
 * `node dist/scripts/demo.js` (npm run demo without its build step), with an environment built from
 * scratch: the ports and TMPDIR given (so a test sees what the demo leaves in its temp dir).
 */
export function spawnDemo(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [DEMO], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
  });
}
