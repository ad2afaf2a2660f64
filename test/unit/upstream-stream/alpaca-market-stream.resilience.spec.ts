import {
  CLOSE_GRACE_MS,
  FAILED_RETRY_MS,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  STEP_TIMEOUT_MS,
} from '../../../src/alpaca/stream/stream-options.js';
import { stockAck, StreamRig, START, want } from './stream-rig.js';

const HOLD_MS = 90_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const quote = (bp: number) => ({
  T: 'q',
  S: 'AAPL',
  bx: 'K',
  bp,
  bs: 2,
  ax: 'Q',
  ap: bp + 0.1,
  as: 1,
  c: ['R'],
  z: 'C',
  t: '2024-03-08T16:41:24.727000001Z',
});

let rig: StreamRig;
afterEach(async () => {
  // At no moment did the emulator see two sockets of one endpoint open.
  expect(rig.maxOpen).toBeLessThanOrEqual(1);
  await rig.stop();
});

/** Live on stocks with AAPL/MSFT quotes and AAPL trades, a data frame read 1 s after START, then 1 s of quiet. */
async function liveWithData(rigPromise: Promise<StreamRig>): Promise<StreamRig> {
  rig = await rigPromise;
  rig.open(want({ quotes: ['MSFT', 'AAPL'], trades: ['AAPL'] }));
  await rig.untilStatus('live');
  rig.clock.advance(1_000);
  rig.emulator.streamPublish('/v2/iex', quote(1.5));
  await rig.until('the data frame', () => rig.listener.batches.length === 1);
  rig.clock.advance(1_000);
  return rig;
}

const WHOLE_SET = { action: 'subscribe', quotes: ['AAPL', 'MSFT'], trades: ['AAPL'] };

describe('AlpacaMarketStreamAdapter: interruptions', () => {
  it('drop → reconnecting → live again with the gap, the whole set resubscribed on the new socket', async () => {
    await liveWithData(StreamRig.start('stocks', { streamSlotHoldMs: 0 }));
    expect(rig.emulator.streamDropAll()).toBe(1);
    const reconnecting = await rig.untilStatus('reconnecting');
    expect(reconnecting.problem).toMatchObject({
      code: 'UPSTREAM_STREAM_UNAVAILABLE',
      details: { reason: 'connection_lost' },
    });
    expect(rig.stream.acknowledged()).toEqual(stockAck({ quotes: [], trades: [], bars: [] }));
    const retry = await rig.runRetry(1);
    expect(retry.reason).toBe('connection_lost');
    const live = await rig.untilStatus('live', 2);
    expect(live.gap).toEqual({
      from: iso(START + 1_000),
      to: iso(START + 2_000 + retry.delayMs),
      reason: 'connection_lost',
    });
    expect(rig.actions(2)).toEqual([expect.objectContaining({ action: 'auth' }), WHOLE_SET]);
    expect(rig.emulator.streamOpenConnections('/v2/iex')).toEqual([
      expect.objectContaining({
        id: 2,
        subscription: expect.objectContaining({ quotes: ['AAPL', 'MSFT'], trades: ['AAPL'] }),
      }),
    ]);
    rig.emulator.streamPublish('/v2/iex', quote(1.6));
    await rig.until('data after the reconnect', () => rig.listener.batches.length === 2);
    expect(rig.listener.statuses.map((event) => event.status)).toEqual(['live', 'reconnecting', 'live']);
  });

  it('drop, then 406 while reconnecting: waits on the slow curve, retries, never two sockets', async () => {
    await liveWithData(StreamRig.start('stocks', { streamSlotHoldMs: 0 }));
    rig.emulator.streamForceConnectionLimit(2);
    rig.emulator.streamDropAll();
    const retries = [await rig.runRetry(1), await rig.runRetry(2), await rig.runRetry(3)];
    await rig.untilStatus('live', 2);
    expect(retries.map((retry) => retry.reason)).toEqual(['connection_lost', 'connection_limit', 'connection_limit']);
    // The 406 waits are seconds, not the sub-second reconnect steps, and they grow.
    expect(retries[1].delayMs).toBeGreaterThanOrEqual(2_500);
    expect(retries[2].delayMs).toBeGreaterThan(retries[1].delayMs);
    // The refused sockets were closed by the client with a close frame, each before the next opened.
    expect(rig.emulator.streamConnections.map((record) => [record.authenticated, record.closeCode])).toEqual([
      [true, 1006],
      [false, 1000],
      [false, 1000],
      [true, undefined],
    ]);
    expect(rig.actions(4)).toEqual([expect.objectContaining({ action: 'auth' }), WHOLE_SET]);
    expect(rig.listener.statuses.map((event) => event.status)).toEqual(['live', 'reconnecting', 'live']);
  });

  it('the slot Alpaca holds after an unclean drop is waited out (406 until the hold ends)', async () => {
    await liveWithData(StreamRig.start('stocks'));
    rig.emulator.streamDropAll();
    await rig.runRetry(1);
    await rig.runRetry(2);
    await rig.until('the third wait', () => rig.observer.retries.length === 3);
    expect(rig.observer.retries.map((retry) => retry.reason)).toEqual([
      'connection_lost',
      'connection_limit',
      'connection_limit',
    ]);
    rig.emulatorClock.advance(HOLD_MS);
    await rig.runRetry(3);
    const live = await rig.untilStatus('live', 2);
    expect(live.gap?.reason).toBe('connection_lost');
    expect(rig.emulator.streamOpenConnections('/v2/iex')).toEqual([
      expect.objectContaining({ id: 4, authenticated: true }),
    ]);
  });

  it('a silent stall is caught by the keep-alive (ping, no pong) and the stream reconnects', async () => {
    await liveWithData(StreamRig.start('stocks', { streamSlotHoldMs: 0 }));
    // A ping answered in time keeps the socket.
    rig.clock.advance(PING_INTERVAL_MS);
    await rig.until('the pong', () => rig.observer.pongs.length === 1);
    rig.clock.advance(PONG_TIMEOUT_MS);
    expect(rig.stream.status()).toBe('live');

    expect(rig.emulator.streamStall('/v2/iex')).toBe(1);
    rig.clock.advance(PING_INTERVAL_MS - PONG_TIMEOUT_MS);
    rig.clock.advance(PONG_TIMEOUT_MS);
    await rig.untilStatus('reconnecting');
    expect(rig.observer.pongs).toHaveLength(1);
    const retry = await rig.runRetry(1);
    expect(retry.reason).toBe('keepalive_timeout');
    const live = await rig.untilStatus('live', 2);
    expect(live.gap).toMatchObject({ from: iso(START + 1_000), reason: 'keepalive_timeout' });
    expect(rig.actions(2)).toEqual([expect.objectContaining({ action: 'auth' }), WHOLE_SET]);
  });

  it('auth never answered → the step timeout ends the socket and the stream reconnects', async () => {
    rig = await StreamRig.start('stocks');
    // The emulator greets but reads nothing, so the auth frame is never answered.
    rig.emulator.streamPauseReading(true, '/v2/iex');
    rig.open(want({ quotes: ['AAPL'] }));
    await rig.until('the greeting', () => rig.observer.frames.length === 1);
    rig.clock.advance(STEP_TIMEOUT_MS - 1);
    expect(rig.stream.status()).toBe('connecting');
    rig.clock.advance(1);
    expect(rig.stream.status()).toBe('reconnecting');
    // Nothing echoes the close frame either: the grace cuts the connection.
    rig.clock.advance(CLOSE_GRACE_MS);
    rig.emulator.streamPauseReading(false, '/v2/iex');
    expect((await rig.runRetry(1)).reason).toBe('handshake_timeout');
    const live = await rig.untilStatus('live');
    expect(live.gap).toBeUndefined();
    expect(rig.actions(2)).toEqual([
      expect.objectContaining({ action: 'auth' }),
      { action: 'subscribe', quotes: ['AAPL'] },
    ]);
  });

  it('HTTP 429 at the upgrade → reconnecting on the slow curve, then live', async () => {
    rig = await StreamRig.start('stocks');
    rig.emulator.streamRefuseUpgrades(429, 1);
    rig.open(want({ quotes: ['AAPL'] }));
    const reconnecting = await rig.untilStatus('reconnecting');
    expect(reconnecting.problem?.details).toMatchObject({ reason: 'upgrade_rate_limited', upstream_code: 429 });
    const retry = await rig.runRetry(1);
    expect(retry.delayMs).toBeGreaterThanOrEqual(2_500);
    const live = await rig.untilStatus('live');
    expect(live.gap).toBeUndefined();
  });
});

describe('AlpacaMarketStreamAdapter: refusals retrying cannot fix', () => {
  it('402 → failed with UPSTREAM_AUTHENTICATION_FAILED, no reconnect loop, one quiet retry after the long delay', async () => {
    rig = await StreamRig.start('stocks');
    rig.emulator.streamSetAuthFailure(true);
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    const failed = await rig.untilStatus('failed');
    expect(failed.problem).toEqual({
      code: 'UPSTREAM_AUTHENTICATION_FAILED',
      message: expect.any(String),
      details: {
        reason: 'auth_failed',
        upstream_code: 402,
        upstream_message: 'auth failed',
        retry_in_ms: FAILED_RETRY_MS,
      },
    });
    await rig.until('the refused socket to be closed', () => rig.emulator.streamOpenCount('/v2/iex') === 0);
    expect(rig.observer.retries).toEqual([{ reason: 'auth_failed', delayMs: FAILED_RETRY_MS, attempt: 1 }]);
    rig.clock.advance(FAILED_RETRY_MS - 1);
    expect(rig.observer.attempts).toEqual([1]);

    // The operator fixes the keys; the next quiet attempt goes live without a restart.
    rig.emulator.streamSetAuthFailure(false);
    rig.clock.advance(1);
    await rig.untilStatus('live');
    expect(rig.listener.statuses.map((event) => event.status)).toEqual(['failed', 'live']);
    expect(stream.acknowledged().quotes).toEqual(new Set(['AAPL']));
    expect(rig.emulator.streamConnections).toHaveLength(2);
  });

  it('409 → failed with UPSTREAM_SUBSCRIPTION_REQUIRED; a failing quiet retry stays failed without a new status', async () => {
    rig = await StreamRig.start('stocks');
    rig.emulator.streamSetInsufficientSubscription('/v2/iex');
    rig.open(want({ quotes: ['AAPL'] }));
    const failed = await rig.untilStatus('failed');
    expect(failed.problem).toMatchObject({ code: 'UPSTREAM_SUBSCRIPTION_REQUIRED', details: { upstream_code: 409 } });
    await rig.runRetry(1);
    await rig.until('the second refusal', () => rig.observer.retries.length === 2);
    expect(rig.observer.retries.map((retry) => [retry.reason, retry.delayMs])).toEqual([
      ['subscription_required', FAILED_RETRY_MS],
      ['subscription_required', FAILED_RETRY_MS],
    ]);
    expect(rig.listener.statuses.map((event) => event.status)).toEqual(['failed']);
    expect(rig.emulator.streamConnections).toHaveLength(2);
  });

  it('an HTTP 4xx other than 429 at the upgrade (403) → failed with UPSTREAM_STREAM_UNAVAILABLE', async () => {
    rig = await StreamRig.start('stocks');
    rig.emulator.streamRefuseUpgrades(403, 1);
    rig.open();
    const failed = await rig.untilStatus('failed');
    expect(failed.problem).toMatchObject({
      code: 'UPSTREAM_STREAM_UNAVAILABLE',
      details: { reason: 'stream_unavailable', upstream_code: 403 },
    });
    expect(rig.observer.retries).toEqual([{ reason: 'stream_unavailable', delayMs: FAILED_RETRY_MS, attempt: 1 }]);
  });
});

describe('AlpacaMarketStreamAdapter: close during trouble', () => {
  it('close() while waiting to reconnect cancels the retry and reports closed', async () => {
    await liveWithData(StreamRig.start('stocks', { streamSlotHoldMs: 0 }));
    rig.emulator.streamDropAll();
    await rig.until('the retry to be scheduled', () => rig.observer.retries.length === 1);
    await rig.stream.close();
    rig.clock.advance(60_000);
    expect(rig.observer.attempts).toEqual([1]);
    expect(rig.listener.statuses.map((event) => event.status)).toEqual(['live', 'reconnecting', 'closed']);
  });

  it('close() on a socket that never echoes the close frame still resolves after the grace', async () => {
    await liveWithData(StreamRig.start('stocks'));
    rig.emulator.streamPauseReading(true, '/v2/iex');
    const closing = rig.stream.close();
    rig.clock.advance(CLOSE_GRACE_MS);
    await closing;
    expect(rig.stream.status()).toBe('closed');
    expect(rig.observer.retries).toEqual([]);
  });
});
