import { UpstreamError } from '../upstream.error.js';
import { isRetryable, ReadPolicy, type ReadAttempt } from './read-policy.js';

const failure = (
  status: number | null,
  retryAfter: number | null = null,
  code: UpstreamError['code'] = 'UPSTREAM_API_UNAVAILABLE',
): UpstreamError => new UpstreamError({ code, api: 'data', endpoint: '/v2/x', upstreamStatus: status, retryAfter });

/** Fails with the given errors in turn, then answers; records what each attempt was given. */
function script(errors: UpstreamError[]): { run: (a: ReadAttempt) => Promise<string>; seen: ReadAttempt[] } {
  const seen: ReadAttempt[] = [];
  return {
    seen,
    run: (a) => {
      seen.push(a);
      const e = errors[seen.length - 1];
      return e === undefined ? Promise.resolve('ok') : Promise.reject(e);
    },
  };
}

describe('ReadPolicy (cockatiel retry + deadline)', () => {
  it('retries network errors, 5xx and 429 up to the attempt limit, numbering the attempts', async () => {
    const retries: number[] = [];
    const policy = new ReadPolicy({ maxAttempts: 3, deadlineMs: 5000 });
    const s = script([failure(503), failure(null)]);
    await expect(policy.execute(s.run, (r) => retries.push(r.attempt))).resolves.toBe('ok');
    expect(s.seen.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
    const exhausted = script([failure(500), failure(502), failure(504), failure(500)]);
    await expect(policy.execute(exhausted.run)).rejects.toMatchObject({ upstreamStatus: 504 });
    expect(exhausted.seen).toHaveLength(3);
  });

  it('never retries a final answer: 4xx, an unreadable body, or anything not from Alpaca', async () => {
    const policy = new ReadPolicy({ maxAttempts: 3, deadlineMs: 5000 });
    for (const e of [failure(400), failure(404), failure(422), failure(200, null, 'UPSTREAM_INVALID_RESPONSE')]) {
      const s = script([e]);
      await expect(policy.execute(s.run)).rejects.toBe(e);
      expect(s.seen).toHaveLength(1);
    }
    expect(isRetryable(new Error('bug'))).toBe(false);
  });

  it("does not retry when the wait (Alpaca's Retry-After) would end past the deadline: the real error comes at once", async () => {
    const policy = new ReadPolicy({ maxAttempts: 3, deadlineMs: 800 });
    const limited = failure(429, 20, 'UPSTREAM_RATE_LIMITED');
    const s = script([limited]);
    await expect(policy.execute(s.run)).rejects.toBe(limited);
    expect(s.seen).toHaveLength(1);
  });

  it('gives each attempt the time left before the deadline, and aborts the one in flight when the deadline passes', async () => {
    const policy = new ReadPolicy({ maxAttempts: 1, deadlineMs: 1000 });
    const s = script([]);
    await policy.execute(s.run);
    expect(s.seen[0]?.leftMs).toBeGreaterThan(0);
    expect(s.seen[0]?.leftMs).toBeLessThanOrEqual(1000);

    const short = new ReadPolicy({ maxAttempts: 3, deadlineMs: 100 });
    const hung = short.execute(
      ({ signal }) =>
        new Promise<string>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(failure(null, null, 'UPSTREAM_TIMEOUT'))),
        ),
    );
    await expect(hung).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });
});
