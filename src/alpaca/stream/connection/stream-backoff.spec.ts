import { Backoff } from './stream-backoff.js';
import { CONNECTION_LIMIT_BACKOFF, RECONNECT_BACKOFF } from '../stream-options.js';
import { interruptionForUpgrade, verdictForError } from '../stream-errors.js';

const draws = (backoff: Backoff, n: number): number[] => Array.from({ length: n }, () => backoff.next());

describe('Backoff', () => {
  it('full jitter: the ceiling doubles from 500 ms up to the 30 s cap; the draw scales it', () => {
    expect(draws(new Backoff(RECONNECT_BACKOFF, () => 0.999_999), 9)).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(draws(new Backoff(RECONNECT_BACKOFF, () => 0), 3)).toEqual([0, 0, 0]);
    expect(draws(new Backoff(RECONNECT_BACKOFF, () => 0.5), 3)).toEqual([250, 500, 1_000]);
  });

  it('equal jitter (406): never below half the ceiling, so the first retry waits at least 2.5 s', () => {
    expect(draws(new Backoff(CONNECTION_LIMIT_BACKOFF, () => 0), 5)).toEqual([2_500, 5_000, 10_000, 15_000, 15_000]);
    expect(draws(new Backoff(CONNECTION_LIMIT_BACKOFF, () => 0.999_999), 5)).toEqual([
      5_000, 10_000, 20_000, 30_000, 30_000,
    ]);
  });

  it('reset starts the curve over', () => {
    const backoff = new Backoff(RECONNECT_BACKOFF, () => 0.999_999);
    draws(backoff, 4);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});

describe('what Alpaca error codes and upgrade answers mean', () => {
  it.each([
    [402, 'auth_failed', 'UPSTREAM_AUTHENTICATION_FAILED'],
    [411, 'auth_failed', 'UPSTREAM_AUTHENTICATION_FAILED'],
    [409, 'subscription_required', 'UPSTREAM_SUBSCRIPTION_REQUIRED'],
    [412, 'stream_unavailable', 'UPSTREAM_STREAM_UNAVAILABLE'],
    [408, 'stream_unavailable', 'UPSTREAM_STREAM_UNAVAILABLE'],
  ])('%i is fatal (%s, %s)', (code, reason, fatal) => {
    expect(verdictForError(code, 'm')).toEqual({
      kind: 'interrupt',
      interruption: expect.objectContaining({ reason, fatal }),
    });
  });

  it.each([500, 407, 404, 401, 499])('%i reconnects on the quick curve', (code) => {
    expect(verdictForError(code, 'm')).toEqual({
      kind: 'interrupt',
      interruption: {
        reason: 'upstream_error',
        backoff: 'reconnect',
        clean: true,
        upstreamCode: code,
        upstreamMessage: 'm',
      },
    });
  });

  it('406 reconnects on the slow curve; 400/405/410/413 refuse the change; 403 means authenticated', () => {
    expect(verdictForError(406, 'm')).toMatchObject({
      kind: 'interrupt',
      interruption: { reason: 'connection_limit', backoff: 'connection_limit' },
    });
    for (const code of [400, 405, 410, 413]) expect(verdictForError(code, 'm')).toEqual({ kind: 'refusal' });
    expect(verdictForError(403, 'm')).toEqual({ kind: 'already_authenticated' });
  });

  it('upgrade: 429 slow retry with Retry-After, 5xx quick retry, other answers fatal', () => {
    expect(interruptionForUpgrade(429, 7_000)).toMatchObject({
      reason: 'upgrade_rate_limited',
      backoff: 'connection_limit',
      retryAfterMs: 7_000,
    });
    expect(interruptionForUpgrade(503, undefined)).toMatchObject({
      reason: 'upgrade_server_error',
      backoff: 'reconnect',
    });
    expect(interruptionForUpgrade(503, undefined).fatal).toBeUndefined();
    expect(interruptionForUpgrade(404, undefined)).toMatchObject({
      reason: 'stream_unavailable',
      fatal: 'UPSTREAM_STREAM_UNAVAILABLE',
    });
  });
});
