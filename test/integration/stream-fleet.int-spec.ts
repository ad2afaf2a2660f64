/**
 * One upstream socket for the whole fleet: gateways sharing one Redis and one "Alpaca" (the
 * emulator) hold exactly one stream socket per endpoint between them, relay its messages to every
 * instance, and take over when the leader dies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { StreamFeed } from '../../src/streams/stream-feed.js';
import { AlpacaEmulator } from '../emulator/alpaca-emulator.js';
import { eventually, JWT_SECRET, KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../e2e/harness.js';
import { listenOnLoopback, StreamClient } from '../e2e/stream-client.js';
import { DisposableRedis, freePort } from './redis-server.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const STOCKS = '/v2/iex';
const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');
const QUOTE = { T: 'q', S: 'AAPL', bx: 'V', bp: 172.6, bs: 3, ax: 'V', ap: 172.61, as: 1, c: ['R'], z: 'C', t: '2026-11-27T15:30:00.123456789Z' };
const viewer = (sub: string): Record<string, string> => ({ Authorization: `Bearer ${tokenFor(['viewer'], { sub })}` });

/** Leases and wants left by an earlier run (they expire by themselves within seconds). */
async function clearFleetKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys('opitios:stream:*');
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

async function subscribe(c: StreamClient, frame: Record<string, unknown>): Promise<Record<string, unknown>> {
  await c.nextOfType('authenticated');
  const after = c.messages.length;
  c.send({ action: 'subscribe', ...frame });
  return c.next((m) => m.type === 'subscription' || m.type === 'error', { after });
}

describe('two instances on one Redis', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  let urlA: string;
  let urlB: string;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    await clearFleetKeys();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000, streamSlotHoldMs: 0 });
    await emulator.start();
    const env = { REDIS_URL, STREAM_UPSTREAM_LINGER_MS: '100', ALPACA_STREAM_MAX_SYMBOLS: '3' };
    a = await startGateway(env, {}, emulator);
    b = await startGateway(env, {}, emulator);
    urlA = await listenOnLoopback(a.app);
    urlB = await listenOnLoopback(b.app);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.close();
    await b.close();
    await emulator.stop();
  });

  it('hold one socket per endpoint between them, subscribed to the union, and deliver on both', async () => {
    const onA = await StreamClient.connect(urlA, viewer('fleet-a'));
    const onB = await StreamClient.connect(urlB, viewer('fleet-b'));
    clients.push(onA, onB);
    expect(await subscribe(onA, { quotes: ['AAPL'] })).toMatchObject({ type: 'subscription' });
    expect(await subscribe(onB, { quotes: ['AAPL', 'MSFT'] })).toMatchObject({ type: 'subscription' });
    await eventually(() => {
      expect(emulator.streamOpenCount(STOCKS)).toBe(1);
      expect(new Set(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(new Set(['AAPL', 'MSFT']));
    }, 10_000);
    // Exactly one of them leads.
    const leaders = await Promise.all([a, b].map(async (g) => /^opitios_stream_leader\{stream="stocks"\} 1$/m.test((await g.anon().get('/metrics')).text)));
    expect(leaders.filter(Boolean)).toHaveLength(1);

    emulator.streamPublish(STOCKS, QUOTE);
    expect(await onA.nextOfType('quote')).toMatchObject({ symbol: 'AAPL', bid_price: 172.6, timestamp: QUOTE.t });
    expect(await onB.nextOfType('quote')).toMatchObject({ symbol: 'AAPL', bid_price: 172.6 });
    // The stream feeds the cache on both instances: no upstream REST call on either.
    emulator.clearRequests();
    for (const g of [a, b]) {
      const res = await g.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(res.body.metadata.cache.status).toBe('STREAM');
    }
    expect(emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(0);
  }, 30_000);

  it('the plan limit holds for the fleet: a symbol that would make the union pass it is refused', async () => {
    const onA = await StreamClient.connect(urlA, viewer('limit-a'));
    clients.push(onA);
    // The union is AAPL, MSFT (from the test before); TSLA makes 3, IBM would make 4.
    expect(await subscribe(onA, { quotes: ['TSLA'] })).toMatchObject({ type: 'subscription' });
    await eventually(() => expect(b.app.get(StreamFeed).otherSymbols('stocks')).toEqual(new Set(['AAPL', 'TSLA'])), 10_000);
    const onB = await StreamClient.connect(urlB, viewer('limit-b'));
    clients.push(onB);
    expect(await subscribe(onB, { trades: ['IBM'] })).toMatchObject({ type: 'error', code: 'STREAM_SYMBOL_LIMIT', details: { scope: 'upstream_plan', limit: 3 } });
  }, 30_000);
});

describe('the leader SIGKILLed', () => {
  let emulator: AlpacaEmulator;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN)) expect(spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status).toBe(0);
    await clearFleetKeys();
    // Alpaca keeps a dropped socket's slot a while: here 2 s, so the takeover must back off on 406.
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, streamSlotHoldMs: 2000 });
    await emulator.start();
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await emulator.stop();
  });

  async function spawnGateway(): Promise<{ port: number; proc: ChildProcess }> {
    const port = await freePort();
    const proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port), HOST: '127.0.0.1',
        APCA_API_KEY_ID: KEY_ID, APCA_API_SECRET_KEY: SECRET_KEY,
        APCA_API_DATA_URL: emulator.dataUrl, APCA_API_BASE_URL: emulator.tradingUrl, APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
        JWT_SECRET, AUDIT_LOG_PATH: join(mkdtempSync(join(tmpdir(), 'fleet-')), 'audit.jsonl'), LOG_LEVEL: 'error',
        REDIS_URL, STREAM_UPSTREAM_LINGER_MS: '100',
      },
      stdio: 'ignore',
    });
    children.push(proc);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/api/v1/health/live`)).status === 200) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error('gateway did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { port, proc };
  }

  async function leads(port: number): Promise<boolean> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return /^opitios_stream_leader\{stream="stocks"\} 1$/m.test(text);
  }

  it('another instance opens the socket within 10 s; its clients get a gap, then data, without reconnecting', async () => {
    const first = await spawnGateway();
    const second = await spawnGateway();
    const onFirst = await StreamClient.connect(`ws://127.0.0.1:${first.port}/api/v1/stream`, viewer('kill-1'));
    const onSecond = await StreamClient.connect(`ws://127.0.0.1:${second.port}/api/v1/stream`, viewer('kill-2'));
    try {
      await subscribe(onFirst, { quotes: ['AAPL'] });
      await subscribe(onSecond, { quotes: ['AAPL', 'MSFT'] });
      await eventually(() => {
        expect(emulator.streamOpenCount(STOCKS)).toBe(1);
        expect(new Set(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(new Set(['AAPL', 'MSFT']));
      }, 15_000);
      const [firstLeads, secondLeads] = [await leads(first.port), await leads(second.port)];
      expect([firstLeads, secondLeads].filter(Boolean)).toHaveLength(1);
      const [leader, survivor, survivorClient] = firstLeads ? [first, second, onSecond] : [second, first, onFirst];
      const survivorSymbols = survivorClient === onSecond ? ['AAPL', 'MSFT'] : ['AAPL'];
      emulator.streamPublish(STOCKS, QUOTE);
      await survivorClient.nextOfType('quote');

      const before = emulator.streamOpenConnections(STOCKS)[0]?.id;
      const killedAt = Date.now();
      leader.proc.kill('SIGKILL');
      // The dead leader's socket drops uncleanly; the survivor takes the lease and, past 406, the socket.
      await eventually(() => {
        const open = emulator.streamOpenConnections(STOCKS);
        expect(open.map((c) => c.id === before)).toEqual([false]);
        expect(new Set(open[0]?.subscription.quotes)).toEqual(new Set(survivorSymbols));
      }, 10_000);
      const tookOverMs = Date.now() - killedAt;
      expect(tookOverMs).toBeLessThan(10_000);
      expect(await leads(survivor.port)).toBe(true);
      const gap = await survivorClient.next((m) => m.type === 'gap', { timeoutMs: 5000 });
      expect(gap).toMatchObject({ stream: 'stocks', reason: 'leader_failover' });
      const after = survivorClient.messages.length;
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 172.5 });
      expect(await survivorClient.next((m) => m.type === 'quote', { after })).toMatchObject({ bid_price: 172.5 });
      expect(survivorClient.closeCode).toBeNull();
      // Never two sockets: every connection the emulator saw for the endpoint, at most one open at a time.
      const intervals = emulator.streamConnections.filter((r) => r.endpoint === STOCKS && r.authenticated).map((r) => [r.openedAt, r.closedAt ?? Infinity] as const);
      for (const [i, [openA, closeA]] of intervals.entries()) {
        for (const [openB, closeB] of intervals.slice(i + 1)) expect(openA < closeB && openB < closeA).toBe(false);
      }
    } finally {
      await onFirst.close();
      await onSecond.close();
    }
  }, 60_000);
});

describe('Redis goes away', () => {
  it('clients get UPSTREAM_STREAM_UNAVAILABLE, the leader lets its socket go, and on return a gap, then data', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000, streamSlotHoldMs: 0 });
    await emulator.start();
    const gw = await startGateway({ REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100' }, {}, emulator);
    const c = await StreamClient.connect(await listenOnLoopback(gw.app), viewer('redis-away'));
    try {
      await subscribe(c, { quotes: ['AAPL'] });
      await eventually(() => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']), 10_000);
      emulator.streamPublish(STOCKS, QUOTE);
      await c.nextOfType('quote');

      await redis.kill();
      expect(await c.next((m) => m.type === 'error', { timeoutMs: 10_000 })).toMatchObject({ code: 'UPSTREAM_STREAM_UNAVAILABLE', details: { relay: 'redis', stream: 'stocks' } });
      // No lease can be renewed: the socket is let go, so no second leader can ever overlap it.
      await eventually(() => expect(emulator.streamOpenCount(STOCKS)).toBe(0), 10_000);

      await redis.start();
      const gap = await c.next((m) => m.type === 'gap', { timeoutMs: 20_000 });
      expect(gap).toMatchObject({ stream: 'stocks' });
      await eventually(() => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']), 10_000);
      const after = c.messages.length;
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 171 });
      expect(await c.next((m) => m.type === 'quote', { after })).toMatchObject({ bid_price: 171 });
      expect(c.closeCode).toBeNull();
    } finally {
      await c.close();
      await gw.close();
      await emulator.stop();
      await redis.kill();
    }
  }, 60_000);
});

describe('Redis goes away with STREAM_FALLBACK_LOCAL=true', () => {
  it('the instance streams over its own socket meanwhile: a gap, then data, no error', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000, streamSlotHoldMs: 0 });
    await emulator.start();
    const gw = await startGateway({ REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100', STREAM_FALLBACK_LOCAL: 'true' }, {}, emulator);
    const c = await StreamClient.connect(await listenOnLoopback(gw.app), viewer('fallback'));
    try {
      await subscribe(c, { quotes: ['AAPL'] });
      await eventually(() => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']), 10_000);
      const leaderSocket = emulator.streamOpenConnections(STOCKS)[0]?.id;
      await redis.kill();
      // The fleet socket is let go and this instance's own one opens.
      await eventually(() => {
        const open = emulator.streamOpenConnections(STOCKS);
        expect(open.map((o) => o.id === leaderSocket)).toEqual([false]);
        expect(open[0]?.subscription.quotes).toEqual(['AAPL']);
      }, 10_000);
      expect(await c.next((m) => m.type === 'gap', { timeoutMs: 10_000 })).toMatchObject({ stream: 'stocks', reason: 'relay_unavailable' });
      const after = c.messages.length;
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 170 });
      expect(await c.next((m) => m.type === 'quote', { after })).toMatchObject({ bid_price: 170 });
      expect(c.of('error')).toEqual([]);
      // Redis back: the fleet's socket replaces the fallback one, with a gap for the switch.
      const fallbackSocket = emulator.streamOpenConnections(STOCKS)[0]?.id;
      const gapsBefore = c.of('gap').length;
      await redis.start();
      await eventually(() => {
        const open = emulator.streamOpenConnections(STOCKS);
        expect(open.map((o) => o.id === fallbackSocket || o.id === leaderSocket)).toEqual([false]);
        expect(open[0]?.subscription.quotes).toEqual(['AAPL']);
      }, 15_000);
      await eventually(() => expect(c.of('gap').length).toBe(gapsBefore + 1), 10_000);
      expect(c.of('gap').at(-1)).toMatchObject({ reason: 'relay_restored' });
      const later = c.messages.length;
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 169 });
      expect(await c.next((m) => m.type === 'quote', { after: later })).toMatchObject({ bid_price: 169 });
    } finally {
      await c.close();
      await gw.close();
      await emulator.stop();
      await redis.kill();
    }
  }, 60_000);
});
