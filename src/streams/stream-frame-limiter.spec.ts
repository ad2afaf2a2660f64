import { validateConfig } from '../core/config/validate-config.js';
import type { Principal } from '../core/identity/principal.js';
import { Clock } from '../core/time/clock.js';
import { StreamFrameLimiter } from './stream-frame-limiter.js';
import { StreamSession, type StreamSink } from './hub/stream-session.js';

class ManualClock extends Clock {
  at = 1_000_000;
  now(): number {
    return this.at;
  }
}

const sink: StreamSink = { transport: 'ws', send: (_m, written) => written(), close: () => undefined };
const session = (): StreamSession =>
  new StreamSession(
    sink,
    '127.0.0.1',
    { messages: 10, bytes: 10_000, slowCloseMs: 1000 },
    () => 0,
    () => undefined,
  );
const principal = (sub: string): Principal => ({ kind: 'jwt', sub, roles: ['viewer'], keyId: null, ip: '127.0.0.1' });

describe('StreamFrameLimiter', () => {
  const config = validateConfig({
    APCA_API_KEY_ID: 'PKTESTKEYID0123456789',
    APCA_API_SECRET_KEY: 'sk-test-secret-abcdefghijklmnopqrstuvwxyz',
    JWT_SECRET: 'jwt-test-secret-0123456789-abcdefghijklmnop',
    STREAM_CLIENT_FRAMES_PER_SECOND: '5',
  });

  it('a burst of twice the rate, then refusals; the 11th refusal without a pause closes', () => {
    const clock = new ManualClock();
    const limiter = new StreamFrameLimiter(config, clock);
    const s = session();
    const verdicts = Array.from({ length: 21 }, () => limiter.take(s, principal('a')));
    expect(verdicts.slice(0, 10)).toEqual(Array(10).fill('accept'));
    expect(verdicts.slice(10, 20)).toEqual(Array(10).fill('refuse'));
    expect(verdicts[20]).toBe('close');
    expect(limiter.refusal().details).toMatchObject({ reason: 'stream_frames', limit_per_second: 5, burst: 10 });
  });

  it('one bucket per principal over all its connections; it refills at the rate', () => {
    const clock = new ManualClock();
    const limiter = new StreamFrameLimiter(config, clock);
    const [one, two] = [session(), session()];
    for (let i = 0; i < 5; i += 1) expect(limiter.take(one, principal('a'))).toBe('accept');
    for (let i = 0; i < 5; i += 1) expect(limiter.take(two, principal('a'))).toBe('accept');
    expect(limiter.take(two, principal('a'))).toBe('refuse');
    expect(limiter.take(two, principal('b'))).toBe('accept');
    clock.at += 400;
    expect([
      limiter.take(one, principal('a')),
      limiter.take(one, principal('a')),
      limiter.take(one, principal('a')),
    ]).toEqual(['accept', 'accept', 'refuse']);
  });

  it('refusals after a second without one start counting again', () => {
    const clock = new ManualClock();
    const limiter = new StreamFrameLimiter(config, clock);
    const s = session();
    for (let i = 0; i < 10; i += 1) limiter.take(s, principal('a'));
    for (let i = 0; i < 10; i += 1) expect(limiter.take(s, principal('a'))).toBe('refuse');
    clock.at += 1000;
    // Refilled by 5 in that second: accepted again, and the refusal count starts over.
    for (let i = 0; i < 5; i += 1) expect(limiter.take(s, principal('a'))).toBe('accept');
    for (let i = 0; i < 10; i += 1) expect(limiter.take(s, principal('a'))).toBe('refuse');
    expect(limiter.take(s, principal('a'))).toBe('close');
  });
});
