import type { Request } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import { clientIp, getPrincipal, type Principal } from './principal.js';

/**
 * Who made a request, as services need it: the principal the guards established, the request id
 * and the client's address. Controllers hand this to services (`@CurrentCaller()`), so that no
 * service depends on Express's `Request`.
 */
export interface Caller {
  principal: Principal | undefined;
  requestId: string | null;
  clientIp: string;
}

export function callerOf(req: Request): Caller {
  return { principal: getPrincipal(req), requestId: getRequestContext(req)?.requestId ?? null, clientIp: clientIp(req) };
}
