import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import { pathOf } from '../http/request-path.js';
import { WinstonLogger } from '../logging/winston-logger.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { AppError } from './app-error.js';
import { catalogEntry, type ErrorCode } from './error-catalog.js';
import { RouteTable } from './route-table.js';
import { Clock } from '../time/clock.js';

/** Framework exceptions (routing, throttling, guards) mapped by status onto the catalog. */
const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'INVALID_PARAMETER',
  [HttpStatus.UNAUTHORIZED]: 'AUTHENTICATION_REQUIRED',
  [HttpStatus.FORBIDDEN]: 'INSUFFICIENT_PERMISSIONS',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMIT_EXCEEDED',
};

function toAppError(exception: unknown, req: Request, routes: RouteTable): AppError {
  if (exception instanceof AppError) return exception;
  if (exception instanceof HttpException) {
    // Our handlers never throw NotFoundException, so a framework 404 means no route matched:
    // a wrong method on a known path (405) or an unknown path (404).
    const status = exception.getStatus();
    if (status === Number(HttpStatus.NOT_FOUND)) return routes.miss(req.method, pathOf(req));
    const code = HTTP_STATUS_CODES[status];
    if (code !== undefined) return new AppError(code, { cause: exception });
  }
  return new AppError('INTERNAL_SERVICE_ERROR', { cause: exception });
}

/**
 * Another wire shape for error bodies on some paths (the Alpaca-compatible face): given the error
 * and its catalog entry, it sets the status and writes the body. Headers (X-Error-Code, Retry-After,
 * the error's own) are set before it is called.
 */
export interface ErrorFace {
  serves(path: string): boolean;
  render(error: AppError, status: number, res: Response): void;
}

/**
 * The one place error bodies are built. Every failure leaves as a catalog envelope with
 * X-Error-Code / X-Error-Type (and Retry-After when the client should wait); stack traces and
 * upstream secrets stay in the server log.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private routes: RouteTable = RouteTable.EMPTY;
  private readonly faces: ErrorFace[] = [];

  constructor(
    private readonly logger: WinstonLogger,
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * The application's registered routes, so that a routing miss can tell 405 from 404. Known only
   * once every route is in place (createApp calls this after init and the documentation's
   * routes, before listening); until then every miss is a 404.
   */
  useRoutes(routes: RouteTable): void {
    this.routes = routes;
  }

  /** Errors on the face's paths leave in its shape (registered by the face's module at startup). */
  useFace(face: ErrorFace): void {
    this.faces.push(face);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.respond(ctx.getRequest<Request>(), ctx.getResponse<Response>(), exception);
  }

  /** Renders any failure as the catalog envelope; also used for paths outside the API prefix. */
  respond(req: Request, res: Response, exception: unknown): void {
    const error = toAppError(exception, req, this.routes);
    const entry = catalogEntry(error.code);
    const context = getRequestContext(req);
    const requestId = context?.requestId ?? null;
    const clientRequestId = context?.clientRequestId ?? null;

    this.log(error, exception, requestId, req);
    if (entry.type === 'data_unavailable') this.metrics.observeDataUnavailable(error.code);
    if (res.headersSent) return;

    res.status(entry.status);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.setHeader('X-Error-Code', error.code);
    res.setHeader('X-Error-Type', entry.type);
    res.setHeader('Cache-Control', 'no-store');
    const retryAfter = error.retryAfter === null ? null : Math.max(1, Math.ceil(error.retryAfter));
    if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
    if (this.faces.length > 0) {
      const path = pathOf(req);
      const face = this.faces.find((f) => f.serves(path));
      if (face !== undefined) return face.render(error, entry.status, res);
    }
    res.json({
      error: {
        code: error.code,
        message: error.message,
        type: entry.type,
        severity: entry.severity,
        details: error.details,
      },
      metadata: {
        request_id: requestId,
        timestamp: new Date(this.clock.now()).toISOString(),
        endpoint: pathOf(req),
        suggested_actions: entry.suggestedActions,
        retry_after: retryAfter,
        ...(clientRequestId === null ? {} : { client_request_id: clientRequestId }),
      },
    });
  }

  private log(error: AppError, original: unknown, requestId: string | null, req: Request): void {
    const fields = { request_id: requestId, error_code: error.code, path: pathOf(req), details: error.details };
    if (error.code === 'INTERNAL_SERVICE_ERROR') {
      const stack = original instanceof Error ? original.stack : String(original);
      this.logger.event('error', 'unhandled_exception', { ...fields, stack });
    } else if (catalogEntry(error.code).status >= 500) {
      this.logger.event('warn', 'request_failed', fields);
    } else {
      this.logger.event('debug', 'request_rejected', fields);
    }
  }
}
