import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import { pathOf } from '../errors/global-exception.filter.js';
import { routeTemplate } from '../metrics/route-template.js';
import { WinstonLogger } from './winston-logger.js';

/** One JSON line per answered request: request id, method, path, route, status, duration. */
@Injectable()
export class AccessLog {
  constructor(private readonly logger: WinstonLogger) {}

  record(req: Request, res: Response, durationMs: number): void {
    this.logger.event(res.statusCode >= 500 ? 'warn' : 'info', 'http_request', {
      request_id: getRequestContext(req)?.requestId ?? null,
      method: req.method,
      path: pathOf(req),
      route: routeTemplate(req),
      status: res.statusCode,
      duration_ms: Math.round(durationMs * 100) / 100,
      error_code: res.getHeader('X-Error-Code') ?? null,
    });
  }
}
