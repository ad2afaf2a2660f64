import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import pg from 'pg';
import { eventually, startGateway, tokenFor, type Gateway } from '../e2e/support/harness.js';
import { databaseName, testDatabaseUrl } from './test-database.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** The run's own database (global setup created it on DATABASE_URL's server). */
const DATABASE_URL = testDatabaseUrl();

// Redis and PostgreSQL are shared with other suites: everything this one writes is named after RUN
// (its Redis keys through the principals and the symbol; its tables through a schema of its own).
const RUN = randomUUID().replace(/-/g, '').slice(0, 10);
const SCHEMA = `spans_${RUN}`;
/** A ticker no other suite quotes: Q and four letters from RUN. */
const SYMBOL = `Q${[...RUN.slice(0, 4)].map((c) => String.fromCharCode(65 + parseInt(c, 16))).join('')}`;
const VIEWER = `spans-${RUN}-viewer`;
const TRADER = `spans-${RUN}-trader`;
const ADMIN = `spans-${RUN}-admin`;
const bearer = (role: string, sub: string): { Authorization: string } => ({
  Authorization: `Bearer ${tokenFor([role], { sub })}`,
});

/** DATABASE_URL with this suite's schema first on the search path, so the audit tables are created there. */
function inSchema(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${SCHEMA}`);
  return u.toString();
}
const SCOPED_DATABASE_URL = inSchema(DATABASE_URL);

const REDIS_SPAN_ATTRIBUTES = [
  'db.namespace',
  'db.operation.name',
  'db.system.name',
  'opitios.request_id',
  'server.address',
  'server.port',
];
const PG_SPAN_ATTRIBUTES = [
  'db.namespace',
  'db.operation.name',
  'db.query.text',
  'db.system.name',
  'opitios.request_id',
  'server.address',
  'server.port',
];
/** One audit record: its transaction, under the chain lock, reading the head before the insert. */
const RECORD_QUERIES = ['BEGIN', 'SELECT', 'SELECT', 'INSERT', 'COMMIT'];

const system = (s: ReadableSpan): unknown => s.attributes['db.system.name'];
/** Everything a span says, as one string to search for what it must not say. */
const spoken = (s: ReadableSpan): string => JSON.stringify([s.name, s.attributes, s.status, s.events]);

/** The finished spans of the request with this id: its server span and everything under it. */
async function spansOf(
  exporter: InMemorySpanExporter,
  requestId: string,
  until: (spans: ReadableSpan[]) => void,
): Promise<{ server: ReadableSpan; spans: ReadableSpan[] }> {
  let spans: ReadableSpan[] = [];
  await eventually(() => {
    spans = exporter.getFinishedSpans().filter((s) => s.attributes['opitios.request_id'] === requestId);
    expect(spans.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1);
    until(spans);
  });
  const server = spans.find((s) => s.kind === SpanKind.SERVER) as ReadableSpan;
  return { server, spans: spans.filter((s) => s !== server) };
}

function expectChildrenOf(server: ReadableSpan, spans: ReadableSpan[]): void {
  for (const s of spans) {
    expect(s.kind).toBe(SpanKind.CLIENT);
    expect(s.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(s.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  }
}

/** Gives `gw` the fixture quote of SYMBOL (a copy of AAPL's). */
function quoteSymbol(gw: Gateway): void {
  const aapl = gw.emulator.fixtures.stockQuotes['AAPL'];
  if (aapl === undefined) throw new Error('the emulator has no AAPL quote fixture');
  gw.emulator.fixtures.stockQuotes[SYMBOL] = { ...aapl };
}

const ORDER = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' };

let admin: pg.Client;
let redis: Redis;
/** Untraced, fills the shared Redis cache so that the traced gateway's quote is a Redis HIT. */
let warmer: Gateway;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  redis = new Redis(REDIS_URL);
  warmer = await startGateway({ REDIS_URL });
  quoteSymbol(warmer);
});

/** The shared Redis's keys matching `pattern` (SCAN, not KEYS: other suites are using it). */
async function keysLike(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

afterAll(async () => {
  await warmer.close();
  const keys = [...(await keysLike(`opitios:*${RUN}*`)), ...(await keysLike(`opitios:cache:*${SYMBOL}*`))];
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await admin.end();
});

/** A fresh copy of SYMBOL's quote in the shared Redis cache, whatever was there. */
async function warmQuote(): Promise<void> {
  const res = await warmer
    .anon()
    .get(`/api/v1/stocks/${SYMBOL}/quote`)
    .query({ max_age_seconds: '0' })
    .set(bearer('viewer', VIEWER))
    .expect(200);
  expect(res.body.metadata.cache.status).toBe('MISS');
}

describe('with tracing on, Redis commands and PostgreSQL queries made for a request are its CLIENT spans', () => {
  const exporter = new InMemorySpanExporter();
  let gw: Gateway;
  const redisAt = new URL(REDIS_URL);
  beforeAll(async () => {
    gw = await startGateway({ REDIS_URL, DATABASE_URL: SCOPED_DATABASE_URL }, {}, undefined, { tracing: { exporter } });
    quoteSymbol(gw);
    // The market clock (a quote's TTL depends on it) is then in process: the quote below calls no one.
    await gw.anon().get('/api/v1/market/clock').set(bearer('viewer', VIEWER)).expect(200);
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(() => exporter.reset());

  it('a quote served from the Redis cache: one span per command, naming the command only, never a key or an argument', async () => {
    await warmQuote();
    const res = await gw.anon().get(`/api/v1/stocks/${SYMBOL}/quote`).set(bearer('viewer', VIEWER)).expect(200);
    expect(res.body.metadata.cache.status).toBe('HIT');
    expect(gw.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(0);
    const requestId = String(res.headers['x-request-id']);

    const { server, spans } = await spansOf(exporter, requestId, (s) =>
      expect(s.filter((x) => system(x) === 'redis').length).toBeGreaterThanOrEqual(2),
    );
    const commands = spans.filter((s) => system(s) === 'redis');
    // The rate limiter's script (both windows in one EVAL), then the shared cache's entry read once
    // (value and expiry together).
    expect(commands.map((s) => s.name).sort()).toEqual(['EVAL', 'GET']);
    expect(spans.filter((s) => s.attributes['alpaca.endpoint'] !== undefined)).toEqual([]);
    expectChildrenOf(server, commands);
    for (const s of commands) {
      expect(Object.keys(s.attributes).sort()).toEqual(REDIS_SPAN_ATTRIBUTES);
      expect(s.attributes).toEqual({
        'opitios.request_id': requestId,
        'db.system.name': 'redis',
        'db.operation.name': s.name,
        'db.namespace': '0',
        'server.address': redisAt.hostname,
        'server.port': Number(redisAt.port || 6379),
      });
      expect(s.status.code).toBe(SpanStatusCode.UNSET);
    }

    // The keys the request touched hold its principal and the symbol; no span of the request says any of them.
    const touched = [...(await keysLike(`opitios:rl:*${VIEWER}*`)), ...(await keysLike(`opitios:cache:*${SYMBOL}*`))];
    expect(touched.length).toBeGreaterThanOrEqual(2);
    const cached = await redis.get(touched.find((k) => k.startsWith('opitios:cache:')) ?? '');
    expect(cached).not.toBeNull();
    for (const s of [server, ...spans]) {
      for (const secret of [...touched, VIEWER, cached ?? '']) expect(spoken(s)).not.toContain(secret);
    }
  });

  it("an order: each audit record is a transaction of query spans under the order's server span, with the parameterised text and no values", async () => {
    const idempotencyKey = `spans-${RUN}-order`;
    const res = await gw
      .anon()
      .post('/api/v1/orders')
      .set(bearer('trader', TRADER))
      .set('Idempotency-Key', idempotencyKey)
      .send(ORDER)
      .expect(201);
    const requestId = String(res.headers['x-request-id']);

    const { server, spans } = await spansOf(exporter, requestId, (s) =>
      expect(s.filter((x) => system(x) === 'postgresql')).toHaveLength(2 * RECORD_QUERIES.length),
    );
    const queries = spans
      .filter((s) => system(s) === 'postgresql')
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    // order_requested before Alpaca is called, order_accepted after.
    expect(queries.map((s) => s.name)).toEqual([...RECORD_QUERIES, ...RECORD_QUERIES]);
    expectChildrenOf(server, queries);
    for (const s of queries) {
      expect(Object.keys(s.attributes).sort()).toEqual(PG_SPAN_ATTRIBUTES);
      expect(s.attributes).toMatchObject({
        'opitios.request_id': requestId,
        'db.system.name': 'postgresql',
        'db.operation.name': s.name,
        'db.namespace': databaseName(DATABASE_URL),
        'server.address': '127.0.0.1',
        'server.port': 5432,
      });
      expect(s.status.code).toBe(SpanStatusCode.UNSET);
    }
    const insert = queries.find((s) => s.name === 'INSERT');
    expect(insert?.attributes['db.query.text']).toMatch(
      /^INSERT INTO audit_events \(seq, .*account, hash\)\s+VALUES \(\$1, \$2, .*\$13\)$/s,
    );

    // What was bound to the queries (the records as stored, the principal, the order's keys) is in no span.
    const rows = await admin.query<{ hash: string; prev_hash: string; details: Record<string, unknown> }>(
      `SELECT hash, prev_hash, details FROM ${SCHEMA}.audit_events WHERE request_id = $1`,
      [requestId],
    );
    expect(rows.rows).toHaveLength(2);
    const bound = [
      TRADER,
      idempotencyKey,
      ...rows.rows.flatMap((r) => [r.hash, r.prev_hash, JSON.stringify(r.details)]),
    ];
    for (const s of [server, ...spans]) for (const value of bound) expect(spoken(s)).not.toContain(value);
  });

  it('a command Redis refuses fails its span by the error prefix only; the request goes on', async () => {
    // The rate limiter INCRs this key: a hash in its place makes Redis refuse the script.
    const sub = `${VIEWER}-wrongtype`;
    const hourKey = `opitios:rl:hour:{sub:${sub}}`;
    await redis.hset(hourKey, 'field', 'value');
    const res = await gw.anon().get('/api/v1/market/clock').set(bearer('viewer', sub)).expect(200);
    const { server, spans } = await spansOf(exporter, String(res.headers['x-request-id']), (s) =>
      expect(s.some((x) => x.name === 'EVAL')).toBe(true),
    );
    const script = spans.filter((s) => s.name === 'EVAL');
    expect(script).toHaveLength(1);
    expectChildrenOf(server, script);
    expect(script[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'WRONGTYPE' });
    expect(script[0]?.attributes).toMatchObject({ 'db.response.status_code': 'WRONGTYPE', 'error.type': 'WRONGTYPE' });
    expect(spoken(script[0] ?? server)).not.toContain(sub);
  });

  it('a query PostgreSQL refuses fails its span by SQLSTATE only', async () => {
    // Last in this block: the gateway's audit table is gone afterwards.
    await admin.query(`DROP TABLE ${SCHEMA}.audit_events`);
    const res = await gw.anon().get('/api/v1/audit/events').query({ actor: TRADER }).set(bearer('admin', ADMIN));
    expect(res.status).toBeGreaterThanOrEqual(500);
    const { server, spans } = await spansOf(exporter, String(res.headers['x-request-id']), (s) =>
      expect(s.some((x) => system(x) === 'postgresql')).toBe(true),
    );
    const failed = spans.filter((s) => system(s) === 'postgresql');
    expect(failed.map((s) => s.name)).toEqual(['SELECT']);
    expectChildrenOf(server, failed);
    // 42P01 undefined_table; PostgreSQL's message ("relation ... does not exist") is not repeated.
    expect(failed[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: '42P01' });
    expect(failed[0]?.attributes).toMatchObject({ 'db.response.status_code': '42P01', 'error.type': '42P01' });
    expect(spoken(failed[0] ?? server)).not.toMatch(/does not exist/);
  });
});

/** OTLP/HTTP's JSON encoding, as far as these tests read it. */
interface OtlpSpan {
  name: string;
  parentSpanId?: string;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}
interface OtlpExport {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}
const spansIn = (body: string): OtlpSpan[] =>
  (JSON.parse(body) as OtlpExport).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

/** Stands in for an OTLP/HTTP collector: what the gateway exported, request by request. */
class Collector {
  readonly received: string[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e === undefined ? resolve() : reject(e))));
  }
}

describe('with tracing off, nothing is exported and Redis and PostgreSQL work as before', () => {
  /** The same quote from the Redis cache and the same order, then the gateway closed (which flushes any spans). */
  async function serveAndClose(env: Record<string, string>, label: string): Promise<void> {
    const gw = await startGateway({ REDIS_URL, DATABASE_URL: SCOPED_DATABASE_URL, ...env });
    try {
      quoteSymbol(gw);
      await warmQuote();
      const quote = await gw.anon().get(`/api/v1/stocks/${SYMBOL}/quote`).set(bearer('viewer', VIEWER)).expect(200);
      expect(quote.body.metadata.cache.status).toBe('HIT');
      const order = await gw
        .anon()
        .post('/api/v1/orders')
        .set(bearer('trader', `${TRADER}-${label}`))
        .set('Idempotency-Key', `spans-${RUN}-${label}`)
        .send(ORDER)
        .expect(201);
      const stored = await admin.query<{ action: string }>(
        `SELECT action FROM ${SCHEMA}.audit_events WHERE request_id = $1 ORDER BY seq`,
        [order.headers['x-request-id']],
      );
      expect(stored.rows.map((r) => r.action)).toEqual(['order_requested', 'order_accepted']);
    } finally {
      await gw.close();
    }
  }

  const collector = new Collector();
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await collector.start();
    // The block above dropped the audit table; the gateways here create it again at boot.
  });
  afterAll(async () => {
    await collector.stop();
  });
  beforeEach(() => {
    collector.received.length = 0;
  });

  it('OTEL_SDK_DISABLED: the collector receives nothing', async () => {
    await serveAndClose({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' }, 'off');
    expect(collector.received).toEqual([]);
  });

  it('the same with tracing on: the collector receives the Redis and PostgreSQL spans (so the check above could fail)', async () => {
    await serveAndClose({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, 'on');
    const exported = collector.received.flatMap(spansIn);
    const databases = new Set(
      exported.map((s) => s.attributes.find((a) => a.key === 'db.system.name')?.value.stringValue),
    );
    expect(databases).toEqual(new Set([undefined, 'redis', 'postgresql']));
    expect(exported.filter((s) => s.name === 'INSERT')).toHaveLength(2);
    // Boot ran the migration (CREATE ...) and connected to Redis outside any request: no spans for that.
    expect(exported.filter((s) => s.name === 'CREATE')).toEqual([]);
    for (const s of exported.filter((x) => x.attributes.some((a) => a.key === 'db.system.name')))
      expect(s.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
