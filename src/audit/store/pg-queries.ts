import type { Attributes } from '@opentelemetry/api';
import pg from 'pg';
import { currentScope } from '../../core/telemetry/request-scope.js';
import { ATTR, childSpan, dbSpanFailed, SpanKind } from '../../core/telemetry/spans.js';

/** The pool, or a client checked out of it for a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const DEFAULT_HOST = 'localhost';
const DEFAULT_PORT = 5432;
const SYSTEM = 'postgresql';

/**
 * The one way the PostgreSQL audit store sends SQL. With tracing on, a query made while serving a
 * request gets a CLIENT span under that request's server span, with the parameterised text
 * (`$1`, `$2`...) and never the values bound to it. With tracing off, or outside a request (boot,
 * the checkpointer's timer, order events from the stream), the query goes straight to pg.
 */
export class PgQueries {
  /** The span attributes naming the database; null when tracing is off. */
  private readonly target: Attributes | null;

  constructor(connectionString: string, traced: boolean) {
    this.target = traced ? targetOf(connectionString) : null;
  }

  run<R extends pg.QueryResultRow>(on: Queryable, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const scope = this.target === null ? undefined : currentScope();
    if (scope === undefined) return on.query<R>(text, values);
    const operation = operationOf(text);
    const span = childSpan(
      operation ?? SYSTEM,
      SpanKind.CLIENT,
      {
        ...this.target,
        ...(operation === null ? {} : { [ATTR.dbOperation]: operation }),
        [ATTR.dbQueryText]: text,
      },
      scope,
    );
    if (span === null) return on.query<R>(text, values);
    return on.query<R>(text, values).then(
      (result) => {
        span.end();
        return result;
      },
      (e: unknown) => {
        dbSpanFailed(span, e, e instanceof pg.DatabaseError ? (e.code ?? 'unknown') : null);
        span.end();
        throw e;
      },
    );
  }
}

/** The statement's first keyword (SELECT, INSERT, BEGIN...), as OpenTelemetry's db.operation.name. */
export function operationOf(sql: string): string | null {
  return /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? null;
}

/** Host, port and database of a postgres:// URL; never its user or password. */
export function targetOf(connectionString: string): Attributes {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Config accepted it as a postgres:// URL and pg parses more leniently: the spans still say what system they are.
    return { [ATTR.dbSystem]: SYSTEM };
  }
  // `postgres:///db?host=/run/postgresql` names a socket directory instead of a host.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || url.searchParams.get('host') || DEFAULT_HOST;
  const database = decodeURIComponent(url.pathname.slice(1));
  return {
    [ATTR.dbSystem]: SYSTEM,
    [ATTR.serverAddress]: host,
    [ATTR.serverPort]: url.port === '' ? DEFAULT_PORT : Number(url.port),
    ...(database === '' ? {} : { [ATTR.dbNamespace]: database }),
  };
}
