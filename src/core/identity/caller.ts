import type { Request } from 'express';
import { getRequestContext } from '../attribution/request-context.js';
import type { RequestScope } from '../telemetry/request-scope.js';
import { clientIp, getPrincipal, type Principal } from './principal.js';

/**
 * Who made a request, as services need it: the principal the guards established, the client's
 * address and the request's scope (its id and trace). Controllers hand this to services (`@CurrentCaller()`), so that no
 * service depends on Express's `Request`.
 */
export interface Caller {
  principal: Principal | undefined;
  clientIp: string;
  /** The request's scope (id, trace), for the work done on its behalf: log lines, spans and audit records name the request. */
  scope: RequestScope | undefined;
}

export function callerOf(req: Request): Caller {
  return { principal: getPrincipal(req), clientIp: clientIp(req), scope: getRequestContext(req) };
}
