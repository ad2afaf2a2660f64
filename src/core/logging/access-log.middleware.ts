import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import { pathOf } from '../errors/global-exception.filter.js';
import { WinstonLogger } from './winston-logger.js';

/** Route template when Express matched one, so logs group by route rather than by symbol. */
function routeOf(req: Request): string | null {
  const route: unknown = req.route;
  if (route !== null && typeof route === 'object' && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return null;
}

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
        route: routeOf(req),
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 100) / 100,
        error_code: res.getHeader('X-Error-Code') ?? null,
      });
    });
    next();
  }
}
