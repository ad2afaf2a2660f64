import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { freePort } from '../../integration/redis-server.js';
import { ensureBuilt, runGatewayToExit, runToExit, spawnDemo, type FinishedRun } from '../support/built-gateway.js';
import { eventually, KEY_ID, SECRET_KEY } from '../support/harness.js';

/** A frame of the stack Node prints for an uncaught listen error. */
const LISTEN_FRAME = /\(node:net:\d+:\d+\)/;
const DEMO_TIMEOUT_MS = 30_000;

interface HeldPort {
  port: number;
  release: () => Promise<void>;
}

/** A port some other program is listening on, for as long as the test holds it. */
function holdPort(): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      resolve({ port: address.port, release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

/**
 * Exit 1 and, apart from JSON log records (the gateway logs errors to stderr; Nest logs the failed
 * listen there as one record), exactly `line` on stderr: no stack trace anywhere.
 */
function expectOneLine(run: FinishedRun, line: string): void {
  const plain = run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  expect({ code: run.code, plain }).toEqual({ code: 1, plain: [line] });
  expect(run.stdout + run.stderr).not.toMatch(LISTEN_FRAME);
}

describe('a port that is already taken', () => {
  let emulator: AlpacaEmulator;
  let held: HeldPort;
  /** The demo's TMPDIR, so what it leaves behind (nothing, it should) is seen. */
  let demoTmp: string;

  beforeAll(async () => {
    ensureBuilt();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY });
    await emulator.start();
  }, 120_000);
  beforeEach(async () => {
    held = await holdPort();
    demoTmp = mkdtempSync(join(tmpdir(), 'opitios-demo-tmp-'));
  });
  afterEach(async () => {
    await held.release();
    rmSync(demoTmp, { recursive: true, force: true });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function demoPorts(
    taken: 'PORT' | 'EMULATOR_DATA_PORT' | 'EMULATOR_TRADING_PORT',
  ): Promise<Record<string, string>> {
    const ports: Record<string, string> = {
      PORT: String(await freePort()),
      EMULATOR_DATA_PORT: String(await freePort()),
      EMULATOR_TRADING_PORT: String(await freePort()),
    };
    return { ...ports, [taken]: String(held.port), TMPDIR: demoTmp };
  }

  it('node dist/src/main.js exits 1 with one line naming host:port and PORT / HOST, and no stack trace', async () => {
    const run = await runGatewayToExit(emulator, held.port);
    expectOneLine(
      run,
      `cannot listen on 127.0.0.1:${held.port}: address already in use; choose another with PORT=... / HOST=...`,
    );
  }, 20_000);

  it(
    'npm run demo with PORT taken exits 1 with one line naming PORT / HOST, and leaves no temp folder',
    async () => {
      const run = await runToExit(spawnDemo(await demoPorts('PORT')), DEMO_TIMEOUT_MS);
      expectOneLine(
        run,
        `cannot listen on 127.0.0.1:${held.port}: address already in use; choose another with PORT=... / HOST=...`,
      );
      expect(readdirSync(demoTmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );

  it.each(['EMULATOR_DATA_PORT', 'EMULATOR_TRADING_PORT'] as const)(
    'npm run demo with %s taken exits 1 with one line naming that variable only',
    async (variable) => {
      const run = await runToExit(spawnDemo(await demoPorts(variable)), DEMO_TIMEOUT_MS);
      expectOneLine(
        run,
        `cannot listen on 127.0.0.1:${held.port}: address already in use; choose another with ${variable}=...`,
      );
      expect(readdirSync(demoTmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );
});

describe('npm run demo stopped by a signal', () => {
  let demoTmp: string;

  beforeAll(() => ensureBuilt(), 120_000);
  beforeEach(() => {
    demoTmp = mkdtempSync(join(tmpdir(), 'opitios-demo-tmp-'));
  });
  afterEach(() => rmSync(demoTmp, { recursive: true, force: true }));

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s: exits 0 and removes its temp folder (key file, audit file)',
    async (signal) => {
      const child = spawnDemo({
        PORT: String(await freePort()),
        EMULATOR_DATA_PORT: String(await freePort()),
        EMULATOR_TRADING_PORT: String(await freePort()),
        TMPDIR: demoTmp,
      });
      const run = runToExit(child, DEMO_TIMEOUT_MS);
      let printed = '';
      child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
      await eventually(() => expect(printed).toContain('Ctrl-C stops both.'), 20_000);
      // The demo's own folder, inside the TMPDIR it was given.
      const [demoDir] = readdirSync(demoTmp);
      expect(demoDir).toMatch(/^opitios-demo-/);
      expect(printed).toContain(join(demoTmp, demoDir ?? '', 'api-keys.json'));

      child.kill(signal);
      expect(await run).toMatchObject({ code: 0, signal: null });
      expect(readdirSync(demoTmp)).toEqual([]);
    },
    DEMO_TIMEOUT_MS,
  );
});
