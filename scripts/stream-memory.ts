/**
 * Issue 25's RSS question: does the gateway keep anything per closed stream session? Boots the
 * gateway on the emulator (as the bench does), then repeats: 1000 WebSocket clients (bench.ts's
 * `streamload` child) connect and subscribe to 50 symbols, get a few upstream frames, and all
 * disconnect. After each cycle, with the clients gone, it forces GC and prints RSS, heap used,
 * external and array buffers, and what the hub still holds. Run with --expose-gc:
 *   npm run build && node --expose-gc dist/scripts/stream-memory.js
 * STREAM_MEMORY_CYCLES (default 6), STREAM_MEMORY_SNAPSHOTS=1 writes heap snapshots after the
 * first and last cycle (to diff in DevTools).
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import jwt from 'jsonwebtoken';
import { createApp } from '../src/app.factory.js';
import { validateConfig } from '../src/core/config/validate-config.js';
import { StreamHub } from '../src/streams/hub/stream-hub.service.js';
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';

const CYCLES = Number(process.env['STREAM_MEMORY_CYCLES'] ?? 6);
const CLIENTS = 1000;
const SYMBOLS = 50;
const FRAMES = 10;
const KEY_ID = 'memory-key-id-00000';
const SECRET = 'memory-secret-000000000000000';
const JWT_SECRET = randomBytes(32).toString('hex');
const MB = 1024 * 1024;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const emulator = new AlpacaEmulator({
    keyId: KEY_ID,
    secretKey: SECRET,
    latencyMs: 0,
    rateLimitPerMinute: 10_000_000,
  });
  await emulator.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'opitios-memory-'));
  const config = validateConfig({
    APCA_API_KEY_ID: KEY_ID,
    APCA_API_SECRET_KEY: SECRET,
    APCA_API_DATA_URL: emulator.dataUrl,
    APCA_API_BASE_URL: emulator.tradingUrl,
    JWT_SECRET,
    API_KEYS_FILE: join(dataDir, 'keys.json'),
    AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
    HOST: '127.0.0.1',
    PORT: '0',
    APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
    ALPACA_STREAM_MAX_SYMBOLS: '1000',
    STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: '100000',
    STREAM_CLIENT_FRAMES_PER_SECOND: '100000',
    STREAM_UPSTREAM_LINGER_MS: '100',
  });
  const app = await createApp(config, { logSink: new Writable({ write: (_c, _e, done) => done() }) });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as { port: number }).port;
  const hub = app.get(StreamHub);
  const token = jwt.sign({ roles: ['viewer'] }, JWT_SECRET, {
    subject: 'memory',
    issuer: 'opitios-alpaca',
    audience: 'opitios-alpaca-api',
    expiresIn: 3600,
  });
  const symbols = Array.from(
    { length: SYMBOLS },
    (_, i) => `M${String.fromCharCode(65 + Math.floor(i / 26))}${String.fromCharCode(65 + (i % 26))}`,
  );
  const template = { T: 'q', bx: 'V', bp: 100.01, bs: 3, ax: 'V', ap: 100.02, as: 1, c: ['R'], z: 'C' };
  const bench = join(fileURLToPath(new URL('.', import.meta.url)), 'bench.js');

  const report = (label: string): void => {
    gc();
    gc();
    const m = process.memoryUsage();
    const held = hub.held();
    process.stdout.write(
      `${label.padEnd(10)} rss ${(m.rss / MB).toFixed(1)} MB  heapUsed ${(m.heapUsed / MB).toFixed(1)} MB  heapTotal ${(m.heapTotal / MB).toFixed(1)} MB  ` +
        `external ${(m.external / MB).toFixed(1)} MB  arrayBuffers ${(m.arrayBuffers / MB).toFixed(1)} MB  hub ${JSON.stringify(held)}\n`,
    );
  };
  report('booted');
  for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
    const child = fork(
      bench,
      ['streamload', `ws://127.0.0.1:${port}/api/v1/stream`, token, String(CLIENTS), symbols.join(','), 'gateway'],
      { stdio: 'inherit' },
    );
    const next = (): Promise<unknown> => new Promise((resolve) => child.once('message', resolve));
    await next();
    child.send({ start: true });
    for (let i = 0; i < FRAMES; i += 1) {
      const t = new Date().toISOString().replace('Z', '000000Z');
      emulator.streamPublish(
        '/v2/iex',
        symbols.map((S) => ({ ...template, S, t })),
      );
      await pause(100);
    }
    await pause(500);
    const done = next();
    child.send({ stop: true });
    await done;
    // The server notices each close; wait (bounded) until the hub has let every session go.
    const deadline = Date.now() + 10_000;
    while (hub.sessionsOf().size > 0 && Date.now() < deadline) await pause(50);
    await pause(300);
    report(`cycle ${cycle}`);
    if (process.env['STREAM_MEMORY_SNAPSHOTS'] === '1' && (cycle === 1 || cycle === CYCLES))
      process.stdout.write(`  snapshot ${writeHeapSnapshot()}\n`);
  }
  await app.close();
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`stream-memory failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
