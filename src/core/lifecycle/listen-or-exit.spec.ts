import { createServer, type Server } from 'node:net';
import type { ExitPort } from '../config/load-config.js';
import { listenFailureMessage, listenOrExit } from './listen-or-exit.js';

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function fakeProcess(): ExitPort & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    stderr: { write: (t: string) => written.push(t) },
    exit: (code: number): never => {
      throw new ExitCalled(code);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/** The error Node gives for `host:port`, from a real listen. */
async function listenError(port: number, host: string): Promise<unknown> {
  const server = createServer();
  try {
    await listen(server, port, host);
  } catch (e: unknown) {
    return e;
  }
  server.close();
  throw new Error(`expected listen on ${host}:${port} to fail`);
}

describe('listenOrExit', () => {
  const held = createServer();
  let port = 0;
  beforeAll(async () => {
    await listen(held, 0, '127.0.0.1');
    const address = held.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(() => new Promise<void>((resolve) => held.close(() => resolve())));

  it('a port in use: one line naming host:port and the variables, then exit 1', async () => {
    const proc = fakeProcess();
    const other = createServer();
    await expect(
      listenOrExit(() => listen(other, port, '127.0.0.1'), [{ name: 'PORT' }, { name: 'HOST' }], proc),
    ).rejects.toThrow(new ExitCalled(1));
    expect(proc.written).toEqual([
      `cannot listen on 127.0.0.1:${port}: address already in use; choose another with PORT=... / HOST=...\n`,
    ]);
  });

  it('names only the variables that chose the failing port', async () => {
    const variables = [
      { name: 'EMULATOR_DATA_PORT', port: port + 1 },
      { name: 'EMULATOR_TRADING_PORT', port },
    ];
    expect(listenFailureMessage(await listenError(port, '127.0.0.1'), variables)).toBe(
      `cannot listen on 127.0.0.1:${port}: address already in use; choose another with EMULATOR_TRADING_PORT=...`,
    );
  });

  it('an address that is not on this machine says so', async () => {
    // TEST-NET-3 (RFC 5737): never a local address.
    expect(listenFailureMessage(await listenError(port, '203.0.113.7'), [{ name: 'PORT' }, { name: 'HOST' }])).toBe(
      `cannot listen on 203.0.113.7:${port}: address not available on this machine; choose another with PORT=... / HOST=...`,
    );
  });

  it('any other failure is rethrown with its stack, and nothing is written', async () => {
    const proc = fakeProcess();
    const bug = new TypeError('not a listen error');
    await expect(listenOrExit(() => Promise.reject(bug), [{ name: 'PORT' }], proc)).rejects.toBe(bug);
    expect(proc.written).toEqual([]);
  });

  it('writes nothing when the listen succeeds', async () => {
    const proc = fakeProcess();
    const server = createServer();
    await listenOrExit(() => listen(server, 0, '127.0.0.1'), [{ name: 'PORT' }], proc);
    server.close();
    expect(proc.written).toEqual([]);
  });
});
