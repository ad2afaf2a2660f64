import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** An incoming id is honoured only when it is short and plain, so it is safe to log and echo. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
export const REQUEST_ID_HEADER = 'X-Request-Id';

export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}

/** The request's id (the caller's, when sane), echoed in X-Request-Id; the caller records it. */
export function assignRequestId(req: Request, res: Response): string {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}
