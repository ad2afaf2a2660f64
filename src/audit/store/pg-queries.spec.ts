import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { runInScope, type RequestScope } from '../../core/telemetry/request-scope.js';
import { operationOf, PgQueries, targetOf, type Queryable } from './pg-queries.js';

const DB_URL = 'postgres://auditor:s3cret@db.internal:6543/trail';
const INSERT = 'INSERT INTO audit_events (seq, actor) VALUES ($1, $2)';

/** Answers every query with `answer` (a result, or an error to reject with) and remembers what it was sent. */
class FakePg implements Queryable {
  readonly sent: Array<{ text: string; values: unknown[] | undefined }> = [];
  constructor(private readonly answer: pg.QueryResult | Error) {}
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    this.sent.push({ text, values });
    return this.answer instanceof Error
      ? Promise.reject(this.answer)
      : Promise.resolve(this.answer as pg.QueryResult<R>);
  }
}

const RESULT: pg.QueryResult = { command: 'INSERT', rowCount: 1, oid: 0, fields: [], rows: [] };

function traced(): { exporter: InMemorySpanExporter; scope: RequestScope } {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
  const span = tracer.startSpan('POST /api/v1/orders', { kind: SpanKind.SERVER });
  return {
    exporter,
    scope: {
      requestId: 'req-1',
      clientRequestId: null,
      span,
      tracer,
      traceId: span.spanContext().traceId,
      upstreamAttempts: 0,
      cache: null,
    },
  };
}

describe('PgQueries', () => {
  it('inside a traced request: one CLIENT span under the server span, with the parameterised text and none of the values', async () => {
    const { exporter, scope } = traced();
    const db = new FakePg(RESULT);
    await runInScope(scope, () => new PgQueries(DB_URL, true).run(db, INSERT, [7, 'alice-principal']));
    expect(db.sent).toEqual([{ text: INSERT, values: [7, 'alice-principal'] }]);
    const [span, ...more] = exporter.getFinishedSpans();
    expect(more).toEqual([]);
    expect(span?.name).toBe('INSERT');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(scope.span?.spanContext().spanId);
    expect(span?.attributes).toEqual({
      'opitios.request_id': 'req-1',
      'db.system.name': 'postgresql',
      'db.operation.name': 'INSERT',
      'db.query.text': INSERT,
      'db.namespace': 'trail',
      'server.address': 'db.internal',
      'server.port': 6543,
    });
    expect(JSON.stringify(span?.attributes)).not.toMatch(/alice|s3cret|auditor/);
  });

  it('a refused query fails its span with the SQLSTATE only: the server message may quote a value', async () => {
    const { exporter, scope } = traced();
    const refused = Object.assign(
      new pg.DatabaseError('invalid input syntax for type integer: "alice-principal"', 0, 'error'),
      {
        code: '22P02',
      },
    );
    const run = runInScope(scope, () =>
      new PgQueries(DB_URL, true).run(new FakePg(refused), INSERT, ['alice-principal']),
    );
    await expect(run).rejects.toBe(refused);
    const span = exporter.getFinishedSpans()[0];
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: '22P02' });
    expect(span?.attributes).toMatchObject({ 'db.response.status_code': '22P02', 'error.type': '22P02' });
    expect(JSON.stringify([span?.attributes, span?.status])).not.toMatch(/alice/);
  });

  it('a failure on the client side keeps its message', async () => {
    const { exporter, scope } = traced();
    const lost = new Error('Connection terminated unexpectedly');
    await expect(runInScope(scope, () => new PgQueries(DB_URL, true).run(new FakePg(lost), 'SELECT 1'))).rejects.toBe(
      lost,
    );
    expect(exporter.getFinishedSpans()[0]?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'Connection terminated unexpectedly',
    });
  });

  it('makes no span with tracing off, nor outside a request', async () => {
    const { exporter, scope } = traced();
    const db = new FakePg(RESULT);
    await runInScope(scope, () => new PgQueries(DB_URL, false).run(db, 'SELECT 1'));
    await new PgQueries(DB_URL, true).run(db, 'SELECT 2');
    expect(db.sent.map((q) => q.text)).toEqual(['SELECT 1', 'SELECT 2']);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('names the operation by the first keyword, and the target from the URL without credentials', () => {
    expect(operationOf('\n  select * from audit_events')).toBe('SELECT');
    expect(operationOf('BEGIN')).toBe('BEGIN');
    expect(operationOf('  ')).toBeNull();
    expect(targetOf('postgres://postgres@127.0.0.1/test')).toEqual({
      'db.system.name': 'postgresql',
      'server.address': '127.0.0.1',
      'server.port': 5432,
      'db.namespace': 'test',
    });
    expect(targetOf('postgresql://u:p@[::1]:5433/')).toEqual({
      'db.system.name': 'postgresql',
      'server.address': '::1',
      'server.port': 5433,
    });
    expect(targetOf('postgres:///trail?host=/run/postgresql')).toMatchObject({
      'server.address': '/run/postgresql',
      'db.namespace': 'trail',
    });
  });
});
