import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { assignRequestId } from '../attribution/request-id.js';
import { AccessLog } from '../logging/access-log.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { routeLabel } from '../metrics/route-template.js';

const NS_PER_MS = 1e6;
const MS_PER_SECOND = 1000;

/**
 * What every request gets, whatever its path (/docs and unknown ones included): an id, and once
 * the answer has gone out, one access-log line and one count and timing in the HTTP metrics. A
 * request whose client went away before the answer is neither logged nor counted. Run by
 * createApp's single front middleware, with one `finish` listener: each extra Express layer and
 * listener is paid on every request.
 */
@Injectable()
export class RequestLifecycle {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly metrics: GatewayMetrics,
  ) {}

  begin(req: Request, res: Response): void {
    assignRequestId(req, res);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / NS_PER_MS;
      this.accessLog.record(req, res, durationMs);
      this.metrics.observeHttpRequest({ method: req.method, route: routeLabel(req), status: res.statusCode, durationSeconds: durationMs / MS_PER_SECOND });
    });
  }
}
