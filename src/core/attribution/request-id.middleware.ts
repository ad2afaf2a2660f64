import { randomUUID } from 'node:crypto';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { setRequestContext } from './request-context.js';

/** An incoming id is honoured only when it is short and plain, so it is safe to log and echo. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
export const REQUEST_ID_HEADER = 'X-Request-Id';

export function newRequestId(): string {
  return `req_${randomUUID().replace(/-/g, '')}`;
}

/** Gives every request an id (the caller's, when sane) and echoes it in X-Request-Id. */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    setRequestContext(req, { requestId, startedAt: Date.now() });
    res.setHeader(REQUEST_ID_HEADER, requestId);
    next();
  }
}
