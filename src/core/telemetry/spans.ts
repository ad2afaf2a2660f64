import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { currentScope, type RequestScope } from './request-scope.js';

const HTTPS_PORT = 443;
const HTTP_PORT = 80;

/**
 * Span attribute names: OpenTelemetry's stable semantic conventions where one exists (the
 * package's constants, so a tracing backend recognises them), `opitios.*` and `alpaca.*` for ours.
 */
export const ATTR = {
  requestId: 'opitios.request_id',
  cacheResult: 'opitios.cache.result',
  cacheKey: 'opitios.cache.key',
  attempt: 'opitios.upstream.attempt',
  budgetWaitMs: 'opitios.upstream.budget_wait_ms',
  api: 'alpaca.api',
  endpoint: 'alpaca.endpoint',
  errorCode: 'opitios.error_code',
  statusCode: ATTR_HTTP_RESPONSE_STATUS_CODE,
  method: ATTR_HTTP_REQUEST_METHOD,
  route: ATTR_HTTP_ROUTE,
  path: ATTR_URL_PATH,
  urlFull: ATTR_URL_FULL,
  clientAborted: 'opitios.client_aborted',
  dbSystem: ATTR_DB_SYSTEM_NAME,
  dbOperation: ATTR_DB_OPERATION_NAME,
  dbNamespace: ATTR_DB_NAMESPACE,
  dbQueryText: ATTR_DB_QUERY_TEXT,
  dbStatusCode: ATTR_DB_RESPONSE_STATUS_CODE,
  errorType: ATTR_ERROR_TYPE,
  serverAddress: ATTR_SERVER_ADDRESS,
  serverPort: ATTR_SERVER_PORT,
} as const;

/**
 * A child of the current request's server span, or null when tracing is off or there is no
 * request (a stream, a background refresh): callers then skip all span work.
 */
export function childSpan(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  scope: RequestScope | undefined = currentScope(),
): Span | null {
  if (scope === undefined || scope.tracer === null || scope.span === null) return null;
  return scope.tracer.startSpan(
    name,
    { kind, attributes: { [ATTR.requestId]: scope.requestId, ...attributes } },
    trace.setSpan(ROOT_CONTEXT, scope.span),
  );
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

/**
 * `server.address` and `server.port` of the HTTP(S) server at `base`, so a tracing backend shows
 * it as the peer: the host without IPv6 brackets, the port as written or else the scheme's.
 */
export function httpServerAttributes(base: URL): Attributes {
  const port = base.port !== '' ? Number(base.port) : base.protocol === 'https:' ? HTTPS_PORT : HTTP_PORT;
  return { [ATTR.serverAddress]: base.hostname.replace(/^\[(.*)\]$/, '$1'), [ATTR.serverPort]: port };
}

/**
 * `url.full` of a request: the whole URL with its query, user info (a credential) replaced by
 * `REDACTED` as the semantic conventions ask. Only for URLs whose query carries no secret (the
 * gateway's upstreams take their credentials in headers, and no header goes into a span).
 */
export function fullUrlOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return parsed.href;
  if (parsed.username !== '') parsed.username = 'REDACTED';
  if (parsed.password !== '') parsed.password = 'REDACTED';
  return parsed.href;
}

/** The W3C `traceparent` naming `span` as the parent of the next hop. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}
