import http from 'node:http';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { freePort } from '../../integration/redis-server.js';
import { ensureBuilt, spawnGateway, type BuiltGateway } from '../support/built-gateway.js';
import { eventually, KEY_ID, SECRET_KEY, tokenFor } from '../support/harness.js';

const IN_FLIGHT = 50;
const TOKEN = tokenFor(['admin']);

interface Answer {
  status: number;
  body: string;
}

/** One request on its own connection (no agent), so a refused connection is seen as such. */
function get(url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

async function refusesConnections(baseUrl: string): Promise<boolean> {
  try {
    await get(`${baseUrl}/api/v1/health/live`);
    return false;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('SIGTERM on the built gateway (node dist/src/main.js)', () => {
  let emulator: AlpacaEmulator;
  let gw: BuiltGateway | null = null;

  beforeAll(async () => {
    ensureBuilt();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY });
    await emulator.start();
  }, 120_000);
  afterEach(async () => {
    if (gw !== null && gw.child.exitCode === null) gw.child.kill('SIGKILL');
    // Its exit is what removes the gateway's temp folder (built-gateway.ts).
    if (gw !== null) await gw.exited;
    gw = null;
    emulator.reset();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it(`lets ${IN_FLIGHT} slow in-flight requests finish with 200, refuses new connections, and exits 0`, async () => {
    // The GET deadline (2500 ms by default) leaves room for the emulator's 2000 ms even when a loaded
    // CI machine holds the gateway's event loop a while; this test is about draining, not deadlines.
    gw = await spawnGateway(emulator, await freePort(), {
      SHUTDOWN_GRACE_MS: '10000',
      ALPACA_REQUEST_DEADLINE_MS: '8000',
    });
    const { baseUrl } = gw;
    emulator.setLatency(2000);
    // Distinct bar pages: the gateway would otherwise (rightly) answer identical quotes with one upstream call.
    const answers = Array.from({ length: IN_FLIGHT }, (_, i) =>
      get(`${baseUrl}/api/v1/stocks/AAPL/bars?timeframe=1Day&limit=${i + 1}`),
    );
    // Every request has reached Alpaca and is waiting on it.
    await eventually(() => expect(emulator.requestsTo('/v2/stocks/bars')).toHaveLength(IN_FLIGHT), 5000);

    gw.child.kill('SIGTERM');
    await eventually(() => expect(gw?.logs.some((l) => l['message'] === 'shutdown_started')).toBe(true), 2000);
    expect(await refusesConnections(baseUrl)).toBe(true);

    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: IN_FLIGHT }, () => 200));
    for (const r of results)
      expect(JSON.parse(r.body)).toMatchObject({
        data: { symbol: 'AAPL' },
        metadata: { data_source: 'alpaca_historical' },
      });

    expect(await gw.exited).toEqual({ code: 0, signal: null });
    const messages = gw.logs.map((l) => l['message']);
    expect(gw.logs.find((l) => l['message'] === 'shutdown_started')).toMatchObject({
      signal: 'SIGTERM',
      in_flight: IN_FLIGHT,
      grace_ms: 10000,
    });
    expect(messages).toContain('shutdown_drained');
    expect(messages).toContain('shutdown_complete');
    expect(messages).not.toContain('shutdown_grace_expired');
  }, 30_000);

  it('cuts requests still running when the grace period ends, and still exits 0', async () => {
    gw = await spawnGateway(emulator, await freePort(), { SHUTDOWN_GRACE_MS: '300' });
    emulator.setLatency(4000);
    const answer = get(`${gw.baseUrl}/api/v1/stocks/AAPL/quote`).then(
      (r) => r.status,
      (e: NodeJS.ErrnoException) => e.code,
    );
    await eventually(() => expect(emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(1), 5000);
    const signalled = Date.now();
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(await answer).toBe('ECONNRESET');
    expect(gw.logs.find((l) => l['message'] === 'shutdown_grace_expired')).toMatchObject({ in_flight: 1 });
  }, 30_000);
});
