import { AppError } from '../../core/errors/app-error.js';
import { CircuitBreaker } from './circuit-breaker.js';

function breaker(opts: Partial<{ failureThreshold: number; failureRatio: number; openMs: number }> = {}) {
  let now = 1_000_000;
  const changes: string[] = [];
  const b = new CircuitBreaker('data', {
    failureThreshold: opts.failureThreshold ?? 3,
    failureRatio: opts.failureRatio ?? 0.5,
    openMs: opts.openMs ?? 1000,
    onChange: (s) => changes.push(s),
    now: () => now,
  });
  return { b, changes, advance: (ms: number) => (now += ms) };
}

function refused(b: CircuitBreaker): AppError | null {
  try {
    b.acquire();
    return null;
  } catch (e: unknown) {
    return e as AppError;
  }
}

describe('CircuitBreaker', () => {
  it('opens after consecutive failures and refuses with CIRCUIT_OPEN and a Retry-After', () => {
    const { b, changes, advance } = breaker();
    for (let i = 0; i < 3; i += 1) {
      b.acquire();
      b.failure();
    }
    expect(changes).toEqual(['open']);
    advance(400);
    const e = refused(b);
    expect(e?.code).toBe('CIRCUIT_OPEN');
    expect(e?.retryAfter).toBe(1);
  });

  it('lets one probe through when half-open: success closes, failure reopens', () => {
    const { b, changes, advance } = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    advance(1000);
    expect(refused(b)).toBeNull(); // the probe
    expect(refused(b)?.code).toBe('CIRCUIT_OPEN'); // only one at a time
    b.failure();
    expect(b.current()).toBe('open');
    advance(1000);
    expect(refused(b)).toBeNull();
    b.success();
    expect(b.current()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('opens on a failure ratio even without a long streak', () => {
    const { b } = breaker({ failureThreshold: 100, failureRatio: 0.5 });
    for (let i = 0; i < 11; i += 1) {
      if (i % 2 === 0) b.failure();
      else b.success();
    }
    expect(b.current()).toBe('open');
  });

  it('ignores neutral outcomes (4xx, 429) and a ratio of 0 turns the ratio rule off', () => {
    const { b } = breaker({ failureThreshold: 100, failureRatio: 0 });
    for (let i = 0; i < 15; i += 1) {
      if (i % 2 === 0) b.failure();
      else b.success();
    }
    b.neutral();
    expect(b.current()).toBe('closed');
  });

  it('reset closes it with no history', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i += 1) b.failure();
    b.reset();
    expect(b.current()).toBe('closed');
    expect(refused(b)).toBeNull();
  });
});
