/**
 * The Alpaca-compatible stream face end to end: Alpaca's stream paths on the real gateway, spoken
 * by raw sockets (JSON and msgpack, bytes compared with what Alpaca — the emulator — writes) and
 * by Alpaca's own SDK (`@alpacahq/alpaca-trade-api` 4.x, unmodified: only URLs and keys change),
 * all riding the fleet's one upstream socket per endpoint.
 */
import type { AddressInfo } from 'node:net';
import { decode, decodeTimestampToTimeSpec, EXT_TIMESTAMP, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { Alpaca, streaming } from '@alpacahq/alpaca-trade-api';
import { WebSocket } from 'ws';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { StreamHub } from '../../../src/streams/hub/stream-hub.service.js';
import { encodeFrame } from '../../emulator/stream/stream-codec.js';
import type { StreamDataMessage } from '../../emulator/alpaca-emulator.js';
import type { Role } from '../../../src/core/identity/roles.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';

const STOCKS = '/v2/iex';
const OPTIONS = '/v1beta1/indicative';
const CONTRACT = 'AAPL240426C00162500';
/** The fixture's open AAPL limit order (qty 2). */
const ORDER_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const DEFAULT_WAIT_MS = 5000;

/* Messages exactly as Alpaca writes them (docs/alpaca-wire.md "Market-data stream messages", key order included), with nanosecond timestamps. */
const quote = (S: string, t = '2026-11-27T15:30:00.123456789Z'): StreamDataMessage => ({
  T: 'q',
  S,
  bx: 'V',
  bp: 172.6,
  bs: 3,
  ax: 'Q',
  ap: 172.61,
  as: 1,
  c: ['R'],
  z: 'C',
  t,
});
const trade = (S: string): StreamDataMessage => ({
  T: 't',
  S,
  i: 52983525033527,
  x: 'K',
  p: 162.92,
  s: 3,
  c: ['@', 'F', 'T', 'I'],
  z: 'C',
  t: '2026-11-27T15:30:00.83915973Z',
});
const bar = (S: string): StreamDataMessage => ({
  T: 'b',
  S,
  o: 388.985,
  h: 389.13,
  l: 388.975,
  c: 389.12,
  v: 49378,
  n: 461,
  vw: 389.062639,
  t: '2026-11-27T15:30:00Z',
});
const optionQuote: StreamDataMessage = {
  T: 'q',
  S: CONTRACT,
  t: '2026-11-27T15:30:01.000000007Z',
  bx: 'C',
  bp: 4.1,
  bs: 16,
  ax: 'B',
  ap: 4.3,
  as: 91,
  c: 'A',
};
/* The other stock channels (docs/alpaca-wire.md "Market-data stream messages"), each with its own nanoseconds. */
const updatedBar = (S: string): StreamDataMessage => ({
  T: 'u',
  S,
  o: 388.985,
  h: 389.2,
  l: 388.975,
  c: 389.15,
  v: 49410,
  n: 463,
  vw: 389.0627,
  t: '2026-11-27T15:29:00Z',
});
const dailyBar = (S: string): StreamDataMessage => ({
  T: 'd',
  S,
  o: 380.5,
  h: 390.25,
  l: 379.9,
  c: 389.15,
  v: 51234567,
  n: 402133,
  vw: 386.4431,
  t: '2026-11-27T05:00:00Z',
});
const status = (S: string): StreamDataMessage => ({
  T: 's',
  S,
  sc: 'H',
  sm: 'Trading Halt',
  rc: 'T12',
  rm: 'Trading Halted; For information requested by NASDAQ',
  t: '2026-11-27T15:30:02.000000003Z',
  z: 'C',
});
const luld = (S: string): StreamDataMessage => ({
  T: 'l',
  S,
  u: 175.93,
  d: 159.17,
  i: 'B',
  t: '2026-11-27T15:30:03.565004401Z',
  z: 'C',
});
const correction = (S: string): StreamDataMessage => ({
  T: 'c',
  S,
  x: 'M',
  oi: 52983525033527,
  op: 39.1582,
  os: 440000,
  oc: [' ', '7'],
  ci: 52983525034326,
  cp: 39.1809,
  cs: 440000,
  cc: [' ', '7'],
  z: 'B',
  t: '2026-11-27T15:30:04.542305024Z',
});
const cancelError = (S: string): StreamDataMessage => ({
  T: 'x',
  S,
  i: 465,
  x: 'D',
  p: 105.31,
  s: 300,
  a: 'C',
  z: 'C',
  t: '2026-11-27T15:30:05.83540958Z',
});

type Message = Record<string, unknown>;

/** msgpack timestamps stay ExtData (type −1, raw bytes), not Dates: the nanoseconds are checked as sent. */
const keepExt = new ExtensionCodec();
keepExt.register({
  type: EXT_TIMESTAMP,
  encode: () => null,
  decode: (data: Uint8Array) => new ExtData(EXT_TIMESTAMP, data),
});

/**
 * A raw client of the face: every frame kept as received (bytes and opcode) and decoded (JSON, or
 * msgpack with timestamps left as the extension); waits on messages or the close with a deadline.
 */
class FaceClient {
  readonly frames: Array<{ bytes: Buffer; binary: boolean }> = [];
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, binary: boolean) => {
      this.frames.push({ bytes: data, binary });
      const value = binary
        ? decode(data, { extensionCodec: keepExt, useBigInt64: true })
        : (JSON.parse(data.toString('utf8')) as unknown);
      this.messages.push(...(Array.isArray(value) ? (value as Message[]) : [value as Message]));
      this.wake();
    });
    socket.on('close', (code: number) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens the socket; `onOpen` runs as soon as it is open, before any server frame is read. */
  static async connect(
    url: string,
    opts: { headers?: Record<string, string>; msgpack?: boolean; onOpen?: (c: FaceClient) => void } = {},
  ): Promise<FaceClient> {
    const headers = { ...(opts.msgpack === true ? { 'Content-Type': 'application/msgpack' } : {}), ...opts.headers };
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const client = new FaceClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        opts.onOpen?.(client);
        resolve();
      });
      socket.once('error', reject);
    });
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async next(match: (m: Message) => boolean, after = 0): Promise<Message> {
    return this.until(() => this.messages.slice(after).find(match));
  }

  /** The reply to a frame: the next `subscription` or `error` after it. */
  async reply(frame: unknown): Promise<Message> {
    const after = this.messages.length;
    this.send(frame);
    return this.next((m) => m['T'] === 'subscription' || m['T'] === 'error', after);
  }

  async closed(): Promise<number> {
    return this.until(() => this.closeCode ?? undefined);
  }

  async close(): Promise<void> {
    if (this.closeCode !== null) return;
    this.socket.close();
    await this.closed();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async until<T>(probe: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `face client: nothing matched within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}, close ${this.closeCode}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

let gw: Gateway;
let base: string;
const clients: FaceClient[] = [];
const sdkStreams: Array<{ disconnect(): void }> = [];

/** A gateway API key for `roles`: Alpaca's key id header carries its id, the secret the whole key. */
function apiKey(name: string, roles: Role[]): { keyId: string; secret: string } {
  const { key, record } = new ApiKeyStore(gw.apiKeysFile).create(name, roles);
  return { keyId: record.id, secret: key };
}

async function open(path: string, opts: Parameters<typeof FaceClient.connect>[1] = {}): Promise<FaceClient> {
  const c = await FaceClient.connect(`${base}${path}`, opts);
  clients.push(c);
  return c;
}

/** An authenticated client (header credentials), after `connected` and `authenticated`. */
async function authed(path: string, key: { keyId: string; secret: string }, msgpack = false): Promise<FaceClient> {
  const c = await open(path, { msgpack, headers: { 'APCA-API-KEY-ID': key.keyId, 'APCA-API-SECRET-KEY': key.secret } });
  await c.next((m) => m['msg'] === 'authenticated');
  return c;
}

async function upstreamHolds(
  endpoint: typeof STOCKS | typeof OPTIONS,
  channel: string,
  symbols: string[],
): Promise<void> {
  await eventually(
    () =>
      expect(gw.emulator.streamOpenConnections(endpoint)[0]?.subscription[channel as 'quotes']).toEqual(
        expect.arrayContaining(symbols),
      ),
    DEFAULT_WAIT_MS,
  );
}

beforeAll(async () => {
  gw = await startGateway(
    {
      STREAM_UPSTREAM_LINGER_MS: '50',
      STREAM_AUTH_TIMEOUT_MS: '300',
      STREAM_MAX_SYMBOLS_PER_CONNECTION: '8',
      STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: '12',
    },
    { streamSlotHoldMs: 0 },
  );
  const server = gw.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 20_000);
afterAll(async () => {
  await gw.close();
});
afterEach(async () => {
  for (const s of sdkStreams.splice(0)) s.disconnect();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0), DEFAULT_WAIT_MS);
  await eventually(() => expect(gw.app.get(StreamHub).held().sessions).toBe(0), DEFAULT_WAIT_MS);
  await gw.reset();
}, 20_000);

describe('raw WebSocket, JSON', () => {
  it('greets, takes an auth frame sent before the greeting arrives, and says authenticated', async () => {
    const key = apiKey('json-early', ['viewer']);
    const c = await open(STOCKS, {
      onOpen: (client) => client.send({ action: 'auth', key: key.keyId, secret: key.secret }),
    });
    await c.next((m) => m['msg'] === 'authenticated');
    expect(c.messages).toEqual([
      { T: 'success', msg: 'connected' },
      { T: 'success', msg: 'authenticated' },
    ]);
    expect(c.frames.map((f) => f.binary)).toEqual([false, false]);
    // A second auth on the session: Alpaca's 403, the socket stays.
    expect(await c.reply({ action: 'auth', key: key.keyId, secret: key.secret })).toEqual({
      T: 'error',
      code: 403,
      msg: 'already authenticated',
    });
    expect(c.closeCode).toBeNull();
  });

  it('header credentials (Alpaca key headers, or a gateway token) authenticate at the upgrade, unprompted', async () => {
    const byKey = await authed(STOCKS, apiKey('json-headers', ['viewer']));
    expect(byKey.messages).toEqual([
      { T: 'success', msg: 'connected' },
      { T: 'success', msg: 'authenticated' },
    ]);
    const byToken = await open(STOCKS, {
      headers: { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'face-token' })}` },
    });
    await byToken.next((m) => m['msg'] === 'authenticated');
  });

  it("subscribe twice is idempotent; the ack lists only this client's symbols on every channel; unsubscribe removes", async () => {
    const a = await authed(STOCKS, apiKey('json-sub-a', ['viewer']));
    const b = await authed(STOCKS, apiKey('json-sub-b', ['viewer']));
    expect(await b.reply({ action: 'subscribe', quotes: ['MSFT'] })).toMatchObject({
      T: 'subscription',
      quotes: ['MSFT'],
    });
    const frame = { action: 'subscribe', trades: ['AAPL'], quotes: ['AAPL', 'TSLA'], bars: ['SPY'] };
    // corrections and cancelErrors list the trades symbols, as Alpaca's ack does (F5): they come with trades.
    const own = {
      T: 'subscription',
      trades: ['AAPL'],
      quotes: ['AAPL', 'TSLA'],
      bars: ['SPY'],
      updatedBars: [],
      dailyBars: [],
      statuses: [],
      lulds: [],
      corrections: ['AAPL'],
      cancelErrors: ['AAPL'],
    };
    expect(await a.reply(frame)).toEqual(own);
    expect(await a.reply(frame)).toEqual(own);
    // Key order as Alpaca's (F5): `T` first, then the channels.
    expect(JSON.stringify(a.messages.at(-1))).toBe(JSON.stringify(own));
    await upstreamHolds(STOCKS, 'quotes', ['AAPL', 'TSLA', 'MSFT']);
    // Upstream was told of each symbol once, whatever the repeats.
    const told = gw.emulator.streamActions
      .filter((x) => x.endpoint === STOCKS && (x.frame as { action?: string }).action === 'subscribe')
      .flatMap((x) => (x.frame as { quotes?: string[] }).quotes ?? []);
    expect(told.filter((s) => s === 'AAPL')).toHaveLength(1);
    expect(await a.reply({ action: 'unsubscribe', quotes: ['TSLA'], bars: ['SPY'] })).toEqual({
      ...own,
      quotes: ['AAPL'],
      bars: [],
    });
    // One upstream frame with both symbols: the client frame carries only what is still subscribed.
    const after = a.messages.length;
    gw.emulator.streamPublish(STOCKS, [quote('TSLA'), quote('AAPL')]);
    expect(await a.next((m) => m['T'] === 'q', after)).toMatchObject({ S: 'AAPL' });
    expect(a.messages.slice(after).filter((m) => m['T'] === 'q')).toEqual([quote('AAPL')]);
  });

  it('quotes, trades and bars arrive field for field as the emulator sent them, nanosecond timestamps verbatim', async () => {
    const c = await authed(STOCKS, apiKey('json-data', ['viewer']));
    await c.reply({ action: 'subscribe', trades: ['AAPL'], quotes: ['AMD'], bars: ['SPY'] });
    await upstreamHolds(STOCKS, 'bars', ['SPY']);
    const sent = [trade('AAPL'), quote('AMD'), bar('SPY')];
    const after = c.frames.length;
    gw.emulator.streamPublish(STOCKS, sent);
    await c.next((m) => m['T'] === 'b');
    // One upstream frame → one client frame, byte for byte what Alpaca (the emulator) wrote.
    expect(c.frames.slice(after).map((f) => f.bytes.toString('utf8'))).toEqual([encodeFrame(sent, 'json')]);
  });

  it('updatedBars, dailyBars, statuses and lulds: one upstream subscribe with them, the ack lists them, messages byte for byte as Alpaca sent them', async () => {
    const c = await authed(STOCKS, apiKey('json-channels', ['viewer']));
    const frame = {
      action: 'subscribe',
      trades: ['AAPL'],
      updatedBars: ['SPY'],
      dailyBars: ['SPY', 'msft'],
      statuses: ['AAPL'],
      lulds: ['AAPL'],
    };
    const own = {
      T: 'subscription',
      trades: ['AAPL'],
      quotes: [],
      bars: [],
      updatedBars: ['SPY'],
      dailyBars: ['SPY', 'MSFT'],
      statuses: ['AAPL'],
      lulds: ['AAPL'],
      corrections: ['AAPL'],
      cancelErrors: ['AAPL'],
    };
    expect(await c.reply(frame)).toEqual(own);
    expect(JSON.stringify(c.messages.at(-1))).toBe(JSON.stringify(own));
    await upstreamHolds(STOCKS, 'lulds', ['AAPL']);
    // The emulator's connection holds the whole set, from one subscribe frame in Alpaca's channel names.
    expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
      trades: ['AAPL'],
      updatedBars: ['SPY'],
      dailyBars: expect.arrayContaining(['SPY', 'MSFT']),
      statuses: ['AAPL'],
      lulds: ['AAPL'],
      corrections: ['AAPL'],
      cancelErrors: ['AAPL'],
    });
    const subscribes = gw.emulator.streamActions.filter(
      (x) => x.endpoint === STOCKS && (x.frame as { action?: string }).action === 'subscribe',
    );
    expect(subscribes.map((x) => x.frame)).toEqual([
      {
        action: 'subscribe',
        trades: ['AAPL'],
        updatedBars: ['SPY'],
        dailyBars: ['MSFT', 'SPY'],
        statuses: ['AAPL'],
        lulds: ['AAPL'],
      },
    ]);
    // One upstream frame → one client frame, byte for byte; corrections and cancel errors ride on trades.
    const sent = [
      updatedBar('SPY'),
      dailyBar('SPY'),
      status('AAPL'),
      luld('AAPL'),
      correction('AAPL'),
      cancelError('AAPL'),
    ];
    const after = c.frames.length;
    gw.emulator.streamPublish(STOCKS, sent);
    await c.next((m) => m['T'] === 'x');
    expect(c.frames.slice(after).map((f) => f.bytes.toString('utf8'))).toEqual([encodeFrame(sent, 'json')]);
    // A daily bar the emulator generates (MSFT's from its fixture trade, 294.1): Alpaca's members in Alpaca's order.
    const generated = c.messages.length;
    gw.emulator.streamTick();
    const daily = await c.next((m) => m['T'] === 'd' && m['S'] === 'MSFT', generated);
    expect(Object.keys(daily)).toEqual(['T', 'S', 'o', 'h', 'l', 'c', 'v', 'n', 'vw', 't']);
    expect(daily).toMatchObject({
      o: 294.1,
      h: 294.13,
      l: 294.07,
      vw: 294.1,
      t: expect.stringMatching(/^\d{4}-\d\d-\d\dT0[45]:00:00Z$/),
    });
    // Unsubscribing takes them off this client's ack; the last holder takes them off upstream.
    expect(await c.reply({ action: 'unsubscribe', statuses: ['AAPL'], dailyBars: ['SPY', 'MSFT'] })).toEqual({
      ...own,
      dailyBars: [],
      statuses: [],
    });
    await eventually(
      () =>
        expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
          dailyBars: [],
          statuses: [],
          lulds: ['AAPL'],
        }),
      DEFAULT_WAIT_MS,
    );
  });

  it("refusals in Alpaca's codes: 401 before auth, 400 bad syntax, 410 a channel the gateway does not serve", async () => {
    const early = await open(STOCKS);
    expect(await early.reply({ action: 'subscribe', quotes: ['AAPL'] })).toEqual({
      T: 'error',
      code: 401,
      msg: 'not authenticated',
    });
    expect(early.closeCode).toBeNull();
    const c = await authed(STOCKS, apiKey('json-refusals', ['viewer']));
    expect(await c.reply('not json')).toEqual({ T: 'error', code: 400, msg: 'invalid syntax' });
    expect(await c.reply({ action: 'subscribe', news: [] })).toEqual({ T: 'error', code: 400, msg: 'invalid syntax' });
    expect(await c.reply({ action: 'subscribe', orderbook: ['AAPL'] })).toEqual({
      T: 'error',
      code: 400,
      msg: 'invalid syntax',
    });
    expect(await c.reply({ action: 'subscribe', quotes: ['AAPL'], imbalances: ['AAPL'] })).toEqual({
      T: 'error',
      code: 410,
      msg: 'invalid subscribe action for this feed',
    });
    expect(await c.reply({ action: 'subscribe', news: ['AAPL'] })).toEqual({
      T: 'error',
      code: 410,
      msg: 'invalid subscribe action for this feed',
    });
    expect(await c.reply({ action: 'subscribe', statuses: ['*'] })).toEqual({
      T: 'error',
      code: 405,
      msg: 'symbol limit exceeded',
    });
    expect(await c.reply({ action: 'subscribe', quotes: ['*'] })).toEqual({
      T: 'error',
      code: 405,
      msg: 'symbol limit exceeded',
    });
    // Go sends every channel, unused ones nil or []; corrections/cancelErrors are implied by trades.
    expect(
      await c.reply({ action: 'subscribe', trades: ['AAPL'], quotes: null, dailyBars: [], corrections: ['AAPL'] }),
    ).toMatchObject({ T: 'subscription', trades: ['AAPL'], quotes: [] });
    expect(c.closeCode).toBeNull();
  });

  it("a bad key → 402 then the close; so is a key id that is not the key's own", async () => {
    const key = apiKey('json-bad', ['viewer']);
    const bad = await open(STOCKS, {
      onOpen: (client) => client.send({ action: 'auth', key: key.keyId, secret: `${key.secret.slice(0, -2)}xx` }),
    });
    await bad.closed();
    expect(bad.messages).toEqual([
      { T: 'success', msg: 'connected' },
      { T: 'error', code: 402, msg: 'auth failed' },
    ]);
    const otherId = await open(STOCKS, {
      headers: { 'APCA-API-KEY-ID': '0123456789abcdef', 'APCA-API-SECRET-KEY': key.secret },
    });
    await otherId.closed();
    expect(otherId.messages.at(-1)).toEqual({ T: 'error', code: 402, msg: 'auth failed' });
  });

  it('a key revoked while connected → 402, then the close (4401)', async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create('json-revoked', ['viewer']);
    const c = await authed(STOCKS, { keyId: record.id, secret: key });
    store.revoke(record.id);
    expect(await c.closed()).toBe(4401);
    expect(c.messages.at(-1)).toEqual({ T: 'error', code: 402, msg: 'auth failed' });
  });

  it('no auth within STREAM_AUTH_TIMEOUT_MS → 404 auth timeout, then the close', async () => {
    const c = await open(STOCKS);
    await c.closed();
    expect(c.messages).toEqual([
      { T: 'success', msg: 'connected' },
      { T: 'error', code: 404, msg: 'auth timeout' },
    ]);
  });

  it("more connections than the principal's cap (shared with /api/v1/stream) → 406, then the close", async () => {
    const key = apiKey('json-cap', ['viewer']);
    const ours = await FaceClient.connect(`${base}/api/v1/stream`, { headers: { 'X-API-Key': key.secret } });
    clients.push(ours);
    await ours.next((m) => m['type'] === 'authenticated');
    for (let i = 0; i < 11; i += 1) await authed(STOCKS, key);
    const over = await open(STOCKS, { headers: { 'APCA-API-KEY-ID': key.keyId, 'APCA-API-SECRET-KEY': key.secret } });
    await over.closed();
    expect(over.messages.at(-1)).toEqual({ T: 'error', code: 406, msg: 'connection limit exceeded' });
  });

  it('past the per-connection symbol limit → 405, and nothing changed', async () => {
    const c = await authed(STOCKS, apiKey('json-limit', ['viewer']));
    expect(await c.reply({ action: 'subscribe', quotes: ['A', 'B', 'C', 'D', 'E'] })).toMatchObject({
      T: 'subscription',
    });
    expect(await c.reply({ action: 'subscribe', trades: ['F', 'G', 'H', 'I'] })).toEqual({
      T: 'error',
      code: 405,
      msg: 'symbol limit exceeded',
    });
    expect(await c.reply({ action: 'subscribe', trades: ['A'] })).toMatchObject({
      quotes: ['A', 'B', 'C', 'D', 'E'],
      trades: ['A'],
    });
  });

  it("another feed, news or crypto → greeted, then Alpaca's 409 at auth and the close; options over JSON → 412", async () => {
    const key = apiKey('json-unserved', ['premium']);
    for (const path of ['/v2/sip', '/v2/test', '/v1beta1/news', '/v1beta1/opra', '/v1beta3/crypto/us']) {
      const c = await open(path, { headers: { 'APCA-API-KEY-ID': key.keyId, 'APCA-API-SECRET-KEY': key.secret } });
      await c.closed();
      expect({ path, messages: c.messages }).toEqual({
        path,
        messages: [
          { T: 'success', msg: 'connected' },
          { T: 'error', code: 409, msg: 'insufficient subscription' },
        ],
      });
    }
    const json = await open(OPTIONS);
    await json.closed();
    expect(json.messages.at(-1)).toEqual({
      T: 'error',
      code: 412,
      msg: 'option messages are only available in MsgPack format',
    });
    expect(gw.emulator.streamConnections).toHaveLength(0);
  });
});

describe('raw WebSocket, msgpack', () => {
  it('stock messages are the bytes Alpaca writes, timestamps the extension (type −1) with their nanoseconds', async () => {
    const c = await authed(STOCKS, apiKey('mp-stocks', ['viewer']), true);
    expect(c.frames.every((f) => f.binary)).toBe(true);
    await c.reply({ action: 'subscribe', quotes: ['AAPL'], trades: ['AAPL'] });
    await upstreamHolds(STOCKS, 'trades', ['AAPL']);
    const sent = [quote('AAPL'), trade('AAPL')];
    const after = c.frames.length;
    gw.emulator.streamPublish(STOCKS, sent);
    await c.next((m) => m['T'] === 't');
    const received = c.frames.slice(after);
    expect(received).toHaveLength(1);
    expect(Buffer.from(received[0]?.bytes ?? [])).toEqual(Buffer.from(encodeFrame(sent, 'msgpack') as Uint8Array));
    const [q, t] = c.messages.slice(-2);
    for (const [m, iso, nsec] of [
      [q, '2026-11-27T15:30:00Z', 123_456_789],
      [t, '2026-11-27T15:30:00Z', 839_159_730],
    ] as const) {
      const ts = m?.['t'];
      expect(ts).toBeInstanceOf(ExtData);
      expect((ts as ExtData).type).toBe(-1);
      expect(decodeTimestampToTimeSpec((ts as ExtData).data as Uint8Array)).toEqual({
        sec: Date.parse(iso) / 1000,
        nsec,
      });
    }
  });

  it('the other stock channels: the bytes Alpaca writes, timestamps the extension with their nanoseconds, correction ids uint64', async () => {
    const c = await authed(STOCKS, apiKey('mp-channels', ['viewer']), true);
    expect(
      await c.reply({
        action: 'subscribe',
        trades: ['AAPL'],
        updatedBars: ['SPY'],
        dailyBars: ['SPY'],
        statuses: ['AAPL'],
        lulds: ['AAPL'],
      }),
    ).toMatchObject({
      T: 'subscription',
      updatedBars: ['SPY'],
      dailyBars: ['SPY'],
      statuses: ['AAPL'],
      lulds: ['AAPL'],
      corrections: ['AAPL'],
      cancelErrors: ['AAPL'],
    });
    await upstreamHolds(STOCKS, 'lulds', ['AAPL']);
    const sent = [
      updatedBar('SPY'),
      dailyBar('SPY'),
      status('AAPL'),
      luld('AAPL'),
      correction('AAPL'),
      cancelError('AAPL'),
    ];
    const after = c.frames.length;
    gw.emulator.streamPublish(STOCKS, sent);
    await c.next((m) => m['T'] === 'x');
    const received = c.frames.slice(after);
    expect(received).toHaveLength(1);
    expect(Buffer.from(received[0]?.bytes ?? [])).toEqual(Buffer.from(encodeFrame(sent, 'msgpack') as Uint8Array));
    const l = c.messages.find((m) => m['T'] === 'l');
    expect(decodeTimestampToTimeSpec((l?.['t'] as ExtData).data as Uint8Array)).toEqual({
      sec: Date.parse('2026-11-27T15:30:03Z') / 1000,
      nsec: 565_004_401,
    });
    expect(c.messages.find((m) => m['T'] === 'c')).toMatchObject({ oi: 52983525033527n, ci: 52983525034326n });
  });

  it("options (msgpack only): the quote as Alpaca sent it, nanoseconds kept through the gateway's own msgpack upstream", async () => {
    const c = await authed(OPTIONS, apiKey('mp-options', ['premium']), true);
    expect(await c.reply({ action: 'subscribe', quotes: [CONTRACT] })).toEqual({
      T: 'subscription',
      trades: [],
      quotes: [CONTRACT],
    });
    await upstreamHolds(OPTIONS, 'quotes', [CONTRACT]);
    const after = c.frames.length;
    gw.emulator.streamPublish(OPTIONS, optionQuote);
    await c.next((m) => m['T'] === 'q');
    expect(Buffer.from(c.frames[after]?.bytes ?? [])).toEqual(
      Buffer.from(encodeFrame([optionQuote], 'msgpack') as Uint8Array),
    );
    expect(decodeTimestampToTimeSpec((c.messages.at(-1)?.['t'] as ExtData).data as Uint8Array)).toEqual({
      sec: Date.parse('2026-11-27T15:30:01Z') / 1000,
      nsec: 7,
    });
  });

  it('a viewer may not use the option channels → 410 (not 409), and the socket stays', async () => {
    const c = await authed(OPTIONS, apiKey('mp-viewer', ['viewer']), true);
    expect(await c.reply({ action: 'subscribe', quotes: [CONTRACT] })).toEqual({
      T: 'error',
      code: 410,
      msg: 'invalid subscribe action for this feed',
    });
    expect(c.closeCode).toBeNull();
  });
});

describe('ALPACA_FACE=false', () => {
  it("the face's paths are not served: 404 at the upgrade; /api/v1/stream still is", async () => {
    const off = await startGateway({ ALPACA_FACE: 'false' });
    try {
      const server = off.app.getHttpServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of [STOCKS, OPTIONS, '/stream']) {
        const status = await new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(`${url}${path}`);
          // The refused handshake ends the socket with an error event of its own: expected here.
          socket.on('error', () => undefined);
          socket.once('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            socket.terminate();
          });
          socket.once('open', () => reject(new Error(`${path} was served`)));
        });
        expect({ path, status }).toEqual({ path, status: 404 });
      }
      const ours = await FaceClient.connect(`${url}/api/v1/stream`, {
        headers: { Authorization: `Bearer ${tokenFor(['viewer'])}` },
      });
      await ours.next((m) => m['type'] === 'authenticated');
      await ours.close();
    } finally {
      await off.close();
    }
  }, 20_000);
});

describe("through Alpaca's SDK (only the URL and the keys changed)", () => {
  const sdk = (key: { keyId: string; secret: string }): Alpaca =>
    new Alpaca({ keyId: key.keyId, secret: key.secret, rateLimit: false, retry: false });
  const quiet = { reconnect: false, pingIntervalMs: 0 } as const;

  it('ten stock streams, one upstream socket: each gets its own symbols only, and its ack lists only its own', async () => {
    const before = gw.emulator.streamConnections.length;
    const pool = ['AAPL', 'MSFT', 'TSLA', 'AMZN', 'NVDA', 'META', 'GOOG', 'AMD', 'INTC', 'IBM'];
    const sym = (i: number): string => pool[i % pool.length] ?? 'AAPL';
    const sets = pool.map((_, i) => ({ quotes: [sym(i), sym(i + 1)], trades: i % 2 === 0 ? [sym(i)] : [] }));
    const streams = sets.map((set, i) => {
      const s = sdk(apiKey(`sdk-stock-${i}`, ['viewer'])).marketData.stockStream({
        feed: 'iex',
        url: `${base}${STOCKS}`,
        ...quiet,
      });
      sdkStreams.push(s);
      const got: { quotes: string[]; trades: string[]; acks: number } = { quotes: [], trades: [], acks: 0 };
      s.onQuote((q) => got.quotes.push(`${q.symbol}@${q.timestampRaw}`));
      s.onTrade((t) => got.trades.push(t.symbol));
      s.on('subscription', () => {
        got.acks += 1;
      });
      s.onConnect(() => {
        s.subscribeForQuotes(set.quotes);
        if (set.trades.length > 0) s.subscribeForTrades(set.trades);
      });
      s.connect();
      return { s, got, set };
    });
    const auth = await Promise.all(streams.map(({ s }) => s.whenAuthenticated()));
    expect(auth.every((a) => a.authenticated)).toBe(true);
    // The SDK subscribes in onConnect and again as it resubscribes: every frame acked.
    await eventually(() => {
      for (const { got, set } of streams) expect(got.acks).toBeGreaterThanOrEqual(set.trades.length > 0 ? 3 : 2);
    }, DEFAULT_WAIT_MS);
    for (const { s, set } of streams) {
      const subs = s.getSubscriptions();
      expect({
        quotes: [...subs.quotes].sort(),
        trades: subs.trades,
        bars: subs.bars,
        updatedBars: subs.updatedBars,
        dailyBars: subs.dailyBars,
        statuses: subs.statuses,
        lulds: subs.lulds,
      }).toEqual({
        quotes: [...set.quotes].sort(),
        trades: set.trades,
        bars: [],
        updatedBars: [],
        dailyBars: [],
        statuses: [],
        lulds: [],
      });
    }
    await upstreamHolds(STOCKS, 'quotes', pool);
    // Each symbol's quote carries its own nanoseconds (its index), so the SDK's timestampRaw shows they came through.
    gw.emulator.streamPublish(STOCKS, [
      ...pool.map((s, i) => quote(s, `2026-11-27T15:30:00.00000000${i}Z`)),
      trade(sym(0)),
      trade(sym(3)),
    ]);
    await eventually(() => {
      for (const { got, set } of streams) expect(got.quotes.length).toBe(set.quotes.length);
    }, DEFAULT_WAIT_MS);
    for (const { got, set } of streams) {
      expect(got.quotes.map((q) => q.split('@')[0]).sort()).toEqual([...set.quotes].sort());
      // Nanoseconds reach the SDK (it decodes the msgpack extension without a Date).
      for (const q of got.quotes)
        expect(q).toBe(`${q.split('@')[0]}@2026-11-27T15:30:00.00000000${pool.indexOf(q.split('@')[0] ?? '')}Z`);
      // Trades were published for the first and fourth symbols; only even-numbered clients trade, and only their own.
      expect(got.trades).toEqual(set.trades.filter((s) => s === sym(0)));
    }
    const upstream = gw.emulator.streamConnections.slice(before).filter((c) => c.endpoint === STOCKS);
    expect(upstream).toHaveLength(1);
  }, 30_000);

  it("a stock stream's onUpdatedBar, onDailyBar, onStatus, onLuld, onCorrection and onCancelError get what the emulator sent; getSubscriptions lists the channels", async () => {
    const s = sdk(apiKey('sdk-channels', ['viewer'])).marketData.stockStream({
      feed: 'iex',
      url: `${base}${STOCKS}`,
      ...quiet,
    });
    sdkStreams.push(s);
    const got: Record<string, unknown[]> = { updated: [], daily: [], status: [], luld: [], correction: [], cancel: [] };
    s.onUpdatedBar((b) => got['updated']?.push(b));
    s.onDailyBar((b) => got['daily']?.push(b));
    s.onStatus((x) => got['status']?.push(x));
    s.onLuld((x) => got['luld']?.push(x));
    s.onCorrection((x) => got['correction']?.push(x));
    s.onCancelError((x) => got['cancel']?.push(x));
    let acked: Record<string, string[]> = {};
    s.on('subscription', (subscriptions: Record<string, string[]>) => {
      acked = subscriptions;
    });
    s.onConnect(() => {
      s.subscribeForTrades(['AAPL']);
      s.subscribeForUpdatedBars(['SPY']);
      s.subscribeForDailyBars(['SPY']);
      s.subscribeForStatuses(['AAPL']);
      s.subscribeForLulds(['AAPL']);
    });
    s.connect();
    expect((await s.whenAuthenticated()).authenticated).toBe(true);
    await eventually(
      () =>
        expect(acked).toMatchObject({
          trades: ['AAPL'],
          updatedBars: ['SPY'],
          dailyBars: ['SPY'],
          statuses: ['AAPL'],
          lulds: ['AAPL'],
        }),
      DEFAULT_WAIT_MS,
    );
    expect(s.getSubscriptions()).toMatchObject({
      trades: ['AAPL'],
      updatedBars: ['SPY'],
      dailyBars: ['SPY'],
      statuses: ['AAPL'],
      lulds: ['AAPL'],
      imbalances: [],
    });
    await upstreamHolds(STOCKS, 'lulds', ['AAPL']);
    gw.emulator.streamPublish(STOCKS, [
      updatedBar('SPY'),
      dailyBar('SPY'),
      status('AAPL'),
      luld('AAPL'),
      correction('AAPL'),
      cancelError('AAPL'),
    ]);
    await eventually(
      () => expect(Object.values(got).map((list) => list.length)).toEqual([1, 1, 1, 1, 1, 1]),
      DEFAULT_WAIT_MS,
    );
    const bar = {
      open: 388.985,
      high: 389.2,
      low: 388.975,
      close: 389.15,
      volume: 49410,
      tradeCount: 463,
      vwap: 389.0627,
    };
    expect(got['updated']?.[0]).toMatchObject({
      symbol: 'SPY',
      ...bar,
      timestampRaw: '2026-11-27T15:29:00.000000000Z',
    });
    expect(got['daily']?.[0]).toMatchObject({
      symbol: 'SPY',
      open: 380.5,
      high: 390.25,
      low: 379.9,
      close: 389.15,
      volume: 51234567,
      tradeCount: 402133,
      vwap: 386.4431,
    });
    expect(got['status']?.[0]).toMatchObject({
      symbol: 'AAPL',
      statusCode: 'H',
      statusMessage: 'Trading Halt',
      reasonCode: 'T12',
      reasonMessage: 'Trading Halted; For information requested by NASDAQ',
      tape: 'C',
      timestampRaw: '2026-11-27T15:30:02.000000003Z',
    });
    expect(got['luld']?.[0]).toMatchObject({
      symbol: 'AAPL',
      limitUpPrice: 175.93,
      limitDownPrice: 159.17,
      indicator: 'B',
      tape: 'C',
      timestampRaw: '2026-11-27T15:30:03.565004401Z',
    });
    expect(got['correction']?.[0]).toMatchObject({
      symbol: 'AAPL',
      exchange: 'M',
      originalId: 52983525033527,
      originalPrice: 39.1582,
      originalSize: 440000,
      originalConditions: [' ', '7'],
      correctedId: 52983525034326,
      correctedPrice: 39.1809,
      correctedSize: 440000,
      correctedConditions: [' ', '7'],
      tape: 'B',
      timestampRaw: '2026-11-27T15:30:04.542305024Z',
    });
    expect(got['cancel']?.[0]).toMatchObject({
      symbol: 'AAPL',
      id: 465,
      exchange: 'D',
      price: 105.31,
      size: 300,
      action: 'C',
      tape: 'C',
      timestampRaw: '2026-11-27T15:30:05.835409580Z',
    });
  });

  it('an option stream (msgpack) receives option quotes', async () => {
    const s = sdk(apiKey('sdk-options', ['premium'])).marketData.optionStream({
      feed: 'indicative',
      url: `${base}${OPTIONS}`,
      ...quiet,
    });
    sdkStreams.push(s);
    const quotes: streaming.StreamQuote[] = [];
    s.onQuote((q) => quotes.push(q));
    s.onConnect(() => s.subscribeForQuotes([CONTRACT]));
    s.connect();
    expect((await s.whenAuthenticated()).authenticated).toBe(true);
    await upstreamHolds(OPTIONS, 'quotes', [CONTRACT]);
    gw.emulator.streamPublish(OPTIONS, optionQuote);
    await eventually(() => expect(quotes).toHaveLength(1), DEFAULT_WAIT_MS);
    expect(quotes[0]).toMatchObject({
      symbol: CONTRACT,
      bidExchange: 'C',
      bidPrice: 4.1,
      bidSize: 16,
      askExchange: 'B',
      askPrice: 4.3,
      askSize: 91,
      timestampRaw: '2026-11-27T15:30:01.000000007Z',
    });
  });

  it('a trading stream receives a fill from the one shared trade-updates socket', async () => {
    const s = sdk(apiKey('sdk-trader', ['trader'])).trading.stream({ url: `${base}/stream`, ...quiet });
    sdkStreams.push(s);
    const updates: streaming.TradeUpdate[] = [];
    let listening: unknown = null;
    s.onTradeUpdate((u) => updates.push(u));
    s.on('subscription', (streams: unknown) => {
      listening = streams;
    });
    s.onConnect(() => s.subscribeTradeUpdates());
    s.connect();
    expect((await s.whenAuthenticated()).authenticated).toBe(true);
    await eventually(() => expect(listening).toEqual(['trade_updates']), DEFAULT_WAIT_MS);
    const sent = gw.emulator.fillOrder(ORDER_ID, { price: '187.4213' });
    await eventually(() => expect(updates).toHaveLength(1), DEFAULT_WAIT_MS);
    expect(updates[0]).toMatchObject({
      event: 'fill',
      price: '187.4213',
      qty: '2',
      positionQty: sent.extra?.['position_qty'],
      executionId: sent.extra?.['execution_id'],
    });
    expect(updates[0]?.order).toMatchObject({ id: ORDER_ID, symbol: 'AAPL', status: 'filled' });
    expect(gw.emulator.tradeStreamOpenCount()).toBe(1);
  });

  it("a bad key → the SDK reports Alpaca's 402 auth failure; a viewer on the trading stream is unauthorized", async () => {
    const key = apiKey('sdk-bad', ['viewer']);
    const bad = sdk({ keyId: key.keyId, secret: `${key.secret.slice(0, -2)}xx` }).marketData.stockStream({
      feed: 'iex',
      url: `${base}${STOCKS}`,
      ...quiet,
    });
    sdkStreams.push(bad);
    bad.connect();
    expect(await bad.whenAuthenticated()).toEqual({
      status: streaming.STREAM_AUTH_STATUS.SERVER_REJECTED,
      authenticated: false,
      code: 402,
      message: 'auth failed',
    });
    const viewer = sdk(key).trading.stream({ url: `${base}/stream`, ...quiet });
    sdkStreams.push(viewer);
    viewer.connect();
    expect(await viewer.whenAuthenticated()).toMatchObject({
      status: streaming.STREAM_AUTH_STATUS.SERVER_REJECTED,
      authenticated: false,
      message: 'auth failed',
    });
  });
});

describe('the trading stream, raw', () => {
  it('authenticate → authorized, listen → listening, then trade_updates as Alpaca sends them; listen before auth is unauthorized', async () => {
    const key = apiKey('raw-trader', ['trader']);
    const c = await open('/stream');
    c.send({ action: 'listen', data: { streams: ['trade_updates'] } });
    await c.next((m) => m['stream'] === 'authorization');
    c.send({ action: 'authenticate', data: { key_id: key.keyId, secret_key: key.secret } });
    await c.next((m) => (m['data'] as Message | undefined)?.['status'] === 'authorized');
    c.send({ action: 'listen', data: { streams: ['trade_updates', 'account_updates'] } });
    await c.next((m) => m['stream'] === 'listening');
    expect(c.messages).toEqual([
      { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } },
      { stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } },
      { stream: 'listening', data: { streams: ['trade_updates'] } },
    ]);
    expect(c.frames.every((f) => !f.binary)).toBe(true);
    const sent = gw.emulator.fillOrder(ORDER_ID, { price: '187.4213' });
    const update = await c.next((m) => m['stream'] === 'trade_updates');
    expect(update).toEqual({ stream: 'trade_updates', data: { event: 'fill', order: sent.order, ...sent.extra } });
  });

  it('a premium key (no trading) is unauthorized, then closed', async () => {
    const key = apiKey('raw-premium', ['premium']);
    const c = await open('/stream');
    c.send({ action: 'authenticate', data: { key_id: key.keyId, secret_key: key.secret } });
    await c.closed();
    expect(c.messages).toEqual([{ stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate' } }]);
  });
});
