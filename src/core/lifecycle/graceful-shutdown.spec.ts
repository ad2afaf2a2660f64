import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { validateConfig, ConfigValidationError } from '../config/validate-config.js';
import { WinstonLogger } from '../logging/winston-logger.js';
import { GracefulShutdown } from './graceful-shutdown.js';

const REQUIRED = { APCA_API_KEY_ID: 'key-id-0001', APCA_API_SECRET_KEY: 'secret-key-0001', JWT_SECRET: 'j'.repeat(32) };

function quietLogger(lines: Array<Record<string, unknown>>): WinstonLogger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return new WinstonLogger({ log: { level: 'info', format: 'json' }, secrets: () => [] }, sink);
}

/** GET on its own connection; resolves with the status or the error code. */
function get(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      .end();
  });
}

describe('GracefulShutdown', () => {
  let server: Server;
  let port: number;
  const events: string[] = [];
  /** Stands in for the Nest app: records when its hooks would run. */
  const app = {
    close: (): Promise<void> => Promise.resolve(void events.push('app.close')),
  } as unknown as INestApplication;

  beforeEach(async () => {
    events.length = 0;
    server = createServer((_req, res) => {
      setTimeout(() => {
        events.push('answered');
        res.end('ok');
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it('finishes in-flight requests, refuses new connections, closes the app after them, exits 0', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const exits: number[] = [];
    const shutdown = new GracefulShutdown({
      app,
      server,
      graceMs: 5000,
      logger: quietLogger(logs),
      exit: (code) => exits.push(code),
    });
    const inFlight = [get(port), get(port), get(port)];
    for (const deadline = Date.now() + 2000; shutdown.pending < 3 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 10));
    expect(shutdown.pending).toBe(3);

    const done = shutdown.shutdown('SIGTERM');
    expect(await get(port)).toBe('ECONNREFUSED');
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200]);
    await done;
    expect(exits).toEqual([0]);
    expect(events).toEqual(['answered', 'answered', 'answered', 'app.close']);
    expect(logs.map((l) => l['message'])).toEqual(['shutdown_started', 'shutdown_drained', 'shutdown_complete']);
    expect(logs[0]).toMatchObject({ signal: 'SIGTERM', in_flight: 3, grace_ms: 5000 });
  });

  it('cuts what is still running when the grace period ends, and ignores a second signal', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const exits: number[] = [];
    const shutdown = new GracefulShutdown({
      app,
      server,
      graceMs: 50,
      logger: quietLogger(logs),
      exit: (code) => exits.push(code),
    });
    const slow = get(port);
    for (const deadline = Date.now() + 2000; shutdown.pending < 1 && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 10));
    const done = shutdown.shutdown('SIGTERM');
    await shutdown.shutdown('SIGINT');
    await done;
    expect(await slow).toBe('ECONNRESET');
    expect(exits).toEqual([0]);
    expect(logs.map((l) => l['message'])).toEqual([
      'shutdown_started',
      'shutdown_signal_ignored',
      'shutdown_grace_expired',
      'shutdown_complete',
    ]);
  });

  it('exits 1 when closing the app fails', async () => {
    const exits: number[] = [];
    const failing = { close: () => Promise.reject(new Error('hook failed')) } as unknown as INestApplication;
    await new GracefulShutdown({
      app: failing,
      server,
      graceMs: 50,
      logger: quietLogger([]),
      exit: (code) => exits.push(code),
    }).shutdown('SIGTERM');
    expect(exits).toEqual([1]);
  });
});

describe('SHUTDOWN_GRACE_MS', () => {
  it('defaults to 10 s and accepts 0 (cut at once)', () => {
    expect(validateConfig(REQUIRED).shutdownGraceMs).toBe(10000);
    expect(validateConfig({ ...REQUIRED, SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs).toBe(0);
  });

  it.each(['-1', 'soon', '600001'])('refuses %p, naming the variable', (value) => {
    expect(() => validateConfig({ ...REQUIRED, SHUTDOWN_GRACE_MS: value })).toThrow(ConfigValidationError);
    expect(() => validateConfig({ ...REQUIRED, SHUTDOWN_GRACE_MS: value })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});
