import type { Request } from 'express';
import type { AccountsConfig } from '../config/app-config.js';
import { accountNamed } from '../config/alpaca-accounts.js';
import { AppError } from '../errors/app-error.js';
import { requestSlots, requireRequestSlots } from '../attribution/request-context.js';
import type { Principal } from './principal.js';

/** The header a caller picks an account with (REST and the stream upgrade); absent: the first it may use. */
export const ACCOUNT_HEADER = 'x-alpaca-account';

/**
 * The configured accounts a principal may use, in its order (the first is its default). A key or
 * token bound to no account (`accounts` absent or null) may use the first configured account only;
 * a bound name the gateway does not configure is dropped (it names nothing here).
 */
export function accountsOf(principal: Principal | undefined, accounts: AccountsConfig): string[] {
  const first = accounts.list[0]?.name;
  const bound = principal?.accounts;
  if (bound === undefined || bound === null) return first === undefined ? [] : [first];
  return bound.filter((name) => accountNamed(accounts, name) !== undefined);
}

/**
 * The account a request acts on: the one X-Alpaca-Account names, or the principal's first. Throws
 * 403 ACCOUNT_NOT_ALLOWED (before anything is sent) when the principal may not use it.
 */
export function chooseAccount(
  principal: Principal | undefined,
  requested: string | undefined,
  accounts: AccountsConfig,
): string {
  const allowed = accountsOf(principal, accounts);
  const chosen = requested === undefined ? allowed[0] : allowed.find((a) => a === requested);
  if (chosen !== undefined) return chosen;
  throw new AppError('ACCOUNT_NOT_ALLOWED', {
    message:
      requested === undefined
        ? 'This credential is bound to no account the gateway serves.'
        : `This credential may not use the Alpaca account "${requested.slice(0, 64)}".`,
    details: { account: requested?.slice(0, 64) ?? null, allowed, header: 'X-Alpaca-Account', sent: false },
  });
}

const ACCOUNT = Symbol('opitios.account');

export function setAccount(req: Request, account: string): void {
  requireRequestSlots(req)[ACCOUNT] = account;
}

/** The account the authentication guard chose for the request; undefined on public routes. */
export function getAccount(req: Request): string | undefined {
  return requestSlots(req)?.[ACCOUNT] as string | undefined;
}

/** The account a request acts on, where a guard must have chosen one (every trading route). */
export function requireAccount(caller: { account: string | undefined }): string {
  if (caller.account === undefined) throw new Error('no Alpaca account was chosen for this request');
  return caller.account;
}
