import { ReadinessRegistry } from '../../../src/core/readiness/readiness.registry.js';
import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import { startGateway, type Gateway } from '../support/harness.js';

interface HealthBody {
  data: {
    status: string;
    info: Record<string, { status: string; message?: string }>;
    error: Record<string, { status: string; message?: string }>;
    details: Record<string, { status: string }>;
  };
  metadata: { request_id: string; timestamp: string };
}

function expectHealthEnvelope(res: { headers: Record<string, string>; body: unknown }): HealthBody {
  const body = res.body as HealthBody;
  expect(Object.keys(body).sort()).toEqual(['data', 'metadata']);
  expect(body.metadata.request_id).toBe(res.headers['x-request-id']);
  expect(res.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
  expect(res.headers['cache-control']).toBe('no-store');
  return body;
}

/** What the probes may ever ask Alpaca: the clock, nothing about the account, positions or orders. */
function expectOnlyClockCalls(gw: Gateway): void {
  for (const r of gw.emulator.requests) expect(`${r.method} ${r.host} ${r.path}`).toBe('GET trading /v2/clock');
}

describe('health probes', () => {
  let gw: Gateway;
  beforeAll(async () => {
    // Tiny anonymous and burst limits: probes must never be refused for volume anyway.
    gw = await startGateway({ RATE_LIMIT_BURST_PER_SECOND: '2', RATE_LIMIT_ANONYMOUS_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('live is public, enveloped, no-store, and touches nothing upstream', async () => {
    const res = await gw.anon().get('/api/v1/health/live').expect(200);
    const body = expectHealthEnvelope(res);
    expect(body.data.status).toBe('ok');
    expect(Object.keys(body.data.details)).toEqual(['process']);
    expect(body.data.details['process']?.status).toBe('up');
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('ready lists Alpaca (up), and neither Redis nor PostgreSQL when they are not configured', async () => {
    const res = await gw.anon().get('/api/v1/health/ready').expect(200);
    const body = expectHealthEnvelope(res);
    expect(body.data.status).toBe('ok');
    expect(Object.keys(body.data.details).sort()).toEqual(['alpaca', 'audit_store', 'circuit_data', 'circuit_trading']);
    expect(body.data.details['audit_store']).toMatchObject({ status: 'up', store: 'jsonl' });
    expect(body.data.details['circuit_data']).toMatchObject({ status: 'up', state: 'closed' });
    expect(body.data.details['alpaca']).toMatchObject({ status: 'up', provider: 'non_alpaca_host' });
    expectOnlyClockCalls(gw);
  });

  it('asks Alpaca at most once per 30 s however often it is probed, and is never rate limited', async () => {
    gw.emulator.clearRequests();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gw
          .anon()
          .get(i % 2 === 0 ? '/api/v1/health/ready' : '/api/v1/health/live')
          .then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The first ready call of the previous test is still fresh: no new upstream call at all.
    expect(gw.emulator.requests).toHaveLength(0);
  });

  it('turns 503 with details when a registered check fails, and 200 again when it recovers', async () => {
    let open = true;
    const unregister = gw.app.get(ReadinessRegistry).register({
      name: 'circuit_data',
      check: () =>
        open ? Promise.reject(new Error('circuit open for the data host')) : Promise.resolve({ state: 'closed' }),
    });
    try {
      const down = await gw.anon().get('/api/v1/health/ready').set('X-Request-Id', 'probe-0000-1111').expect(503);
      const body = down.body as HealthBody;
      expect(down.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
      expect(down.headers['x-client-request-id']).toBe('probe-0000-1111');
      expect(body.metadata.request_id).toBe(down.headers['x-request-id']);
      expect(body.data.status).toBe('error');
      expect(body.data.error).toEqual({
        circuit_data: expect.objectContaining({ status: 'down', message: 'circuit open for the data host' }),
      });
      expect(body.data.info['alpaca']?.status).toBe('up');
      expect(gw.logs.some((l) => l['message'] === 'readiness_check_failed' && l['check'] === 'circuit_data')).toBe(
        true,
      );
      // Liveness does not care.
      await gw.anon().get('/api/v1/health/live').expect(200);

      open = false;
      const up = expectHealthEnvelope(await gw.anon().get('/api/v1/health/ready').expect(200));
      expect(up.data.details['circuit_data']).toMatchObject({ status: 'up', state: 'closed' });
      expect(gw.logs.some((l) => l['message'] === 'readiness_check_recovered' && l['check'] === 'circuit_data')).toBe(
        true,
      );
    } finally {
      unregister();
    }
    const after = expectHealthEnvelope(await gw.anon().get('/api/v1/health/ready').expect(200));
    expect(Object.keys(after.data.details)).not.toContain('circuit_data');
  });

  it('a check that hangs counts as down after its timeout instead of hanging the probe', async () => {
    const unregister = gw.app
      .get(ReadinessRegistry)
      .register({ name: 'audit_store', timeoutMs: 200, check: () => new Promise(() => undefined) });
    try {
      const started = Date.now();
      const res = await gw.anon().get('/api/v1/health/ready').expect(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((res.body as HealthBody).data.error['audit_store']).toMatchObject({
        status: 'down',
        message: 'timeout of 200ms exceeded',
      });
    } finally {
      unregister();
    }
  });

  it('the probes never placed, changed or cancelled an order, nor read the account', () => {
    expectOnlyClockCalls(gw);
  });
});

describe('health probes while Alpaca is unreachable', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('live stays 200, ready is 503 naming Alpaca, with no address in the message', async () => {
    await gw.emulator.stop();
    const live = expectHealthEnvelope(await gw.anon().get('/api/v1/health/live').expect(200));
    expect(live.data.status).toBe('ok');

    const res = await gw.anon().get('/api/v1/health/ready').expect(503);
    const body = expectHealthEnvelope(res);
    expect(body.data.status).toBe('error');
    expect(body.data.error['alpaca']).toMatchObject({
      status: 'down',
      message: 'Alpaca clock call failed: UPSTREAM_API_UNAVAILABLE',
    });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(res.headers['x-error-code']).toBeUndefined();
  });
});

describe('health probes while Alpaca throttles or refuses the keys', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a 429 on the clock still counts as reachable (an exhausted quota must not unready every pod)', async () => {
    gw.emulator.injectFault(rateLimitFault({ path: '/v2/clock' }));
    const body = expectHealthEnvelope(await gw.anon().get('/api/v1/health/ready').expect(200));
    expect(body.data.details['alpaca']).toMatchObject({ status: 'up', rate_limited: true });
  });

  it('refused credentials make it not ready', async () => {
    const other = await startGateway({ APCA_API_SECRET_KEY: 'not-the-emulator-secret' });
    try {
      const body = expectHealthEnvelope(await other.anon().get('/api/v1/health/ready').expect(503));
      expect(body.data.error['alpaca']).toMatchObject({
        status: 'down',
        message: 'Alpaca clock call failed: UPSTREAM_AUTHENTICATION_FAILED',
      });
      expect(JSON.stringify(body)).not.toContain('not-the-emulator-secret');
    } finally {
      await other.close();
    }
  });
});
