import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { JWT_SECRET, KEY_ID, SECRET_KEY, tokenFor } from '../../e2e/support/harness.js';
import { freePort } from '../redis-server.js';

const ORDERS = 120;
const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

async function waitUntilServing(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/market/clock`, {
        headers: { Authorization: `Bearer ${tokenFor(['viewer'])}` },
      });
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('gateway did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SIGKILL during a burst of orders', () => {
  let emulator: AlpacaEmulator;
  let child: ChildProcess | null = null;
  let auditDir: string | null = null;
  beforeAll(async () => {
    // .ci/run builds first; a developer running this alone gets a build here.
    if (!existsSync(MAIN))
      expect(spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status).toBe(0);
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY });
    await emulator.start();
  }, 120000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await emulator.stop();
    if (auditDir !== null) rmSync(auditDir, { recursive: true, force: true });
  });

  it('every order the emulator accepted has its order_requested record in the audit file', async () => {
    const port = await freePort();
    auditDir = mkdtempSync(join(tmpdir(), 'sigkill-'));
    const auditFile = join(auditDir, 'audit.jsonl');
    const proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        APCA_API_KEY_ID: KEY_ID,
        APCA_API_SECRET_KEY: SECRET_KEY,
        APCA_API_DATA_URL: emulator.dataUrl,
        APCA_API_BASE_URL: emulator.tradingUrl,
        JWT_SECRET,
        AUDIT_LOG_PATH: auditFile,
        LOG_LEVEL: 'error',
        RATE_LIMIT_BURST_PER_SECOND: '100000',
        RATE_LIMIT_PREMIUM_PER_HOUR: '1000000',
      },
      stdio: 'ignore',
    });
    child = proc;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      proc.once('exit', (_code, signal) => resolve(signal)),
    );
    await waitUntilServing(port, 20000);
    emulator.setLatency(15);

    const trader = `Bearer ${tokenFor(['trader'], { sub: 'burst' })}`;
    const body = JSON.stringify({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' });
    const burst = Array.from({ length: ORDERS }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/api/v1/orders`, {
        method: 'POST',
        headers: { Authorization: trader, 'Content-Type': 'application/json', 'Idempotency-Key': `kill-${i}` },
        body,
      }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    // Kill once some orders have reached the emulator, while others are still in flight.
    const deadline = Date.now() + 10000;
    while (
      emulator.fixtures.orders.filter((o) => String(o['client_order_id']).startsWith('kill-')).length < 10 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    proc.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    child = null;
    const statuses = await Promise.all(burst);

    const accepted = emulator.fixtures.orders
      .map((o) => String(o['client_order_id']))
      .filter((k) => k.startsWith('kill-'));
    const requested = new Set(
      readFileSync(auditFile, 'utf8')
        .split('\n')
        .flatMap((line) => {
          try {
            const r = JSON.parse(line) as { action: string; resource: string };
            return r.action === 'order_requested' ? [r.resource] : [];
          } catch {
            // A line torn by the kill: it cannot be an order the emulator has (written before sending).
            return [];
          }
        }),
    );
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0);
    for (const key of accepted) expect({ key, audited: requested.has(`order:${key}`) }).toEqual({ key, audited: true });
  }, 60000);
});
