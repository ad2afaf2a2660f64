import type { Request } from 'express';
import { getAccount } from './account.js';
import { clientIp, getPrincipal, type Principal } from './principal.js';

/**
 * Who made a request, as services need it: the principal the guards established and the client's
 * address. Controllers hand this to services (`@CurrentCaller()`), so that no service depends on
 * Express's `Request`; the request's id and trace are read from its scope (`currentScope()`).
 */
export interface Caller {
  principal: Principal | undefined;
  clientIp: string;
  /**
   * The Alpaca account the request acts on (X-Alpaca-Account, else the principal's first), chosen
   * by the authentication guard; undefined only where no guard ran (public routes).
   */
  account: string | undefined;
}

export function callerOf(req: Request): Caller {
  return { principal: getPrincipal(req), clientIp: clientIp(req), account: getAccount(req) };
}
