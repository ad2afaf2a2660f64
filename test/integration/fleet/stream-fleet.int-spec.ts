/**
 * One upstream socket for the whole fleet: gateways sharing one Redis and one "Alpaca" (the
 * emulator) hold exactly one stream socket per endpoint between them, relay its messages to every
 * instance, and take over when the leader dies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { StreamFeed } from '../../../src/streams/feed/stream-feed.js';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import {
  eventually,
  JWT_SECRET,
  KEY_ID,
  SECRET_KEY,
  startGateway,
  tokenFor,
  type Gateway,
} from '../../e2e/support/harness.js';
import { listenOnLoopback, StreamClient } from '../../e2e/support/stream-client.js';
import { DisposableRedis, freePort } from '../redis-server.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const STOCKS = '/v2/iex';
const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');
const QUOTE = {
  T: 'q',
  S: 'AAPL',
  bx: 'V',
  bp: 172.6,
  bs: 3,
  ax: 'V',
  ap: 172.61,
  as: 1,
  c: ['R'],
  z: 'C',
  t: '2026-11-27T15:30:00.123456789Z',
};
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
    emulator = new AlpacaEmulator({
      keyId: KEY_ID,
      secretKey: SECRET_KEY,
      rateLimitPerMinute: 1_000_000,
      streamSlotHoldMs: 0,
    });
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
      expect(new Set(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(
        new Set(['AAPL', 'MSFT']),
      );
    }, 10_000);
    // Exactly one of them leads.
    const leaders = await Promise.all(
      [a, b].map(async (g) =>
        /^opitios_stream_leader\{stream="stocks"\} 1$/m.test((await g.anon().get('/metrics')).text),
      ),
    );
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
    await eventually(
      () => expect(b.app.get(StreamFeed).otherSymbols('stocks')).toEqual(new Set(['AAPL', 'TSLA'])),
      10_000,
    );
    const onB = await StreamClient.connect(urlB, viewer('limit-b'));
    clients.push(onB);
    expect(await subscribe(onB, { trades: ['IBM'] })).toMatchObject({
      type: 'error',
      code: 'STREAM_SYMBOL_LIMIT',
      details: { scope: 'upstream_plan', limit: 3 },
    });
  }, 30_000);

  it('two instances admitting at the same moment past the limit: the symbols the union cuts are refused to their clients, not starved', async () => {
    // The race, made certain: a third instance (its id sorts first, so the union counts it first)
    // announces two symbols it admitted while it did not yet see the others' wants.
    const onA = await StreamClient.connect(urlA, viewer('race-a'));
    clients.push(onA);
    await onA.nextOfType('authenticated');
    const redis = new Redis(REDIS_URL);
    try {
      const before = await redis.hgetall('opitios:stream:{stocks}:wants');
      const held = new Set(
        Object.values(before).flatMap((t) =>
          Object.values((JSON.parse(t) as { wanted: Record<string, string[]> }).wanted).flat(),
        ),
      );
      expect(held.size).toBe(3);
      await redis.hset(
        'opitios:stream:{stocks}:wants',
        'gw-0-racer',
        JSON.stringify({ at: Date.now(), wanted: { quotes: ['NVDA', 'AMD'] } }),
      );
      await redis.publish('opitios:stream:stocks:relay', JSON.stringify({ kind: 'wants', from: 'gw-0-racer' }));
      // Instances a and b cut the same two of their symbols (the union is the same everywhere), and
      // every client that held one hears it: the error, then its subscription without them.
      const cutSymbols = (): Set<string> =>
        new Set(
          clients.flatMap((c) =>
            c.messages.flatMap((m) => {
              const details = m['details'] as { unsubscribed?: Record<string, string[]> } | undefined;
              return m.type === 'error' && m['code'] === 'STREAM_SYMBOL_LIMIT' && details?.unsubscribed !== undefined
                ? Object.values(details.unsubscribed).flat()
                : [];
            }),
          ),
        );
      await eventually(() => expect(cutSymbols().size).toBe(2), 10_000);
      for (const c of clients) {
        const refusal = c.messages.findIndex(
          (m) => m.type === 'error' && m['details'] !== undefined && 'unsubscribed' in (m['details'] as object),
        );
        if (refusal < 0) continue;
        const reply = await c.next((m) => m.type === 'subscription', { after: refusal });
        for (const symbol of cutSymbols())
          expect([...((reply['quotes'] as string[]) ?? []), ...((reply['trades'] as string[]) ?? [])]).not.toContain(
            symbol,
          );
      }
      // Upstream, the one socket carries the racer's two symbols and one of the others: three, never more.
      await eventually(() => {
        const up = emulator.streamOpenConnections(STOCKS)[0]?.subscription;
        const symbols = new Set([...(up?.quotes ?? []), ...(up?.trades ?? []), ...(up?.bars ?? [])]);
        expect(symbols.size).toBe(3);
        expect(symbols.has('NVDA') && symbols.has('AMD')).toBe(true);
      }, 10_000);
    } finally {
      await redis.hdel('opitios:stream:{stocks}:wants', 'gw-0-racer');
      redis.disconnect();
    }
  }, 30_000);
});

describe('two instances: the other stock channels through the relay', () => {
  let emulator: AlpacaEmulator;
  let a: Gateway;
  let b: Gateway;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    await clearFleetKeys();
    emulator = new AlpacaEmulator({
      keyId: KEY_ID,
      secretKey: SECRET_KEY,
      rateLimitPerMinute: 1_000_000,
      streamSlotHoldMs: 0,
    });
    await emulator.start();
    const env = { REDIS_URL, STREAM_UPSTREAM_LINGER_MS: '100' };
    a = await startGateway(env, {}, emulator);
    b = await startGateway(env, {}, emulator);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.close();
    await b.close();
    await emulator.stop();
  });

  it('statuses, daily bars, LULD bands and a correction reach the clients of both instances, whichever holds the socket', async () => {
    const onA = await StreamClient.connect(await listenOnLoopback(a.app), viewer('channels-a'));
    const onB = await StreamClient.connect(await listenOnLoopback(b.app), viewer('channels-b'));
    clients.push(onA, onB);
    expect(await subscribe(onA, { statuses: ['AAPL'], daily_bars: ['MSFT'] })).toMatchObject({
      type: 'subscription',
      statuses: ['AAPL'],
      daily_bars: ['MSFT'],
    });
    expect(await subscribe(onB, { trades: ['AAPL'], lulds: ['AAPL'] })).toMatchObject({
      type: 'subscription',
      trades: ['AAPL'],
      lulds: ['AAPL'],
    });
    await eventually(() => {
      expect(emulator.streamOpenCount(STOCKS)).toBe(1);
      expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
        statuses: ['AAPL'],
        dailyBars: ['MSFT'],
        trades: ['AAPL'],
        lulds: ['AAPL'],
      });
    }, 10_000);
    const t = '2026-11-27T15:30:00.123456789Z';
    emulator.streamPublish(STOCKS, [
      { T: 's', S: 'AAPL', sc: 'H', sm: 'Trading Halt', rc: 'T12', rm: 'News pending', t, z: 'C' },
      { T: 'l', S: 'AAPL', u: 175.93, d: 159.17, i: 'B', t, z: 'C' },
      {
        T: 'c',
        S: 'AAPL',
        x: 'M',
        oi: 52983525033527,
        op: 172.5,
        os: 100,
        oc: [' ', '7'],
        ci: 52983525034326,
        cp: 172.55,
        cs: 100,
        cc: [' ', '7'],
        z: 'C',
        t,
      },
    ]);
    expect(await onA.nextOfType('status')).toMatchObject({
      symbol: 'AAPL',
      timestamp: t,
      status_code: 'H',
      status_message: 'Trading Halt',
      reason_code: 'T12',
      reason_message: 'News pending',
      tape: 'C',
    });
    expect(await onB.nextOfType('luld')).toMatchObject({
      symbol: 'AAPL',
      timestamp: t,
      limit_up_price: 175.93,
      limit_down_price: 159.17,
      indicator: 'B',
    });
    expect(await onB.nextOfType('correction')).toMatchObject({
      original_trade_id: '52983525033527',
      corrected_trade_id: '52983525034326',
      corrected_price: 172.55,
    });
    emulator.streamTick();
    expect(await onA.nextOfType('daily_bar')).toMatchObject({ symbol: 'MSFT', open: 294.1, vwap: 294.1 });
    // The same round's trade: by then b's client has seen its share of that upstream frame. Each got only its own channels.
    expect(await onB.nextOfType('trade')).toMatchObject({ symbol: 'AAPL' });
    expect(onA.messages.map((m) => m.type).filter((type) => ['luld', 'correction', 'trade'].includes(type))).toEqual(
      [],
    );
    expect(onB.messages.map((m) => m.type).filter((type) => ['status', 'daily_bar'].includes(type))).toEqual([]);
  }, 30_000);
});

describe('the leader SIGKILLed', () => {
  let emulator: AlpacaEmulator;
  const children: ChildProcess[] = [];
  /** Each gateway's audit folder, removed once the gateways are gone. */
  const tempDirs: string[] = [];

  beforeAll(async () => {
    if (!existsSync(MAIN))
      expect(spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status).toBe(0);
    await clearFleetKeys();
    // Alpaca keeps a dropped socket's slot a while: here 2 s, so the takeover must back off on 406.
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, streamSlotHoldMs: 2000 });
    await emulator.start();
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await emulator.stop();
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function spawnGateway(): Promise<{ port: number; proc: ChildProcess }> {
    const port = await freePort();
    const auditDir = mkdtempSync(join(tmpdir(), 'fleet-'));
    tempDirs.push(auditDir);
    const proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        APCA_API_KEY_ID: KEY_ID,
        APCA_API_SECRET_KEY: SECRET_KEY,
        APCA_API_DATA_URL: emulator.dataUrl,
        APCA_API_BASE_URL: emulator.tradingUrl,
        APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
        JWT_SECRET,
        AUDIT_LOG_PATH: join(auditDir, 'audit.jsonl'),
        LOG_LEVEL: 'error',
        REDIS_URL,
        STREAM_UPSTREAM_LINGER_MS: '100',
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

  it('3 instances: one socket at every moment; a symbol of one instance reaches its clients; the leader SIGKILLed is replaced within 10 s', async () => {
    const gateways = [await spawnGateway(), await spawnGateway(), await spawnGateway()];
    const wants = [['AAPL'], ['AAPL', 'MSFT'], ['AAPL', 'TSLA']];
    const clients = await Promise.all(
      gateways.map((g, i) => StreamClient.connect(`ws://127.0.0.1:${g.port}/api/v1/stream`, viewer(`kill-${i}`))),
    );
    let maxOpen = 0;
    const watch = setInterval(() => (maxOpen = Math.max(maxOpen, emulator.streamOpenCount(STOCKS))), 2);
    try {
      await Promise.all(clients.map((c, i) => subscribe(c, { quotes: wants[i] })));
      await eventually(() => {
        expect(emulator.streamOpenCount(STOCKS)).toBe(1);
        expect(new Set(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(
          new Set(['AAPL', 'MSFT', 'TSLA']),
        );
      }, 15_000);
      // MSFT is wanted on instance 2 only: its clients get it, the others do not.
      emulator.streamPublish(STOCKS, { ...QUOTE, S: 'MSFT' });
      expect(await clients[1]?.nextOfType('quote')).toMatchObject({ symbol: 'MSFT' });
      emulator.streamPublish(STOCKS, QUOTE);
      await Promise.all(clients.map((c) => c.next((m) => m.type === 'quote' && m['symbol'] === 'AAPL')));
      expect(clients.map((c) => c.of('quote').filter((m) => m['symbol'] === 'MSFT').length)).toEqual([0, 1, 0]);
      // ...and when they leave it, the leader unsubscribes it upstream.
      clients[1]?.send({ action: 'unsubscribe', quotes: ['MSFT'] });
      await eventually(
        () =>
          expect(new Set(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(
            new Set(['AAPL', 'TSLA']),
          ),
        10_000,
      );

      const leading = await Promise.all(gateways.map((g) => leads(g.port)));
      expect(leading.filter(Boolean)).toHaveLength(1);
      const leaderIndex = leading.indexOf(true);
      const leader = gateways[leaderIndex];
      const survivors = gateways.filter((_, i) => i !== leaderIndex);
      const survivorClients = clients.filter((_, i) => i !== leaderIndex);
      const before = emulator.streamOpenConnections(STOCKS)[0]?.id;
      const killedAt = Date.now();
      leader.proc.kill('SIGKILL');
      await eventually(() => {
        const open = emulator.streamOpenConnections(STOCKS);
        expect(open.map((c) => c.id === before)).toEqual([false]);
      }, 10_000);
      const reopenedMs = Date.now() - killedAt;
      // Data flows again on both survivors, after a gap, on the same client sockets.
      for (const c of survivorClients)
        expect(await c.next((m) => m.type === 'gap', { timeoutMs: 10_000 })).toMatchObject({
          stream: 'stocks',
          reason: 'leader_failover',
        });
      const marks = survivorClients.map((c) => c.messages.length);
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 172.5 });
      await Promise.all(
        survivorClients.map((c, i) =>
          c.next((m) => m.type === 'quote' && m['bid_price'] === 172.5, { after: marks[i] }),
        ),
      );
      const flowingMs = Date.now() - killedAt;
      expect(flowingMs).toBeLessThan(10_000);
      expect(survivorClients.every((c) => c.closeCode === null)).toBe(true);
      expect((await Promise.all(survivors.map((g) => leads(g.port)))).filter(Boolean)).toHaveLength(1);
      // Lease changes are counted: the first leader, then the new one.
      for (const g of survivors) {
        const text = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
        expect(
          Number(/^opitios_stream_lease_changes_total\{stream="stocks"\} (\d+)/m.exec(text)?.[1]),
        ).toBeGreaterThanOrEqual(2);
      }
      // Relay lag as the survivors measured it, for the record (test-output/fleet-relay-lag.json).
      const lag = await Promise.all(
        survivors.map(async (g) => relayLagP99(await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text())),
      );
      mkdirSync('test-output', { recursive: true });
      writeFileSync(
        'test-output/fleet-relay-lag.json',
        JSON.stringify(
          {
            instances: 3,
            reopened_ms: reopenedMs,
            flowing_again_ms: flowingMs,
            relay_lag_p99_seconds_upper_bound: lag,
          },
          null,
          2,
        ),
      );
    } finally {
      clearInterval(watch);
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(maxOpen).toBeLessThanOrEqual(1);
    // Never two sockets: the authenticated connections' open intervals never overlap.
    const intervals = emulator.streamConnections
      .filter((r) => r.endpoint === STOCKS && r.authenticated)
      .map((r) => [r.openedAt, r.closedAt ?? Infinity] as const);
    expect(intervals.length).toBeGreaterThanOrEqual(2);
    for (const [i, [openA, closeA]] of intervals.entries()) {
      for (const [openB, closeB] of intervals.slice(i + 1)) expect(openA < closeB && openB < closeA).toBe(false);
    }
  }, 90_000);
});

/** The upper bound of the histogram bucket holding the 99th percentile (Prometheus text). */
function relayLagP99(text: string): number | null {
  const buckets = [...text.matchAll(/^opitios_stream_relay_lag_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(
    (m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const,
  );
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  return buckets.find(([, count]) => count >= 0.99 * total)?.[0] ?? null;
}

describe('Redis goes away', () => {
  it('two instances: clients get UPSTREAM_STREAM_UNAVAILABLE, the socket is let go; on return one socket again, a gap, then data', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const emulator = new AlpacaEmulator({
      keyId: KEY_ID,
      secretKey: SECRET_KEY,
      rateLimitPerMinute: 1_000_000,
      streamSlotHoldMs: 0,
    });
    await emulator.start();
    const env = { REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100' };
    const gws = [await startGateway(env, {}, emulator), await startGateway(env, {}, emulator)];
    const clients = await Promise.all(
      gws.map(async (g, i) => StreamClient.connect(await listenOnLoopback(g.app), viewer(`redis-away-${i}`))),
    );
    let maxOpen = 0;
    const watch = setInterval(() => (maxOpen = Math.max(maxOpen, emulator.streamOpenCount(STOCKS))), 2);
    try {
      await Promise.all(clients.map((c) => subscribe(c, { quotes: ['AAPL'] })));
      await eventually(
        () => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']),
        10_000,
      );
      emulator.streamPublish(STOCKS, QUOTE);
      await Promise.all(clients.map((c) => c.nextOfType('quote')));

      await redis.kill();
      for (const c of clients) {
        expect(await c.next((m) => m.type === 'error', { timeoutMs: 10_000 })).toMatchObject({
          code: 'UPSTREAM_STREAM_UNAVAILABLE',
          details: { relay: 'redis', stream: 'stocks' },
        });
      }
      // No lease can be renewed: the socket is let go, so no second leader can ever overlap it.
      await eventually(() => expect(emulator.streamOpenCount(STOCKS)).toBe(0), 10_000);

      await redis.start();
      for (const c of clients)
        expect(await c.next((m) => m.type === 'gap', { timeoutMs: 20_000 })).toMatchObject({ stream: 'stocks' });
      await eventually(
        () => expect(emulator.streamOpenConnections(STOCKS).map((o) => o.subscription.quotes)).toEqual([['AAPL']]),
        10_000,
      );
      const marks = clients.map((c) => c.messages.length);
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 171 });
      await Promise.all(
        clients.map((c, i) => c.next((m) => m.type === 'quote' && m['bid_price'] === 171, { after: marks[i] })),
      );
      expect(clients.every((c) => c.closeCode === null)).toBe(true);
    } finally {
      clearInterval(watch);
      await Promise.all(clients.map((c) => c.close()));
      for (const g of gws) await g.close();
      await emulator.stop();
      await redis.kill();
    }
    expect(maxOpen).toBeLessThanOrEqual(1);
    const lives = emulator.streamConnections
      .filter((r) => r.endpoint === STOCKS && r.authenticated)
      .map((r) => [r.openedAt, r.closedAt ?? Infinity] as const);
    expect(lives.length).toBeGreaterThanOrEqual(2);
    for (const [i, [openA, closeA]] of lives.entries())
      for (const [openB, closeB] of lives.slice(i + 1)) expect(openA < closeB && openB < closeA).toBe(false);
  }, 60_000);
});

/** Keeps Redis busy (a script blocks every other client) for about `ms`, longer than a command's 250 ms timeout. */
const BUSY = `local t0 = redis.call('TIME'); local start = t0[1] * 1000000 + t0[2]
while true do local t = redis.call('TIME'); if (t[1] * 1000000 + t[2]) - start > tonumber(ARGV[1]) * 1000 then break end end
return 1`;

describe('Redis stalls for a moment', () => {
  it('a heartbeat that fails within the grace is a blip: no gap, no error, the same upstream socket', async () => {
    const redis = new DisposableRedis(await freePort());
    await redis.start();
    const emulator = new AlpacaEmulator({
      keyId: KEY_ID,
      secretKey: SECRET_KEY,
      rateLimitPerMinute: 1_000_000,
      streamSlotHoldMs: 0,
    });
    await emulator.start();
    const gw = await startGateway({ REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100' }, {}, emulator);
    const c = await StreamClient.connect(await listenOnLoopback(gw.app), viewer('stall'));
    const staller = new Redis(redis.url);
    try {
      await subscribe(c, { quotes: ['AAPL'] });
      await eventually(
        () => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']),
        10_000,
      );
      emulator.streamPublish(STOCKS, QUOTE);
      await c.nextOfType('quote');
      const socket = emulator.streamOpenConnections(STOCKS)[0]?.id;
      // 800 ms stalls (a heartbeat comes every second) until one lands in a heartbeat.
      for (let i = 0; i < 10 && !gw.logs.some((l) => l['message'] === 'stream_relay_blip'); i += 1)
        await staller.eval(BUSY, 0, '800');
      expect(gw.logs.filter((l) => l['message'] === 'stream_relay_blip').length).toBeGreaterThanOrEqual(1);
      expect(gw.logs.filter((l) => l['message'] === 'stream_relay_unavailable')).toEqual([]);
      const after = c.messages.length;
      emulator.streamPublish(STOCKS, { ...QUOTE, bp: 173 });
      expect(await c.next((m) => m.type === 'quote', { after })).toMatchObject({ bid_price: 173 });
      expect(c.of('gap')).toEqual([]);
      expect(c.of('error')).toEqual([]);
      expect(emulator.streamOpenConnections(STOCKS).map((o) => o.id)).toEqual([socket]);
    } finally {
      staller.disconnect();
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
    const emulator = new AlpacaEmulator({
      keyId: KEY_ID,
      secretKey: SECRET_KEY,
      rateLimitPerMinute: 1_000_000,
      streamSlotHoldMs: 0,
    });
    await emulator.start();
    const gw = await startGateway(
      { REDIS_URL: redis.url, STREAM_UPSTREAM_LINGER_MS: '100', STREAM_FALLBACK_LOCAL: 'true' },
      {},
      emulator,
    );
    const c = await StreamClient.connect(await listenOnLoopback(gw.app), viewer('fallback'));
    try {
      await subscribe(c, { quotes: ['AAPL'] });
      await eventually(
        () => expect(emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']),
        10_000,
      );
      const leaderSocket = emulator.streamOpenConnections(STOCKS)[0]?.id;
      await redis.kill();
      // The fleet socket is let go and this instance's own one opens.
      await eventually(() => {
        const open = emulator.streamOpenConnections(STOCKS);
        expect(open.map((o) => o.id === leaderSocket)).toEqual([false]);
        expect(open[0]?.subscription.quotes).toEqual(['AAPL']);
      }, 10_000);
      expect(await c.next((m) => m.type === 'gap', { timeoutMs: 10_000 })).toMatchObject({
        stream: 'stocks',
        reason: 'relay_unavailable',
      });
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
