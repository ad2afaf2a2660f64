import type { Request } from 'express';
import type { Role } from './roles.js';
import { requestSlots, requireRequestSlots } from '../attribution/request-context.js';

/** Who is calling: established once by the authentication guard. */
export interface Principal {
  kind: 'jwt' | 'api_key' | 'anonymous';
  /** Token `sub`, `key:<id>` for API keys, `anonymous` otherwise. */
  sub: string;
  roles: Role[];
  /** API key id, when the key (or the token issued for it) identifies one. */
  keyId: string | null;
  ip: string;
  /**
   * The risk policy its API key names (`apikey … --risk-policy NAME`), for the key and for tokens
   * issued from it; null or absent: the `default` policy (identity-provider tokens included).
   */
  riskPolicy?: string | null;
  /**
   * The Alpaca accounts it may use, its default first (`apikey … --accounts`, a token's `accounts`
   * claim); null or absent: unbound, the first configured account only (see account.ts).
   */
  accounts?: readonly string[] | null;
}

const PRINCIPAL = Symbol('opitios.principal');

export function setPrincipal(req: Request, principal: Principal): void {
  requireRequestSlots(req)[PRINCIPAL] = principal;
}

export function getPrincipal(req: Request): Principal | undefined {
  return requestSlots(req)?.[PRINCIPAL] as Principal | undefined;
}

/**
 * The client's address: the socket's, or, behind proxies named by TRUST_PROXY, the address the
 * nearest untrusted hop of X-Forwarded-For gives (Express's `trust proxy`, set by createApp).
 */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
