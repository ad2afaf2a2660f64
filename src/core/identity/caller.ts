import type { Request } from 'express';
import { clientIp, getPrincipal, type Principal } from './principal.js';

/**
 * Who made a request, as services need it: the principal the guards established and the client's
 * address. Controllers hand this to services (`@CurrentCaller()`), so that no service depends on
 * Express's `Request`; the request's id and trace are read from its scope (`currentScope()`).
 */
export interface Caller {
  principal: Principal | undefined;
  clientIp: string;
}

export function callerOf(req: Request): Caller {
  return { principal: getPrincipal(req), clientIp: clientIp(req) };
}
