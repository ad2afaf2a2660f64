import { startGateway, type Gateway } from '../e2e/harness.js';
import { DisposableRedis, freePort } from './redis-server.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface HealthBody {
  data: { status: string; error: Record<string, { status: string; message?: string }>; details: Record<string, { status: string }> };
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

describe('readiness follows Redis', () => {
  let redis: DisposableRedis;
  let gw: Gateway;
  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    gw = await startGateway({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await gw.close();
    await redis.kill();
  });

  it('is ready with Redis up, 503 naming Redis when it stops, ready again when it is back; live never moves', async () => {
    const up = await readyBecomes(gw, 200);
    expect(up.data.details['redis']?.status).toBe('up');

    await redis.kill();
    const down = await readyBecomes(gw, 503);
    expect(down.data.status).toBe('error');
    expect(down.data.error['redis']?.status).toBe('down');
    expect(down.data.error['redis']?.message).toMatch(/^Redis does not answer PING \(connection \w+\)$/);
    expect(JSON.stringify(down)).not.toContain(String(redis.port));
    await gw.anon().get('/api/v1/health/live').expect(200);

    await redis.start();
    const again = await readyBecomes(gw, 200);
    expect(again.data.details['redis']?.status).toBe('up');
    expect(gw.logs.some((l) => l['message'] === 'readiness_check_recovered' && l['check'] === 'redis')).toBe(true);
  });
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
      expect(body.data.error['postgres']).toMatchObject({ status: 'down', message: 'PostgreSQL does not answer (ECONNREFUSED)' });
      expect(JSON.stringify(body)).not.toMatch(/probe_user|nowhere|127\.0\.0\.1/);
    } finally {
      await gw.close();
    }
  });
});
