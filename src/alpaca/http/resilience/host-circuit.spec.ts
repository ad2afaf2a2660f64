import { jest } from '@jest/globals';
import { AppError } from '../../../core/errors/app-error.js';
import { UpstreamError } from '../upstream.error.js';
import { HostCircuit } from './host-circuit.js';

const hostDown = (): UpstreamError =>
  new UpstreamError({ code: 'UPSTREAM_API_UNAVAILABLE', api: 'data', endpoint: '/v2/x', upstreamStatus: 503 });
const refused = (status: number): UpstreamError =>
  new UpstreamError({ code: 'INVALID_PARAMETER', api: 'data', endpoint: '/v2/x', upstreamStatus: status });

function circuit(opts: Partial<{ failureThreshold: number; failureRatio: number; openMs: number }> = {}) {
  const changes: string[] = [];
  const c = new HostCircuit('data', {
    failureThreshold: opts.failureThreshold ?? 3,
    failureRatio: opts.failureRatio ?? 0.5,
    openMs: opts.openMs ?? 1000,
    onChange: (s) => changes.push(s),
  });
  return { c, changes };
}

/** A call held open until the test answers it: a probe in flight. */
function held(): { call: () => Promise<string>; answer: (result: 'ok' | UpstreamError) => void } {
  let settle: (result: 'ok' | UpstreamError) => void = () => undefined;
  const pending = new Promise<string>((resolve, reject) => {
    settle = (result) => (result === 'ok' ? resolve('ok') : reject(result));
  });
  return { call: () => pending, answer: (result) => settle(result) };
}

/**
 * A few microtask turns: enough for a call refused without any I/O to settle. A call that waits
 * for a held probe cannot settle in them, however many there are, until the probe is answered.
 */
async function turns(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

async function outcome(c: HostCircuit, result: 'ok' | UpstreamError): Promise<string> {
  try {
    await c.execute(() => (result === 'ok' ? Promise.resolve('ok') : Promise.reject(result)));
    return 'ok';
  } catch (e: unknown) {
    return e instanceof AppError || e instanceof UpstreamError ? e.code : String(e);
  }
}

describe('HostCircuit (cockatiel circuit breaker)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('opens after consecutive host failures and refuses with CIRCUIT_OPEN and a Retry-After, before any call', async () => {
    const { c, changes } = circuit();
    for (let i = 0; i < 3; i += 1) expect(await outcome(c, hostDown())).toBe('UPSTREAM_API_UNAVAILABLE');
    expect(changes).toEqual(['open']);
    jest.advanceTimersByTime(400);
    let thrown: unknown;
    try {
      c.assertClosed();
    } catch (e: unknown) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('CIRCUIT_OPEN');
    expect((thrown as AppError).retryAfter).toBe(1);
    expect((thrown as AppError).details).toEqual({ upstream: 'data', state: 'open' });
    const call = jest.fn(() => Promise.resolve('sent'));
    await expect(c.execute(call)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(call).not.toHaveBeenCalled();
  });

  it('after the pause it reads as half-open (readiness), one probe goes: failure reopens, success closes', async () => {
    const { c, changes } = circuit();
    for (let i = 0; i < 3; i += 1) await outcome(c, hostDown());
    expect(c.current()).toBe('open');
    jest.advanceTimersByTime(1000);
    expect(c.current()).toBe('half_open');
    expect(() => c.assertClosed()).not.toThrow();
    expect(await outcome(c, hostDown())).toBe('UPSTREAM_API_UNAVAILABLE');
    expect(c.current()).toBe('open');
    jest.advanceTimersByTime(1000);
    expect(await outcome(c, 'ok')).toBe('ok');
    expect(c.current()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('opens on a failure ratio even without a long streak (half of the recent calls, once there are 10)', async () => {
    const { c } = circuit({ failureThreshold: 100, failureRatio: 0.5 });
    for (let i = 0; i < 9; i += 1) await outcome(c, i % 2 === 0 ? hostDown() : 'ok');
    expect(c.current()).toBe('closed');
    await outcome(c, 'ok');
    await outcome(c, hostDown());
    expect(c.current()).toBe('open');
  });

  it('4xx and 429 answers count neither way, and a ratio of 0 turns the ratio rule off', async () => {
    const { c } = circuit({ failureThreshold: 2, failureRatio: 0 });
    await outcome(c, hostDown());
    for (const status of [400, 404, 422, 429]) expect(await outcome(c, refused(status))).toBe('INVALID_PARAMETER');
    expect(c.current()).toBe('closed');
    for (let i = 0; i < 15; i += 1) await outcome(c, 'ok');
    await outcome(c, hostDown());
    expect(c.current()).toBe('closed');
    await outcome(c, hostDown());
    expect(c.current()).toBe('open');
  });

  it('while the half-open probe is in flight, other calls are refused at once with CIRCUIT_OPEN and a Retry-After, and never sent', async () => {
    const { c, changes } = circuit({ openMs: 3000 });
    for (let i = 0; i < 3; i += 1) await outcome(c, hostDown());
    jest.advanceTimersByTime(3000);
    const probe = held();
    const probing = c.execute(probe.call);
    expect(c.current()).toBe('half_open');

    // Checked before budget is spent, as for an open circuit.
    let thrown: unknown;
    try {
      c.assertClosed();
    } catch (e: unknown) {
      thrown = e;
    }
    expect(thrown).toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfter: 3,
      details: { upstream: 'data', state: 'half_open' },
    });

    const other = jest.fn(() => Promise.resolve('sent'));
    let refusal: unknown = null;
    const second = c.execute(other).catch((e: unknown) => {
      refusal = e;
    });
    await turns();
    // Refused before the probe has an answer: it did not queue behind it.
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfter: 3,
      details: { upstream: 'data', state: 'half_open' },
    });

    probe.answer('ok');
    await expect(probing).resolves.toBe('ok');
    await second;
    expect(other).not.toHaveBeenCalled();
    expect(c.current()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
  });

  it('a 4xx answer to the half-open probe leaves the circuit half-open: the next call is the probe again', async () => {
    const { c, changes } = circuit();
    for (let i = 0; i < 3; i += 1) await outcome(c, hostDown());
    jest.advanceTimersByTime(1000);
    expect(await outcome(c, refused(404))).toBe('INVALID_PARAMETER');
    expect(c.current()).toBe('half_open');
    expect(() => c.assertClosed()).not.toThrow();
    expect(changes).toEqual(['open', 'half_open']);

    // The next call probes: one host failure reopens at once (a closed circuit would need 3)...
    expect(await outcome(c, hostDown())).toBe('UPSTREAM_API_UNAVAILABLE');
    expect(c.current()).toBe('open');
    expect(changes).toEqual(['open', 'half_open', 'open']);

    // ...and a success closes with a clean history: the 4xx probe left no failure behind.
    jest.advanceTimersByTime(1000);
    expect(await outcome(c, refused(429))).toBe('INVALID_PARAMETER');
    expect(await outcome(c, 'ok')).toBe('ok');
    expect(c.current()).toBe('closed');
    for (let i = 0; i < 2; i += 1) await outcome(c, hostDown());
    expect(c.current()).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });
});
