import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { currentScope, type RequestScope } from './request-scope.js';

/** Span attribute names of ours (OpenTelemetry's semantic conventions where one exists). */
export const ATTR = {
  requestId: 'opitios.request_id',
  cacheResult: 'opitios.cache.result',
  cacheKey: 'opitios.cache.key',
  attempt: 'opitios.upstream.attempt',
  budgetWaitMs: 'opitios.upstream.budget_wait_ms',
  api: 'alpaca.api',
  endpoint: 'alpaca.endpoint',
  errorCode: 'opitios.error_code',
  statusCode: 'http.response.status_code',
  method: 'http.request.method',
  route: 'http.route',
  path: 'url.path',
  clientAborted: 'opitios.client_aborted',
  dbSystem: 'db.system.name',
  dbOperation: 'db.operation.name',
  dbNamespace: 'db.namespace',
  dbQueryText: 'db.query.text',
  dbStatusCode: 'db.response.status_code',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/**
 * A child of the current request's server span, or null when tracing is off or there is no
 * request (a stream, a background refresh): callers then skip all span work.
 */
export function childSpan(name: string, kind: SpanKind, attributes: Attributes, scope: RequestScope | undefined = currentScope()): Span | null {
  if (scope === undefined || scope.tracer === null || scope.span === null) return null;
  return scope.tracer.startSpan(name, { kind, attributes: { [ATTR.requestId]: scope.requestId, ...attributes } }, trace.setSpan(ROOT_CONTEXT, scope.span));
}

/** Marks a span failed with the error's catalog code (when it has one) and message. */
export function spanFailed(span: Span, e: unknown): void {
  const code = e !== null && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : null;
  if (code !== null) span.setAttribute(ATTR.errorCode, code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/**
 * Marks a database call's span failed. A refusal from the server is named by its code only (Redis's
 * error prefix such as WRONGTYPE, PostgreSQL's SQLSTATE), never by its message: those messages can
 * quote the command's arguments or the query's values (Redis's "unknown command ... with args
 * beginning with", PostgreSQL's "invalid input syntax for type integer: ..."), and database spans
 * carry neither. A failure on the client's side (timeout, connection lost) keeps its message.
 */
export function dbSpanFailed(span: Span, e: unknown, serverCode: string | null): void {
  if (serverCode === null) {
    spanFailed(span, e);
    span.setAttribute(ATTR.errorType, e instanceof Error ? e.name : typeof e);
    return;
  }
  span.setAttributes({ [ATTR.dbStatusCode]: serverCode, [ATTR.errorType]: serverCode });
  span.setStatus({ code: SpanStatusCode.ERROR, message: serverCode });
}

export { SpanKind };

/** The W3C `traceparent` naming `span` as the parent of the next hop. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}
