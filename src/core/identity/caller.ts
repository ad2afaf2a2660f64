import type { Request } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import type { RequestScope } from '../telemetry/request-scope.js';
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
  /** The request's scope, for the work done on its behalf (log lines and spans name the request). */
  scope: RequestScope | undefined;
}

export function callerOf(req: Request): Caller {
  const scope = getRequestContext(req);
  return { principal: getPrincipal(req), requestId: scope?.requestId ?? null, clientIp: clientIp(req), scope };
}
