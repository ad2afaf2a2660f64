import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import { pathOf } from '../errors/global-exception.filter.js';
import { routeTemplate } from '../metrics/route-template.js';
import { WinstonLogger } from './winston-logger.js';

/** One JSON line per request: request id, method, path, route, status, duration. */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  constructor(private readonly logger: WinstonLogger) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.event(res.statusCode >= 500 ? 'warn' : 'info', 'http_request', {
        request_id: getRequestContext(req)?.requestId ?? null,
        method: req.method,
        path: pathOf(req),
        route: routeTemplate(req),
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 100) / 100,
        error_code: res.getHeader('X-Error-Code') ?? null,
      });
    });
    next();
  }
}
