import { AppError } from '../../../core/errors/app-error.js';
import { LocalBudget, type CallPriority } from './upstream-budget.js';

function budget(capacity: number) {
  let now = 5_000_000;
  return { b: new LocalBudget('data', capacity, () => now), advance: (ms: number) => (now += ms), at: () => now };
}

function spend(b: LocalBudget, priority: CallPriority): number {
  let n = 0;
  for (;;) {
    try {
      b.take(priority);
      n += 1;
    } catch (e: unknown) {
      expect((e as AppError).code).toBe('UPSTREAM_RATE_LIMITED');
      return n;
    }
  }
}

describe('LocalBudget', () => {
  it('allows the per-minute capacity, then refuses with a Retry-After until tokens refill', () => {
    const { b, advance } = budget(60);
    expect(spend(b, 'order')).toBe(60);
    let error: AppError | null = null;
    try {
      b.take('order');
    } catch (e: unknown) {
      error = e as AppError;
    }
    expect(error?.retryAfter).toBe(1);
    expect(error?.details).toMatchObject({ sent: false, priority: 'order' });
    advance(1000); // 60 per minute = one per second
    expect(spend(b, 'order')).toBe(1);
  });

  it('keeps headroom for higher priorities: bulk stops first, then quotes; orders take the rest', () => {
    const { b } = budget(100);
    expect(spend(b, 'bulk')).toBe(75);
    expect(spend(b, 'quote')).toBe(20);
    expect(spend(b, 'order')).toBe(5);
  });

  it('believes Alpaca: a lower X-RateLimit-Remaining lowers the bucket, 0 blocks until the reset', () => {
    const { b, at, advance } = budget(200);
    b.observe(3, null);
    expect(Math.floor(b.tokens())).toBe(3);
    b.observe(0, Math.floor(at() / 1000) + 10);
    expect(() => b.take('order')).toThrow(AppError);
    advance(11_000);
    expect(spend(b, 'order')).toBeGreaterThan(0);
  });
});
