import { AlpacaEmulator, ManualClock, type EmulatorOptions } from '../alpaca-emulator.js';
import { authenticated, connect, errorFrame, subscribe, waitUntil, type StreamClient } from './stream-spec-helpers.js';

const HOLD_MS = 90_000;
const REJECT_CLOSE_MS = 10_000;
let clock: ManualClock;
let emulator: AlpacaEmulator;

async function startEmulator(options: EmulatorOptions = {}): Promise<void> {
  clock = new ManualClock();
  emulator = new AlpacaEmulator({ streamClock: clock, ...options });
  await emulator.start();
}

beforeEach(() => startEmulator());
afterEach(() => emulator.stop());

/** Connects and sends auth; returns the client and the reply frame. */
async function tryAuth(endpoint: '/v2/iex' | '/v2/sip' = '/v2/iex'): Promise<{ client: StreamClient; reply: unknown }> {
  const client = await connect(emulator, endpoint);
  client.send({ action: 'auth', key: emulator.keyId, secret: emulator.secretKey });
  return { client, reply: await client.nextMessages('the auth reply') };
}

const LIMIT = errorFrame(406, 'connection limit exceeded');
const AUTHENTICATED = [{ T: 'success', msg: 'authenticated' }];

describe('connection limit (406)', () => {
  it('refuses a second connection for the same key and endpoint, leaves the first alone, closes the newcomer later', async () => {
    const incumbent = await authenticated(emulator, '/v2/iex');
    await subscribe(incumbent, { quotes: ['AAPL'] });
    const { client: newcomer, reply } = await tryAuth();
    expect(reply).toEqual(LIMIT);
    expect(emulator.streamConnections.map((record) => record.authenticated)).toEqual([true, false]);
    clock.advance(REJECT_CLOSE_MS);
    expect(await newcomer.closed()).toBe(1000);
    expect(emulator.streamTick()).toBe(1);
    expect(await incumbent.nextMessages()).toMatchObject([{ T: 'q', S: 'AAPL' }]);
    expect(emulator.streamOpenCount('/v2/iex')).toBe(1);
  });

  it('counts per endpoint: /v2/sip authenticates while /v2/iex is taken', async () => {
    await authenticated(emulator, '/v2/iex');
    expect((await tryAuth('/v2/sip')).reply).toEqual(AUTHENTICATED);
  });

  it('a clean close frees the slot at once', async () => {
    const first = await authenticated(emulator, '/v2/iex');
    await first.close();
    await waitUntil(() => emulator.streamOpenCount() === 0, 'the emulator to see the close');
    expect((await tryAuth()).reply).toEqual(AUTHENTICATED);
  });

  it('streamDropAll: the client sees 1006, and the slot stays held for the hold time', async () => {
    const first = await authenticated(emulator, '/v2/iex');
    expect(emulator.streamDropAll()).toBe(1);
    expect(await first.closed()).toBe(1006);
    await waitUntil(() => emulator.streamOpenCount() === 0, 'the emulator to see the drop');
    expect(emulator.streamConnections[0]).toMatchObject({ authenticated: true, closeCode: 1006 });
    expect((await tryAuth()).reply).toEqual(LIMIT);
    clock.advance(HOLD_MS - 1);
    expect((await tryAuth()).reply).toEqual(LIMIT);
    clock.advance(1);
    expect((await tryAuth()).reply).toEqual(AUTHENTICATED);
  });

  it('a client that vanishes without a close frame holds its slot too, for streamSlotHoldMs', async () => {
    await emulator.stop();
    await startEmulator({ streamSlotHoldMs: 5_000 });
    const first = await authenticated(emulator, '/v2/iex');
    first.ws.terminate();
    await waitUntil(() => emulator.streamOpenCount() === 0, 'the emulator to see the drop');
    expect((await tryAuth()).reply).toEqual(LIMIT);
    clock.advance(5_000);
    expect((await tryAuth()).reply).toEqual(AUTHENTICATED);
  });

  it('streamForceConnectionLimit(n): the next n auths get 406, retried on the same socket as Go does', async () => {
    emulator.streamForceConnectionLimit(2);
    const { client, reply } = await tryAuth();
    expect(reply).toEqual(LIMIT);
    const auth = { action: 'auth', key: emulator.keyId, secret: emulator.secretKey };
    client.send(auth);
    expect(await client.nextMessages()).toEqual(LIMIT);
    client.send(auth);
    expect(await client.nextMessages()).toEqual(AUTHENTICATED);
  });

  it('streamConnectionLimit raises the cap', async () => {
    await emulator.stop();
    await startEmulator({ streamConnectionLimit: 2 });
    await authenticated(emulator, '/v2/iex');
    await authenticated(emulator, '/v2/iex');
    expect((await tryAuth()).reply).toEqual(LIMIT);
  });
});

describe('stall', () => {
  it('no pongs, no data and no replies until streamUnstall()', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { trades: ['AAPL'] });
    expect(emulator.streamStall()).toBe(1);
    client.ws.ping('while-stalled');
    client.send({ action: 'subscribe', quotes: ['MSFT'] });
    // The action log proves the ping before it was read; nothing may have been answered.
    await waitUntil(() => emulator.streamActions.length === 3, 'the emulator to read the subscribe');
    emulator.streamPublish('/v2/iex', {
      T: 't',
      S: 'AAPL',
      i: 1,
      x: 'V',
      p: 1,
      s: 1,
      c: ['@'],
      z: 'C',
      t: '2024-03-08T16:41:24.727000000Z',
    });
    emulator.streamTick();
    emulator.streamUnstall();
    client.ws.ping('after');
    emulator.streamPublish('/v2/iex', {
      T: 't',
      S: 'AAPL',
      i: 2,
      x: 'V',
      p: 2,
      s: 1,
      c: ['@'],
      z: 'C',
      t: '2024-03-08T16:41:24.727000000Z',
    });
    await waitUntil(() => client.pongs.length > 0 && client.frames.length > 3, 'the pong and the data after unstall');
    expect(client.pongs).toEqual(['after']);
    // Frames after the ack: only the message published after unstall (the ack was lost, as in a stall).
    expect(client.unread().map((frame) => frame.messages)).toEqual([[expect.objectContaining({ T: 't', i: 2 })]]);
    expect(emulator.streamSubscription(1)).toMatchObject({ trades: ['AAPL'], quotes: ['MSFT'] });
  });

  it('stalls only the sockets open at the call, and only on the endpoint named', async () => {
    await emulator.stop();
    await startEmulator({ streamConnectionLimit: 2 });
    const iex = await authenticated(emulator, '/v2/iex');
    const stalled = await authenticated(emulator, '/v2/sip');
    expect(emulator.streamStall('/v2/sip')).toBe(1);
    // Opened after the call: greets and authenticates as usual.
    const fresh = await authenticated(emulator, '/v2/sip');
    stalled.ws.ping('stalled');
    stalled.send({ action: 'subscribe', trades: ['AAPL'] });
    iex.ws.ping('iex');
    fresh.ws.ping('fresh');
    await waitUntil(
      () =>
        iex.pongs.length === 1 &&
        fresh.pongs.length === 1 &&
        emulator.streamActions.some(
          (action) =>
            action.connectionId === 2 &&
            action.frame !== undefined &&
            JSON.stringify(action.frame).includes('subscribe'),
        ),
      'the live pongs and the stalled socket reading its subscribe',
    );
    emulator.streamUnstall();
    stalled.ws.ping('after');
    await waitUntil(() => stalled.pongs.length > 0, 'the pong after unstall');
    expect(stalled.pongs).toEqual(['after']);
  });
});

describe('other faults', () => {
  it('streamPauseReading: frames on a paused endpoint wait in TCP until reading resumes', async () => {
    const plain = { perMessageDeflate: false }; // no async inflate: a frame is read the moment its bytes are
    const paused = await authenticated(emulator, '/v2/iex', plain);
    const live = await authenticated(emulator, '/v2/sip', plain);
    emulator.streamPauseReading(true, '/v2/iex');
    paused.send({ action: 'subscribe', trades: ['AAPL'] });
    await waitUntil(() => paused.ws.bufferedAmount === 0, 'the paused frame to be handed to TCP');
    // Written after the paused frame: had the emulator been reading /v2/iex, it would have read that frame first.
    expect(await subscribe(live, { trades: ['MSFT'] })).toMatchObject({ trades: ['MSFT'] });
    expect(emulator.streamActions.map((action) => action.connectionId)).toEqual([1, 2, 2]);
    emulator.streamPauseReading(false);
    expect(await paused.nextMessages()).toEqual([expect.objectContaining({ T: 'subscription', trades: ['AAPL'] })]);
    expect(emulator.streamActions.map((action) => action.connectionId)).toEqual([1, 2, 2, 1]);
  });

  it('server pings (streamPingMs): an answered ping keeps the socket, an unanswered one ends it without a close frame', async () => {
    await emulator.stop();
    await startEmulator({ streamPingMs: 54_000, streamPongTimeoutMs: 6_000 });
    const answering = await authenticated(emulator, '/v2/iex');
    const silent = await authenticated(emulator, '/v2/sip', { autoPong: false });
    clock.advance(54_000);
    await waitUntil(() => answering.pings === 1 && silent.pings === 1, 'both pings');
    // ws pongs before it emits 'ping', so this ack proves the server has read that pong.
    await subscribe(answering, { trades: ['AAPL'] });
    clock.advance(6_000);
    expect(await silent.closed()).toBe(1006);
    expect(await subscribe(answering, { quotes: ['AAPL'] })).toMatchObject({ T: 'subscription', quotes: ['AAPL'] });
    expect(answering.closeCode).toBeUndefined();
    // Dead by missed pong is an unclean drop: its slot is held.
    expect((await tryAuth('/v2/sip')).reply).toEqual(LIMIT);
  });
});

describe('stop() and reset()', () => {
  it('reset() ends stream sockets and clears logs, faults and held slots', async () => {
    const dropped = await authenticated(emulator, '/v2/iex');
    emulator.streamDropAll();
    await dropped.closed();
    await waitUntil(() => emulator.streamOpenCount() === 0, 'the emulator to see the drop');
    const open = await authenticated(emulator, '/v2/sip');
    emulator.streamSetAuthFailure(true);
    emulator.streamSetSymbolLimit(1);
    emulator.streamSetInsufficientSubscription('/v2/iex');
    emulator.reset();
    expect(await open.closed()).toBe(1006);
    expect(emulator.streamConnections).toEqual([]);
    expect(emulator.streamActions).toEqual([]);
    const again = await authenticated(emulator, '/v2/iex');
    expect(await subscribe(again, { trades: ['AAPL', 'MSFT'] })).toMatchObject({ trades: ['AAPL', 'MSFT'] });
    expect(emulator.streamConnections.map((record) => record.id)).toEqual([1]);
  });

  it('stop() ends every stream socket and the auto-tick', async () => {
    await emulator.stop();
    await startEmulator({ streamTickMs: 1_000 });
    const client = await authenticated(emulator, '/v2/iex');
    await emulator.stop();
    expect(await client.closed()).toBe(1006);
    expect(clock.pending).toBe(0);
  });
});
