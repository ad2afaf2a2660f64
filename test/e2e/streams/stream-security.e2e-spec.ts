/**
 * The client stream under attack (/api/v1/stream and SSE /api/v1/stream/events): clients that stop
 * reading, subscribe churn, expired tokens, frames after the close, duplicate members, foreign
 * origins and floods of unauthenticated sockets. The real gateway against the emulator; what
 * reached "Alpaca" is read from the emulator's stream log.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket } from 'ws';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { StreamHub } from '../../../src/streams/hub/stream-hub.service.js';
import type { StreamSession } from '../../../src/streams/hub/stream-session.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { OffsetClock } from '../support/offset-clock.js';
import { listenOnLoopback, StreamClient, type StreamMessage } from '../support/stream-client.js';

const STOCKS = '/v2/iex';
const bearer = (roles: string[], sub: string): Record<string, string> => ({
  Authorization: `Bearer ${tokenFor(roles, { sub })}`,
});

/** The client's TCP socket under ws: pausing it stops reading at the kernel, as a stuck client does. */
function rawSocket(c: StreamClient): Socket {
  return (c.socket as unknown as { _socket: Socket })._socket;
}

function sessionWhere(gw: Gateway, match: (s: StreamSession) => boolean): StreamSession | undefined {
  return [...gw.app.get(StreamHub).sessionsOf()].find(match);
}

/** The (un)subscribe frames the emulator's stock stream received from index `from` on. */
function upstreamChanges(gw: Gateway, from = 0): Array<{ action: string; quotes?: string[] }> {
  return gw.emulator.streamActions
    .slice(from)
    .filter((a) => a.endpoint === STOCKS)
    .map((a) => a.frame as { action: string; quotes?: string[] })
    .filter((f) => f.action === 'subscribe' || f.action === 'unsubscribe');
}

function upstreamQuotes(gw: Gateway): string[] | undefined {
  return gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes;
}

async function subscribed(c: StreamClient, frame: Record<string, unknown> | string): Promise<StreamMessage> {
  const after = c.messages.length;
  c.send(typeof frame === 'string' ? frame : { action: 'subscribe', ...frame });
  return c.next((m) => m.type === 'subscription' || m.type === 'error', { after });
}

/** The HTTP status of a WebSocket upgrade: 101 when it opened (then closed again), else the refusal's. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('a client that stops reading', () => {
  let gw: Gateway;
  let url: string;
  beforeAll(async () => {
    gw = await startGateway(
      {
        STREAM_UPSTREAM_LINGER_MS: '50',
        STREAM_AUTH_TIMEOUT_MS: '500',
        STREAM_CLIENT_QUEUE_MESSAGES: '50',
        STREAM_CLIENT_QUEUE_BYTES: '8192',
        // This is about the queue, not the frame rate limit (tested below).
        STREAM_CLIENT_FRAMES_PER_SECOND: '1000000',
      },
      { streamSlotHoldMs: 0 },
    );
    url = await listenOnLoopback(gw.app);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('errors count against the bounded queue: a premium client that never reads its error replies is closed 4408', async () => {
    const c = await StreamClient.connect(url, bearer(['premium'], 'never-reads'));
    await c.nextOfType('authenticated');
    rawSocket(c).pause();
    let sent = 0;
    try {
      // Each bad frame earns an error reply the client never reads; poll (sending more) until the gateway gives up on it.
      await eventually(() => {
        for (let i = 0; i < 500; i += 1) c.send('{"action":"nope"}');
        sent += 500;
        expect(sessionWhere(gw, (s) => s.principal?.sub === 'never-reads')?.closed).toBe(true);
      }, 30_000);
    } finally {
      rawSocket(c).resume();
    }
    expect(await c.closed(20_000)).toMatchObject({ code: 4408 });
    // What reached it before the close is what the kernel and the bounded queue held, not a reply per frame.
    expect(c.of('error').length).toBeLessThan(sent);
  }, 60_000);

  it('an unauthenticated socket gets one error reply, however many bad frames it sends, and is closed 4401 at the auth timeout', async () => {
    const c = await StreamClient.connect(url, {});
    for (let i = 0; i < 200; i += 1) c.send(i % 2 === 0 ? 'not json' : { action: 'subscribe', quotes: ['AAPL'] });
    expect(await c.closed()).toEqual({ code: 4401, reason: 'authentication timeout' });
    expect(c.of('error')).toEqual([expect.objectContaining({ code: 'INVALID_PARAMETER' })]);
  });
});

describe('subscribe churn', () => {
  let gw: Gateway;
  let url: string;
  beforeAll(async () => {
    // Defaults for the frame limit (20 frames/s per principal, bursts of 40); a 200 ms window for
    // upstream changes, longer than the gateway takes to read the whole burst below.
    gw = await startGateway(
      { STREAM_UPSTREAM_LINGER_MS: '50', STREAM_UPSTREAM_COALESCE_MS: '200' },
      { streamSlotHoldMs: 0 },
    );
    url = await listenOnLoopback(gw.app);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('1000 (un)subscribe frames: refused past the per-principal rate with RATE_LIMIT_EXCEEDED, then 4429; Alpaca sees a handful of net changes', async () => {
    const holder = await StreamClient.connect(url, bearer(['viewer'], 'holder'));
    const churner = await StreamClient.connect(url, bearer(['viewer'], 'churner'));
    try {
      await Promise.all([holder.nextOfType('authenticated'), churner.nextOfType('authenticated')]);
      expect(await subscribed(holder, { quotes: ['AAPL'] })).toMatchObject({ type: 'subscription', quotes: ['AAPL'] });
      await eventually(() => expect(upstreamQuotes(gw)).toEqual(['AAPL']));
      const before = gw.emulator.streamActions.length;

      for (let i = 0; i < 1000; i += 1)
        churner.send({ action: i % 2 === 0 ? 'subscribe' : 'unsubscribe', quotes: ['MSFT'] });
      expect(await churner.closed()).toMatchObject({ code: 4429 });
      const refusals = churner.of('error');
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((e) => e['code'] === 'RATE_LIMIT_EXCEEDED')).toBe(true);
      expect(refusals[0]).toMatchObject({ details: { reason: 'stream_frames', limit_per_second: 20, burst: 40 } });
      // Accepted: at most the burst (and what refilled meanwhile), not 1000.
      expect(churner.of('subscription').length).toBeLessThanOrEqual(45);

      // A change made after the churner's close: once Alpaca has it, every earlier change was flushed too.
      expect(await subscribed(holder, { quotes: ['TSLA'] })).toMatchObject({ quotes: ['AAPL', 'TSLA'] });
      await eventually(() => expect(new Set(upstreamQuotes(gw))).toEqual(new Set(['AAPL', 'TSLA'])));
      // Each window sends at most one unsubscribe and one subscribe; the churn and the TSLA change fit in two.
      expect(upstreamChanges(gw, before).length).toBeLessThanOrEqual(4);
    } finally {
      await holder.close();
      await churner.close();
    }
  }, 30_000);
});

describe('SSE and token expiry', () => {
  const clock = new OffsetClock();
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ STREAM_UPSTREAM_LINGER_MS: '50' }, { streamSlotHoldMs: 0 }, undefined, { clock });
    await listenOnLoopback(gw.app);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('an SSE stream ends at its token’s exp with an INVALID_TOKEN error event, as the WebSocket closes with 4401', async () => {
    const { port } = gw.app.getHttpServer().address() as AddressInfo;
    const token = tokenFor(['viewer'], { sub: 'sse-expiring', expiresIn: 60 });
    const stream = { body: '', ended: false, status: 0 };
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/stream/events?quotes=AAPL',
          headers: { Authorization: `Bearer ${token}` },
        },
        (res) => {
          stream.status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (stream.body += chunk));
          res.on('end', () => (stream.ended = true));
          resolve();
        },
      );
      req.on('error', reject);
    });
    const events = (): string[] =>
      stream.body
        .split('\n\n')
        .filter((b) => b.startsWith('event: '))
        .map((b) => b.split('\n')[0]?.slice(7) ?? '');
    expect(stream.status).toBe(200);
    await eventually(() => expect(events()).toEqual(['connected', 'authenticated', 'subscription']));
    // Past exp and the clock tolerance (JWT_CLOCK_TOLERANCE_SECONDS, 30 s): the sweep ends the stream within about a second.
    clock.advance(120_000);
    await eventually(() => expect(stream.ended).toBe(true), 5000);
    expect(events()).toEqual(['connected', 'authenticated', 'subscription', 'error']);
    expect(stream.body).toContain('"code":"INVALID_TOKEN"');
    await eventually(() => expect(gw.emulator.streamOpenCount(STOCKS)).toBe(0), 5000);
  }, 15_000);
});

describe('protocol hardening', () => {
  let gw: Gateway;
  let url: string;
  beforeAll(async () => {
    gw = await startGateway({ STREAM_UPSTREAM_LINGER_MS: '50' }, { streamSlotHoldMs: 0 });
    url = await listenOnLoopback(gw.app);
  });
  afterEach(async () => {
    // Each test starts from no upstream socket, so what the emulator receives is its own.
    await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0), 5000);
    gw.emulator.reset();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a closed session handles nothing: a subscribe arriving after the 4401 close (revoked key) never reaches Alpaca', async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create('closing-session', ['viewer']);
    const doomed = await StreamClient.connect(url, { 'X-API-Key': key });
    const witness = await StreamClient.connect(url, bearer(['viewer'], 'witness'));
    try {
      await Promise.all([doomed.nextOfType('authenticated'), witness.nextOfType('authenticated')]);
      expect(await subscribed(doomed, { quotes: ['AAPL'] })).toMatchObject({ quotes: ['AAPL'] });
      await eventually(() => expect(upstreamQuotes(gw)).toEqual(['AAPL']));
      // The client stops reading, so it cannot see the close frame and keeps sending.
      rawSocket(doomed).pause();
      store.revoke(record.id);
      await eventually(
        () => expect(sessionWhere(gw, (s) => s.principal?.keyId === record.id)?.closed).toBe(true),
        5000,
      );
      doomed.send({ action: 'subscribe', quotes: ['IBM'] });
      doomed.send({ action: 'auth', token: tokenFor(['viewer'], { sub: 'late-auth' }) });
      doomed.send({ action: 'subscribe', quotes: ['NVDA'] });
      // A round trip on another connection lets the gateway read the doomed socket's frames; then a
      // change of the witness: once Alpaca has it, whatever the doomed frames did would be there too.
      expect(await subscribed(witness, { trades: ['AAPL'] })).toMatchObject({ trades: ['AAPL'] });
      expect(await subscribed(witness, { quotes: ['TSLA'] })).toMatchObject({ quotes: ['TSLA'] });
      await eventually(() => expect(upstreamQuotes(gw)).toContain('TSLA'));
      const told = upstreamChanges(gw).flatMap((f) => f.quotes ?? []);
      expect(told).not.toContain('IBM');
      expect(told).not.toContain('NVDA');
      const doomedSession = sessionWhere(
        gw,
        (s) => s.principal?.keyId === record.id || s.principal?.sub === 'late-auth',
      );
      expect(doomedSession === undefined || doomedSession.subscription.quotes.size <= 1).toBe(true);
      rawSocket(doomed).resume();
      expect(await doomed.closed()).toMatchObject({ code: 4401 });
      expect(doomed.of('authenticated')).toHaveLength(1);
    } finally {
      rawSocket(doomed).resume();
      await witness.close();
      await doomed.close();
    }
  }, 20_000);

  it('duplicate members in a frame are refused, as on REST: INVALID_PARAMETER naming the member, nothing subscribed', async () => {
    const before = gw.emulator.streamActions.length;
    const c = await StreamClient.connect(url, bearer(['viewer'], 'duplicates'));
    try {
      await c.nextOfType('authenticated');
      expect(await subscribed(c, '{"action":"subscribe","quotes":["AAPL"],"quotes":["MSFT"]}')).toMatchObject({
        type: 'error',
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('"quotes"') as unknown,
        details: { frame: 'duplicate_key', key: 'quotes' },
      });
      expect(await subscribed(c, '{"action":"unsubscribe","action":"subscribe","quotes":["MSFT"]}')).toMatchObject({
        type: 'error',
        code: 'INVALID_PARAMETER',
        details: { frame: 'duplicate_key', key: 'action' },
      });
      // Escapes do not hide a duplicate: "qu\u006ftes" is "quotes".
      expect(await subscribed(c, '{"action":"subscribe","quotes":["AAPL"],"qu\\u006ftes":["IBM"]}')).toMatchObject({
        details: { key: 'quotes' },
      });
      expect(await subscribed(c, { trades: ['AAPL'] })).toMatchObject({
        type: 'subscription',
        quotes: [],
        trades: ['AAPL'],
      });
      await eventually(() =>
        expect(
          upstreamChanges(gw, before).flatMap((f) =>
            f.action === 'subscribe' ? ((f as { trades?: string[] }).trades ?? []) : [],
          ),
        ).toContain('AAPL'),
      );
      expect(
        upstreamChanges(gw, before)
          .filter((f) => f.action === 'subscribe')
          .flatMap((f) => f.quotes ?? []),
      ).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe('upgrades: origin and unauthenticated sockets per address', () => {
  let gw: Gateway;
  let url: string;
  beforeAll(async () => {
    gw = await startGateway(
      {
        STREAM_UPSTREAM_LINGER_MS: '50',
        CORS_ORIGINS: 'https://app.example.com,https://desk.example.com',
        STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS: '3',
      },
      { streamSlotHoldMs: 0 },
    );
    url = await listenOnLoopback(gw.app);
  });
  afterAll(async () => {
    await gw.close();
  });

  it('an Origin outside CORS_ORIGINS is refused at the upgrade (403); a listed one and none at all (bots) are let in', async () => {
    expect(await upgradeStatus(url, { Origin: 'https://evil.example.net', ...bearer(['viewer'], 'o1') })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'null', ...bearer(['viewer'], 'o2') })).toBe(403);
    expect(await upgradeStatus(url, { Origin: 'https://app.example.com.evil.net', ...bearer(['viewer'], 'o3') })).toBe(
      403,
    );
    expect(await upgradeStatus(url, { Origin: 'https://desk.example.com', ...bearer(['viewer'], 'o4') })).toBe(101);
    const bot = await StreamClient.connect(url, bearer(['viewer'], 'bot'));
    expect(await bot.nextOfType('authenticated')).toMatchObject({ subject: 'bot' });
    await bot.close();
  });

  it('past STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS sockets still unauthenticated, a new one is closed 1008; authenticating frees a place', async () => {
    const waiting = await Promise.all([0, 1, 2].map(() => StreamClient.connect(url, {})));
    try {
      await Promise.all(waiting.map((c) => c.nextOfType('connected')));
      const extra = await StreamClient.connect(url, {});
      expect(await extra.closed()).toMatchObject({ code: 1008 });
      expect(extra.of('error')).toEqual([
        expect.objectContaining({
          code: 'RATE_LIMIT_EXCEEDED',
          details: expect.objectContaining({ reason: 'unauthenticated_connections', limit: 3 }) as unknown,
        }),
      ]);
      expect(extra.of('connected')).toEqual([]);
      // One of them authenticates: its place is free again.
      waiting[0]?.send({ action: 'auth', token: tokenFor(['viewer'], { sub: 'late' }) });
      await waiting[0]?.nextOfType('authenticated');
      const next = await StreamClient.connect(url, {});
      expect(await next.nextOfType('connected')).toEqual({ type: 'connected' });
      expect(next.closeCode).toBeNull();
      await next.close();
    } finally {
      await Promise.all(waiting.map((c) => c.close()));
    }
  });
});
