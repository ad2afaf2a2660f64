import { startGateway, type Gateway } from '../e2e/support/harness.js';
import { DisposableRedis, freePort } from './redis-server.js';
import { testDatabaseUrl } from './test-database.js';

/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();

interface HealthBody {
  data: {
    status: string;
    error: Record<string, { status: string; message?: string }>;
    details: Record<string, { status: string }>;
  };
  metadata: { request_id: string };
}

/** Polls readiness until it answers `status` (Redis reconnects in the background, within ~2 s). */
async function readyBecomes(gw: Gateway, status: number, timeoutMs = 10_000): Promise<HealthBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await gw.anon().get('/api/v1/health/ready');
    if (res.status === status) return res.body as HealthBody;
    if (Date.now() > deadline) throw new Error(`readiness stayed ${res.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface DetailsBody {
  data: {
    status: 'ok' | 'degraded' | 'down';
    checks: Record<string, { status: string; required: boolean; message?: string }>;
  };
}

async function detailsBecome(
  gw: Gateway,
  status: DetailsBody['data']['status'],
  timeoutMs = 10_000,
): Promise<DetailsBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await gw.anon().get('/api/v1/health/details').expect(200);
    const body = res.body as DetailsBody;
    if (body.data.status === status) return body;
    if (Date.now() > deadline) throw new Error(`details stayed ${body.data.status}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis is shared and optional: its loss degrades, never unreadies', () => {
  let redis: DisposableRedis;
  let gws: Gateway[];
  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    gws = [await startGateway({ REDIS_URL: redis.url }), await startGateway({ REDIS_URL: redis.url })];
  });
  afterAll(async () => {
    for (const gw of gws) await gw.close();
    await redis.kill();
  });

  it('two instances, Redis killed: ready stays 200 on both while they serve; details and a metric say degraded; both recover', async () => {
    for (const gw of gws) {
      const ready = (await gw.anon().get('/api/v1/health/ready').expect(200)).body as HealthBody;
      expect(ready.data.details['redis']).toBeUndefined();
      const ok = await detailsBecome(gw, 'ok');
      expect(ok.data.checks['redis']).toEqual({ status: 'up', required: false });
      expect(ok.data.checks['audit_store']).toMatchObject({ status: 'up', required: true });
    }

    await redis.kill();
    for (const gw of gws) {
      const degraded = await detailsBecome(gw, 'degraded');
      expect(degraded.data.checks['redis']).toMatchObject({
        status: 'down',
        required: false,
        message: expect.stringMatching(/^Redis does not answer PING \(connection \w+\)$/),
      });
      expect(JSON.stringify(degraded)).not.toContain(String(redis.port));
      await gw.anon().get('/api/v1/health/ready').expect(200);
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      const metrics = (await gw.anon().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^opitios_health_degraded 1$/m);
      expect(metrics).toMatch(/^opitios_dependency_up\{dependency="redis",required="false"\} 0$/m);
    }

    await redis.start();
    for (const gw of gws) {
      await detailsBecome(gw, 'ok');
      expect((await gw.anon().get('/metrics').expect(200)).text).toMatch(/^opitios_health_degraded 0$/m);
      expect(gw.logs.some((l) => l['message'] === 'dependency_restored' && l['check'] === 'redis')).toBe(true);
    }
  }, 60_000);
});

describe('readiness follows PostgreSQL (DATABASE_URL)', () => {
  it('is ready against the real database', async () => {
    const gw = await startGateway({ DATABASE_URL });
    try {
      const body = await readyBecomes(gw, 200);
      expect(body.data.details['postgres']?.status).toBe('up');
    } finally {
      await gw.close();
    }
  });

  it('is 503 quickly when nothing listens at DATABASE_URL, with no host or user in the message', async () => {
    const port = await freePort();
    const gw = await startGateway({ DATABASE_URL: `postgres://probe_user@127.0.0.1:${port}/nowhere` });
    try {
      const started = Date.now();
      const res = await gw.anon().get('/api/v1/health/ready').expect(503);
      expect(Date.now() - started).toBeLessThan(2500);
      const body = res.body as HealthBody;
      expect(body.data.error['postgres']).toMatchObject({
        status: 'down',
        message: 'PostgreSQL does not answer (ECONNREFUSED)',
      });
      expect(JSON.stringify(body)).not.toMatch(/probe_user|nowhere|127\.0\.0\.1/);
    } finally {
      await gw.close();
    }
  });
});
