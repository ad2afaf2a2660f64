import type { Request } from 'express';

/** What our middleware learns about a request before any handler runs. */
export interface RequestContext {
  requestId: string;
  startedAt: number;
}

const CONTEXT = Symbol('opitios.requestContext');
type WithContext = Request & { [CONTEXT]?: RequestContext };

export function setRequestContext(req: Request, ctx: RequestContext): void {
  (req as WithContext)[CONTEXT] = ctx;
}

/** The request's context; present for every request that went through RequestIdMiddleware. */
export function getRequestContext(req: Request): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}
