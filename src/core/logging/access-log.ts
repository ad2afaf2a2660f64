import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pathOf } from '../http/request-path.js';
import { routeTemplate } from '../metrics/route-template.js';
import type { RequestScope } from '../telemetry/request-scope.js';
import { WinstonLogger } from './winston-logger.js';

const round2 = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * One JSON line per request: request id, method, path, route, status, duration (and the trace id
 * when there is one). A request whose client left before the answer gets exactly one
 * `http_request_aborted` line instead, with what had been done for it.
 */
@Injectable()
export class AccessLog {
  constructor(private readonly logger: WinstonLogger) {}

  record(req: Request, res: Response, durationMs: number, scope: RequestScope): void {
    const fields: Record<string, unknown> = {
      request_id: scope.requestId,
      method: req.method,
      path: pathOf(req),
      route: routeTemplate(req),
      status: res.statusCode,
      duration_ms: round2(durationMs),
      error_code: res.getHeader('X-Error-Code') ?? null,
    };
    if (scope.traceId !== null) fields['trace_id'] = scope.traceId;
    if (scope.clientRequestId !== null) fields['client_request_id'] = scope.clientRequestId;
    this.logger.event(res.statusCode >= 500 ? 'warn' : 'info', 'http_request', fields);
  }

  aborted(req: Request, res: Response, durationMs: number, scope: RequestScope): void {
    this.logger.event('warn', 'http_request_aborted', {
      request_id: scope.requestId,
      trace_id: scope.traceId,
      client_request_id: scope.clientRequestId,
      method: req.method,
      path: pathOf(req),
      route: routeTemplate(req),
      client_aborted: true,
      duration_ms: round2(durationMs),
      // What had been done: whether an answer had started, the cache's say, calls made to Alpaca.
      response_started: res.headersSent,
      cache: scope.cache,
      upstream_attempts: scope.upstreamAttempts,
      note: 'the client closed the connection before the answer; the work already started was not cancelled',
    });
  }
}
