/**
 * The trading halt across a fleet: two gateways on one Redis and one PostgreSQL in front of one
 * "Alpaca". A halt set on one instance refuses orders on the other as soon as it hears (the test
 * waits on that, never on time); it outlives a restart of both instances after Redis lost its
 * copy (PostgreSQL holds it, or, without PostgreSQL, each instance's own file); a resume on either
 * lets orders through on both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import {
  eventually,
  expectCatalogError,
  KEY_ID,
  SECRET_KEY,
  startGateway,
  tokenFor,
  type Gateway,
} from '../../e2e/support/harness.js';
import { HALTS_KEY } from '../../../src/trading/halt/halt-fleet.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const HALT = '/api/v1/admin/trading/halt';
const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'fleet-admin' })}` };
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'fleet-trader' })}` };
const LIMIT_BUY = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };
const RUN = `${process.pid}-${Date.now()}`;
const ENV = { REDIS_URL, DATABASE_URL };

describe('the trading halt with two instances on one Redis and one PostgreSQL', () => {
  let emulator: AlpacaEmulator;
  let redis: Redis;
  let db: pg.Client;
  const gateways: Gateway[] = [];
  let a: Gateway;
  let b: Gateway;

  /** No halt left over from another run: the table (when it exists) and Redis's copy emptied. */
  async function clearHalts(): Promise<void> {
    await db.query('DELETE FROM trading_halts').catch((e: unknown) => {
      if (!(e instanceof pg.DatabaseError && e.code === '42P01')) throw e;
    });
    await redis.del(HALTS_KEY);
  }

  async function start(): Promise<Gateway> {
    const gw = await startGateway(ENV, {}, emulator);
    gateways.push(gw);
    return gw;
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await clearHalts();
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
    a = await start();
    b = await start();
  }, 30_000);
  afterAll(async () => {
    await clearHalts();
    const keys = await redis.keys(`opitios:idem:order:*${RUN}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await db.end();
    for (const gw of gateways) await gw.close();
    await emulator.stop();
  });

  const posted = (key: string) =>
    emulator
      .requestsTo('/v2/orders', 'trading')
      .filter((r) => r.method === 'POST' && (r.body as Record<string, unknown>)['client_order_id'] === key);
  const place = (g: Gateway, key: string) =>
    g.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(LIMIT_BUY);
  const haltsOn = async (g: Gateway): Promise<Array<Record<string, unknown>>> =>
    (await g.anon().get(HALT).set(admin).expect(200)).body.data.halts;

  it('a halt set on instance 1 refuses orders on instance 2 once it has heard (pub/sub), and nothing is sent', async () => {
    const set = await a.anon().post(HALT).set(admin).send({ scope: 'all', reason: 'fleet drill' }).expect(200);
    expect(set.body.data).toMatchObject({
      store: 'postgres',
      propagation: 'redis',
      halt: { scope: 'all', reason: 'fleet drill', by: 'fleet-admin' },
    });
    // Waits on the event (instance 2's view), not on time.
    let seen: Array<Record<string, unknown>> = [];
    await eventually(async () => {
      seen = await haltsOn(b);
      expect(seen.map((h) => h['scope'])).toEqual(['all']);
    });
    expect(seen[0]).toEqual(set.body.data.halt);

    const refused = expectCatalogError(await place(b, `halted-b-${RUN}`), 423, 'TRADING_HALTED');
    expect(refused['details']).toEqual({ scope: 'all', reason: 'fleet drill', since: set.body.data.halt.since });
    expectCatalogError(await place(a, `halted-a-${RUN}`), 423, 'TRADING_HALTED');
    expect(posted(`halted-b-${RUN}`)).toEqual([]);
    expect(posted(`halted-a-${RUN}`)).toEqual([]);
    // The refused request gave its idempotency key back to the fleet's ledger.
    expect(await redis.get(`opitios:idem:order:halted-b-${RUN}`)).toBeNull();
    // Stored durably in PostgreSQL, and the fleet's copy in Redis.
    const rows = (
      await db.query<{ scope: string; reason: string; halted_by: string }>(
        'SELECT scope, reason, halted_by FROM trading_halts',
      )
    ).rows;
    expect(rows).toEqual([{ scope: 'all', reason: 'fleet drill', halted_by: 'fleet-admin' }]);
    expect(await redis.hget(HALTS_KEY, 'h:all')).toContain('fleet drill');
  });

  it('Redis losing its copy while the fleet runs changes nothing: the halt stays in force and Redis gets it back', async () => {
    await redis.del(HALTS_KEY);
    expectCatalogError(await place(b, `halted-flush-${RUN}`), 423, 'TRADING_HALTED');
    await eventually(async () => expect(await redis.hget(HALTS_KEY, 'h:all')).toContain('fleet drill'));
    expect(posted(`halted-flush-${RUN}`)).toEqual([]);
  });

  it('both instances restarted after Redis lost the halt: still halted (PostgreSQL), on both', async () => {
    await a.shutdown();
    await b.shutdown();
    await redis.del(HALTS_KEY);
    a = await start();
    b = await start();
    for (const g of [a, b]) {
      expect((await haltsOn(g)).map((h) => [h['scope'], h['reason']])).toEqual([['all', 'fleet drill']]);
      expectCatalogError(await place(g, `halted-restart-${RUN}`), 423, 'TRADING_HALTED');
    }
    expect(posted(`halted-restart-${RUN}`)).toEqual([]);
  }, 30_000);

  it('resume on instance 2: orders pass on both; a key refused during the halt is free again', async () => {
    const resumed = await b.anon().delete(HALT).query({ scope: 'all', reason: 'drill over' }).set(admin).expect(200);
    expect(resumed.body.data).toMatchObject({ resumed: true, halts: [], propagation: 'redis' });
    await eventually(async () => expect(await haltsOn(a)).toEqual([]));
    await place(a, `halted-b-${RUN}`).expect(201);
    await place(b, `open-b-${RUN}`).expect(201);
    expect(posted(`halted-b-${RUN}`)).toHaveLength(1);
    expect(posted(`open-b-${RUN}`)).toHaveLength(1);
    expect((await db.query('SELECT scope FROM trading_halts')).rows).toEqual([]);
  });

  it('a key halt set on instance 2 covers only that key on instance 1', async () => {
    const scope = 'key:0123456789abcdef';
    await b.anon().post(HALT).set(admin).send({ scope, reason: 'one bot' }).expect(200);
    await eventually(async () => expect((await haltsOn(a)).map((h) => h['scope'])).toEqual([scope]));
    // A trader token without a key is not covered.
    await place(a, `key-scope-${RUN}`).expect(201);
    await b.anon().delete(HALT).query({ scope }).set(admin).expect(200);
    await eventually(async () => expect(await haltsOn(a)).toEqual([]));
  });
});

describe('the trading halt with two instances on one Redis and no PostgreSQL (each its own file)', () => {
  let emulator: AlpacaEmulator;
  let redis: Redis;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    await redis.del(HALTS_KEY);
    emulator = new AlpacaEmulator({ keyId: KEY_ID, secretKey: SECRET_KEY, rateLimitPerMinute: 1_000_000 });
    await emulator.start();
  });
  afterAll(async () => {
    await redis.del(HALTS_KEY);
    redis.disconnect();
    for (const gw of gateways.reverse()) await gw.close();
    await emulator.stop();
  });

  const start = async (env: Record<string, string> = {}): Promise<Gateway> => {
    const gw = await startGateway({ REDIS_URL, ...env }, {}, emulator);
    gateways.push(gw);
    return gw;
  };
  const fileOf = (g: Gateway): string => join(dirname(g.auditFile), 'trading-halts.json');

  it('Redis carries the halt to the other instance, which keeps it in its own file; both restarted after Redis lost it: still halted', async () => {
    const a = await start();
    const b = await start();
    const set = await a.anon().post(HALT).set(admin).send({ scope: 'all', reason: 'file fleet drill' }).expect(200);
    expect(set.body.data).toMatchObject({ store: 'file', propagation: 'redis' });
    await eventually(() =>
      expect(existsSync(fileOf(b)) && JSON.parse(readFileSync(fileOf(b), 'utf8')).halts).toEqual([set.body.data.halt]),
    );
    expectCatalogError(await b.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY), 423, 'TRADING_HALTED');

    await a.shutdown();
    await b.shutdown();
    await redis.del(HALTS_KEY);
    const a2 = await start({ AUDIT_LOG_PATH: a.auditFile });
    const b2 = await start({ AUDIT_LOG_PATH: b.auditFile });
    for (const g of [a2, b2])
      expectCatalogError(await g.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY), 423, 'TRADING_HALTED');
    // Redis got the fleet's state back from the instances' files.
    await eventually(async () => expect(await redis.hget(HALTS_KEY, 'h:all')).toContain('file fleet drill'));

    await b2.anon().delete(HALT).query({ scope: 'all' }).set(admin).expect(200);
    await eventually(async () =>
      expect((await a2.anon().get(HALT).set(admin).expect(200)).body.data.halts).toEqual([]),
    );
    await a2.anon().post('/api/v1/orders').set(trader).send(LIMIT_BUY).expect(201);
    expect(JSON.parse(readFileSync(fileOf(a), 'utf8')).halts).toEqual([]);
    expect(emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST')).toHaveLength(1);
  }, 30_000);
});
