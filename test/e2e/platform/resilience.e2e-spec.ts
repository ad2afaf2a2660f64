import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import { startGateway, expectCatalogError, type Gateway } from '../support/harness.js';

const QUOTES = '/v2/stocks/quotes/latest';

/** The data host's circuit as readiness reports it (an open circuit is a failed check, with no state). */
async function dataCircuit(gw: Gateway): Promise<string> {
  const res = await gw.anon().get('/api/v1/health/ready');
  const details = (res.body as { data: { details: Record<string, { state?: string }> } }).data.details;
  return details['circuit_data']?.state ?? 'open';
}

/** Polls an async condition with a deadline (no blind sleeps). */
async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('circuit breaker per upstream host', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      CIRCUIT_FAILURE_THRESHOLD: '5',
      CIRCUIT_FAILURE_RATIO_PERCENT: '50',
      CIRCUIT_OPEN_MS: '1500',
      ALPACA_REQUEST_DEADLINE_MS: '1000',
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('opens when the data host fails every call, answers CIRCUIT_OPEN without calling Alpaca, and recovers by itself', async () => {
    gw.emulator.injectFault({ host: 'data', kind: 'status', status: 503 });
    for (let i = 0; i < 3; i += 1) await gw.http().get('/api/v1/stocks/AAPL/quote');
    const callsWhenOpen = gw.emulator.requests.filter((r) => r.host === 'data').length;

    const res = await gw.http().get('/api/v1/stocks/MSFT/quote');
    const error = expectCatalogError(res, 503, 'CIRCUIT_OPEN');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(error['details']).toMatchObject({ upstream: 'data', state: 'open' });
    expect(gw.emulator.requests.filter((r) => r.host === 'data')).toHaveLength(callsWhenOpen);
    // The trading host has its own breaker: still closed.
    await gw.http().get('/api/v1/market/clock').expect(200);
    const ready = await gw.anon().get('/api/v1/health/ready');
    expect(ready.status).toBe(503);

    // Alpaca comes back: after the open period one probe goes through and closes the circuit.
    gw.emulator.clearFaults();
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await gw.http().get('/api/v1/stocks/AAPL/quote')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    await gw.anon().get('/api/v1/health/ready').expect(200);
    expect(gw.logs.some((l) => l['message'] === 'circuit_state' && l['state'] === 'open')).toBe(true);
    expect(gw.logs.some((l) => l['message'] === 'circuit_state' && l['state'] === 'closed')).toBe(true);
  });
});

describe('the half-open probe', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // Two failed reads open the data circuit (one attempt each), for 300 ms.
    gw = await startGateway({
      CIRCUIT_FAILURE_THRESHOLD: '2',
      CIRCUIT_FAILURE_RATIO_PERCENT: '0',
      CIRCUIT_OPEN_MS: '300',
      ALPACA_RETRY_MAX_ATTEMPTS: '1',
      ALPACA_REQUEST_DEADLINE_MS: '5000',
    });
  });
  afterEach(async () => {
    await gw.reset();
  });
  afterAll(async () => {
    await gw.close();
  });

  /** Opens the data circuit with two 503s, then waits out its pause: the next read is the probe. */
  async function openThenWaitForProbe(): Promise<void> {
    gw.emulator.injectFault({ host: 'data', kind: 'status', status: 503, times: 2 });
    const logsBefore = gw.logs.length;
    for (const symbol of ['AAPL', 'MSFT'])
      expectCatalogError(await gw.http().get(`/api/v1/stocks/${symbol}/quote`), 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(
      gw.logs
        .slice(logsBefore)
        .some((l) => l['message'] === 'circuit_state' && l['upstream'] === 'data' && l['state'] === 'open'),
    ).toBe(true);
    await until('the data circuit half-open', async () => (await dataCircuit(gw)) === 'half_open');
  }

  it('while the probe is in flight, other reads get CIRCUIT_OPEN with Retry-After at once instead of queueing behind it; Alpaca sees only the probe', async () => {
    await openThenWaitForProbe();
    // The probe succeeds, but only after Alpaca has kept it a while.
    gw.emulator.injectFault({ host: 'data', path: QUOTES, kind: 'delay', ms: 1500, times: 1 });
    const sentBefore = gw.emulator.requestsTo(QUOTES).length;
    let probeAnswered = false;
    const probe = gw
      .http()
      .get('/api/v1/stocks/AAPL/quote')
      .then((res) => {
        probeAnswered = true;
        return res;
      });
    await until('the probe at the emulator', () => gw.emulator.requestsTo(QUOTES).length === sentBefore + 1);

    const refused = await gw.http().get('/api/v1/stocks/MSFT/quote');
    expect(probeAnswered).toBe(false);
    const error = expectCatalogError(refused, 503, 'CIRCUIT_OPEN');
    expect(refused.headers['retry-after']).toBe('1');
    expect(error['details']).toEqual({ upstream: 'data', state: 'half_open' });
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(sentBefore + 1);

    expect((await probe).status).toBe(200);
    expect(await dataCircuit(gw)).toBe('closed');
    await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
  });

  it('a probe answered with a 4xx leaves the circuit half-open (the host answered, but said nothing of its health): the next read probes again', async () => {
    const logsBefore = gw.logs.length;
    await openThenWaitForProbe();
    gw.emulator.injectFault({
      host: 'data',
      path: QUOTES,
      kind: 'status',
      status: 403,
      body: { message: 'subscription does not permit querying recent SIP data' },
      times: 1,
    });
    const sentBefore = gw.emulator.requestsTo(QUOTES).length;
    expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 403, 'UPSTREAM_SUBSCRIPTION_REQUIRED');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(sentBefore + 1);
    expect(await dataCircuit(gw)).toBe('half_open');
    const changes = gw.logs
      .slice(logsBefore)
      .filter((l) => l['message'] === 'circuit_state' && l['upstream'] === 'data');
    expect(changes.map((l) => l['state'])).toEqual(['open', 'half_open']);

    // The next read is the probe: Alpaca answers it, and the circuit closes.
    await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(sentBefore + 2);
    expect(await dataCircuit(gw)).toBe('closed');
  });
});

describe('upstream budget', () => {
  it('refuses before Alpaca would, keeping headroom for quotes over bars', async () => {
    const gw = await startGateway({ ALPACA_DATA_RATE_LIMIT_PER_MIN: '20' });
    try {
      const bars: number[] = [];
      for (let i = 0; i < 20; i += 1)
        bars.push(
          (
            await gw
              .http()
              .get('/api/v1/stocks/AAPL/bars')
              .query({ timeframe: '1Day', limit: String(i + 1) })
          ).status,
        );
      // Bars (low priority) stop while a quarter of the bucket is left.
      expect(bars.filter((s) => s === 200)).toHaveLength(15);
      const refused = await gw.http().get('/api/v1/stocks/AAPL/bars').query({ timeframe: '1Day', limit: '99' });
      const error = expectCatalogError(refused, 503, 'UPSTREAM_RATE_LIMITED');
      expect(error['details']).toMatchObject({ upstream: 'data', priority: 'bulk', sent: false });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Quotes still go through on the headroom.
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(gw.emulator.requestsTo('/v2/stocks/bars')).toHaveLength(15);
    } finally {
      await gw.close();
    }
  });

  it("a configured budget above Alpaca's reported limit is reconciled down to it, with a warning, instead of refusing everything", async () => {
    // 6000 a minute configured; Alpaca (the emulator) says 200 a minute and counts down from there.
    const gw = await startGateway({ ALPACA_DATA_RATE_LIMIT_PER_MIN: '6000' }, { rateLimitPerMinute: 200 });
    try {
      for (const s of ['AAPL', 'MSFT', 'TSLA', 'AMZN', 'NVDA', 'META', 'GOOG', 'AMD', 'INTC', 'IBM']) {
        gw.emulator.fixtures.stockQuotes[s] ??= { ...gw.emulator.fixtures.stockQuotes['AAPL'] };
        await gw.http().get(`/api/v1/stocks/${s}/quote`).expect(200);
      }
      const reconciled = gw.logs.filter(
        (l) => l['message'] === 'upstream_budget_reconciled' && l['upstream'] === 'data',
      );
      expect(reconciled).toEqual([
        expect.objectContaining({
          upstream: 'data',
          configured_per_minute: 6000,
          alpaca_limit_per_minute: 200,
          using_per_minute: 200,
        }),
      ]);
    } finally {
      await gw.close();
    }
  });

  it("the 503 says which budget is empty: Alpaca's window or the gateway's bucket", async () => {
    const gw = await startGateway({ ALPACA_DATA_RATE_LIMIT_PER_MIN: '20' });
    try {
      gw.emulator.injectFault({ ...rateLimitFault({ path: QUOTES, resetInSeconds: 20, times: 1 }) });
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(503);
      const alpaca = expectCatalogError(await gw.http().get('/api/v1/stocks/AAPL/quote'), 503, 'UPSTREAM_RATE_LIMITED');
      expect(alpaca['details']).toMatchObject({ upstream: 'data', budget: 'alpaca_window', sent: false });
      expect(alpaca['message']).toMatch(/X-RateLimit-Remaining 0/);
    } finally {
      await gw.close();
    }
    const small = await startGateway({ ALPACA_DATA_RATE_LIMIT_PER_MIN: '4' });
    try {
      let refused;
      for (let i = 0; i < 6 && refused === undefined; i += 1) {
        const res = await small
          .http()
          .get('/api/v1/stocks/AAPL/bars')
          .query({ timeframe: '1Day', limit: String(i + 1) });
        if (res.status === 503) refused = res;
      }
      const gateway = expectCatalogError(refused as NonNullable<typeof refused>, 503, 'UPSTREAM_RATE_LIMITED');
      expect(gateway['details']).toMatchObject({ budget: 'gateway_bucket', budget_per_minute: 4, priority: 'bulk' });
      expect(gateway['message']).toMatch(/budget \(4 calls a minute\) is spent/);
    } finally {
      await small.close();
    }
  });

  it('a 429 storm: the gateway stops calling until the reset and refuses at once, without waiting for the window', async () => {
    const gw = await startGateway({ ALPACA_REQUEST_DEADLINE_MS: '800' });
    try {
      gw.emulator.injectFault({ ...rateLimitFault({ path: QUOTES, resetInSeconds: 20 }) });
      const statuses: number[] = [];
      const details: unknown[] = [];
      for (let i = 0; i < 20; i += 1) {
        const res = await gw.http().get(`/api/v1/stocks/AAPL/quote`);
        statuses.push(res.status);
        details.push(res.body.error.details);
        expect(res.body.error.code).toBe('UPSTREAM_RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(15);
      }
      // After the one 429, every answer is the gateway's own refusal, made before any call:
      // Alpaca's window (20 s) outlasts the deadline (800 ms), so nobody is made to wait for it.
      for (const d of details.slice(1)) expect(d).toMatchObject({ sent: false, budget: 'alpaca_window' });
      // One 429 taught the gateway the window is spent: it did not keep knocking.
      expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1);
      expect(statuses.every((s) => s === 503)).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
