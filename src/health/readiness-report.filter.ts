import { ArgumentsHost, Catch, ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getRequestContext } from '../core/attribution/request-context.js';
import { Clock } from '../core/time/clock.js';

/**
 * Terminus answers a failed check with a ServiceUnavailableException carrying its report. A
 * readiness report is not a request error, so instead of the catalog envelope it is rendered like
 * the 200 answer, `{data: <terminus report>, metadata}`, with status 503: probes read the status,
 * people read `data.error`. Only this controller's 503s come here.
 */
@Catch(ServiceUnavailableException)
export class ReadinessReportFilter implements ExceptionFilter {
  constructor(private readonly clock: Clock) {}

  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    res.status(exception.getStatus());
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      data: exception.getResponse(),
      metadata: {
        request_id: getRequestContext(req)?.requestId ?? null,
        timestamp: new Date(this.clock.now()).toISOString(),
      },
    });
  }
}
