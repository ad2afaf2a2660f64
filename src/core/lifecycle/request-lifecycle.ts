import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { assignRequestId } from '../attribution/request-id.js';
import { setRequestContext } from '../attribution/request-context.js';
import { pathOf } from '../http/request-path.js';
import { AccessLog } from '../logging/access-log.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { routeLabel } from '../metrics/route-template.js';
import { runInScope, type RequestScope } from '../telemetry/request-scope.js';
import { traceIdOf, Tracing } from '../telemetry/tracing.js';

const NS_PER_MS = 1e6;
const MS_PER_SECOND = 1000;

/**
 * What every request gets, whatever its path (/docs and unknown ones included): an id, a request
 * scope (AsyncLocalStorage: the id and trace reach every log line and span made for it), a server
 * span when tracing is on, and once the answer has gone out, one access-log line and one count and
 * timing in the HTTP metrics. A request whose client went away before the answer gets one
 * `http_request_aborted` line instead, saying what had been done for it. Run by createApp's single
 * front middleware: each extra Express layer is paid on every request.
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly metrics: GatewayMetrics,
    private readonly tracing: Tracing,
  ) {}

  /** Sets the request up, then runs `next` (the rest of the pipeline) inside its scope. */
  run(req: Request, res: Response, next: () => void): void {
    const { requestId, clientRequestId } = assignRequestId(req, res);
    const span = this.tracing.startServerSpan(req.method, pathOf(req), req.headers, requestId);
    const scope: RequestScope = {
      requestId,
      clientRequestId,
      span,
      tracer: this.tracing.tracer,
      traceId: span === null ? traceIdOf(req.headers['traceparent']) : span.spanContext().traceId,
      upstreamAttempts: 0,
      cache: null,
    };
    setRequestContext(req, scope);
    if (span !== null) this.metrics.observeTracedRequest();
    const started = process.hrtime.bigint();
    const elapsedMs = (): number => Number(process.hrtime.bigint() - started) / NS_PER_MS;
    res.on('finish', () => {
      const durationMs = elapsedMs();
      const route = routeLabel(req);
      this.accessLog.record(req, res, durationMs, scope);
      this.metrics.observeHttpRequest({
        method: req.method,
        route,
        status: res.statusCode,
        durationSeconds: durationMs / MS_PER_SECOND,
      });
      if (span !== null)
        this.tracing.endServerSpan(span, req.method, route, {
          status: res.statusCode,
          errorCode: errorCodeOf(res),
          cache: scope.cache,
          aborted: false,
        });
    });
    // 'close' follows 'finish' on every answered request; without 'finish' first, the client left.
    res.on('close', () => {
      if (res.writableFinished) return;
      const route = routeLabel(req);
      this.accessLog.aborted(req, res, elapsedMs(), scope);
      this.metrics.observeAbortedRequest(req.method, route);
      if (span !== null)
        this.tracing.endServerSpan(span, req.method, route, {
          status: null,
          errorCode: null,
          cache: scope.cache,
          aborted: true,
        });
    });
    // Always: the adapter, the cache, the audit trail and the logger read the scope from here.
    runInScope(scope, next);
  }
}

function errorCodeOf(res: Response): string | null {
  const code = res.getHeader('X-Error-Code');
  return typeof code === 'string' ? code : null;
}
