import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GatewayMetrics } from './gateway-metrics.js';
import { routeLabel } from './route-template.js';

const NS_PER_SECOND = 1e9;

/**
 * Counts every HTTP answer by method, route template and status, and times it. Mounted by
 * createApp for all paths (like the access log), so refusals by guards, unknown routes and
 * /docs are counted too; a request whose client went away before the answer is not.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: GatewayMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      this.metrics.observeHttpRequest({
        method: req.method,
        route: routeLabel(req),
        status: res.statusCode,
        durationSeconds: Number(process.hrtime.bigint() - started) / NS_PER_SECOND,
      });
    });
    next();
  }
}
