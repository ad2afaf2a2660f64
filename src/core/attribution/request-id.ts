import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** An incoming id is honoured only when it is short and plain, so it is safe to log and echo. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
export const REQUEST_ID_HEADER = 'X-Request-Id';

export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}

export const CLIENT_REQUEST_ID_HEADER = 'X-Client-Request-Id';

/**
 * The request's id is always one the gateway made (X-Request-Id), so that a signed answer, a log
 * line or an audit record can never be made to carry an id a client chose (and reused). A sane
 * id the client sent is kept beside it as its `client_request_id` (echoed in X-Client-Request-Id),
 * for the client's own correlation; anything else it sent is dropped.
 */
export function assignRequestId(req: Request, res: Response): { requestId: string; clientRequestId: string | null } {
  const incoming = req.headers['x-request-id'];
  const clientRequestId = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : null;
  const requestId = newRequestId();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  if (clientRequestId !== null) res.setHeader(CLIENT_REQUEST_ID_HEADER, clientRequestId);
  return { requestId, clientRequestId };
}
