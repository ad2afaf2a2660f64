import { isURL } from 'class-validator';
import type { z } from 'zod';
import { addProblem } from './sections/fields.js';

/** The account every key and request uses when ALPACA_ACCOUNTS is unset (`APCA_*`). */
export const DEFAULT_ACCOUNT = 'default';

/** An account's name as ALPACA_ACCOUNTS, `apikey … --accounts` and `X-Alpaca-Account` spell it. */
export const ACCOUNT_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** A non-empty list of account names (as a key record, a token claim or a risk policy holds one). */
export function isAccountList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((a) => typeof a === 'string' && ACCOUNT_NAME.test(a));
}

/**
 * A name kept apart per account (a Redis key, a stream, a namespace): the `default` account keeps
 * `base` itself, the name it had before there were several accounts, so what a running fleet holds
 * under it survives the upgrade; a named account's is `base`, `separator` and its name.
 */
export function perAccountName(base: string, account: string, separator = ':'): string {
  return account === DEFAULT_ACCOUNT ? base : `${base}${separator}${account}`;
}

/** One value per configured account, built once at boot; `of` throws for a name the configuration does not hold. */
export class PerAccount<T> {
  private readonly byName = new Map<string, T>();

  constructor(accounts: AccountsConfig, build: (account: AlpacaAccount) => T) {
    for (const account of accounts.list) this.byName.set(account.name, build(account));
  }

  /** Requests reach this only with an account the authentication guard chose among the configured ones. */
  of(name: string): T {
    const value = this.byName.get(name);
    if (value === undefined) throw new Error(`no Alpaca account named "${name}" is configured`);
    return value;
  }
}

/** The configured account of that name, if any. */
export function accountNamed(accounts: AccountsConfig, name: string): AlpacaAccount | undefined {
  return accounts.list.find((a) => a.name === name);
}

const LIVE_TRADING_HOST = 'api.alpaca.markets';
const PAPER_TRADING_HOST = 'paper-api.alpaca.markets';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export type TradingMode = 'paper' | 'live' | 'non_alpaca_host';

export function tradingModeFor(tradingUrl: string): TradingMode {
  const host = new URL(tradingUrl).host;
  if (host === LIVE_TRADING_HOST) return 'live';
  if (host === PAPER_TRADING_HOST) return 'paper';
  return 'non_alpaca_host';
}

/** One Alpaca account the gateway trades on: its keys and its trading host. */
export interface AlpacaAccount {
  name: string;
  keyId: string;
  secretKey: string;
  /** The trading host's base URL, no trailing slash. */
  tradingUrl: string;
  tradingHost: string;
  tradingMode: TradingMode;
}

/** The accounts and the one whose credentials, plan and budget serve market data. */
export interface AccountsConfig {
  /** In ALPACA_ACCOUNTS order (the first is an unbound key's account); one `default` without it. */
  list: AlpacaAccount[];
  /** ALPACA_DATA_ACCOUNT (default: the first account). */
  data: AlpacaAccount;
  /** ALPACA_ACCOUNTS was set: names are the configured ones, `APCA_API_KEY_ID`/`_SECRET_KEY` unused. */
  configured: boolean;
}

export function accountVariable(name: string, field: 'KEY_ID' | 'SECRET_KEY' | 'BASE_URL'): string {
  return `ALPACA_ACCOUNT_${name.toUpperCase()}_${field}`;
}

function isHttpUrl(text: string): boolean {
  return isURL(text, { require_tld: false, require_protocol: true, protocols: ['http', 'https'] });
}

function accountOf(name: string, keyId: string, secretKey: string, baseUrl: string): AlpacaAccount {
  const tradingUrl = baseUrl.replace(/\/+$/, '');
  return {
    name,
    keyId,
    secretKey,
    tradingUrl,
    tradingHost: new URL(tradingUrl).host,
    tradingMode: tradingModeFor(tradingUrl),
  };
}

/** Where a second reading (after the rule reported every problem) puts the problems it cannot have. */
const NO_PROBLEMS = { addIssue: (): void => undefined } as unknown as z.RefinementCtx;

/** What the accounts are read from: the environment (empty values already dropped). */
export interface AccountsInput {
  env: Readonly<Record<string, string | undefined>>;
  /** APCA_API_KEY_ID / APCA_API_SECRET_KEY / APCA_API_BASE_URL, as the alpaca section read them. */
  apcaKeyId: string | undefined;
  apcaSecretKey: string | undefined;
  /** Undefined when APCA_API_BASE_URL itself was refused. */
  apcaBaseUrl: string | undefined;
  production: boolean;
}

/**
 * Reads ALPACA_ACCOUNTS and each account's ALPACA_ACCOUNT_<NAME>_KEY_ID, _SECRET_KEY and _BASE_URL
 * (default: Alpaca's paper host), or, without ALPACA_ACCOUNTS, one account named `default` from
 * APCA_*. Each problem names its variable, never a value: a bad or duplicate name, a missing key,
 * a base URL that is no URL, or, in production (NODE_ENV=production), a trading host that is
 * neither Alpaca's nor loopback (an emulator beside the gateway). Elsewhere any host is allowed and
 * answers say `non_alpaca_host`, as APCA_API_BASE_URL always has.
 */
export function readAccounts(input: AccountsInput, refinement: z.RefinementCtx | null): AccountsConfig | undefined {
  const { env } = input;
  const ctx = refinement ?? NO_PROBLEMS;
  const names = env['ALPACA_ACCOUNTS'];
  if (names === undefined) {
    if (env['ALPACA_DATA_ACCOUNT'] !== undefined && env['ALPACA_DATA_ACCOUNT'] !== DEFAULT_ACCOUNT)
      addProblem(
        ctx,
        'rule',
        'names no account: without ALPACA_ACCOUNTS the only account is "default"',
        'ALPACA_DATA_ACCOUNT',
      );
    if (input.apcaKeyId === undefined)
      addProblem(ctx, 'missing', 'is required unless ALPACA_ACCOUNTS is set', 'APCA_API_KEY_ID');
    if (input.apcaSecretKey === undefined)
      addProblem(ctx, 'missing', 'is required unless ALPACA_ACCOUNTS is set', 'APCA_API_SECRET_KEY');
    if (input.apcaKeyId === undefined || input.apcaSecretKey === undefined || input.apcaBaseUrl === undefined)
      return undefined;
    const only = accountOf(DEFAULT_ACCOUNT, input.apcaKeyId, input.apcaSecretKey, input.apcaBaseUrl);
    return { list: [only], data: only, configured: false };
  }
  const list: AlpacaAccount[] = [];
  const seen = new Set<string>();
  let ok = true;
  for (const raw of names.split(',')) {
    const name = raw.trim();
    if (!ACCOUNT_NAME.test(name)) {
      addProblem(ctx, 'invalid', 'each name must be 1-32 of a-z 0-9 _, starting with a letter', 'ALPACA_ACCOUNTS');
      return undefined;
    }
    if (seen.has(name)) {
      addProblem(ctx, 'invalid', 'each account may be named once', 'ALPACA_ACCOUNTS');
      return undefined;
    }
    seen.add(name);
    const keyId = env[accountVariable(name, 'KEY_ID')];
    const secretKey = env[accountVariable(name, 'SECRET_KEY')];
    const baseUrl = env[accountVariable(name, 'BASE_URL')] ?? `https://${PAPER_TRADING_HOST}`;
    if (keyId === undefined) addProblem(ctx, 'missing', 'is required', accountVariable(name, 'KEY_ID'));
    if (secretKey === undefined) addProblem(ctx, 'missing', 'is required', accountVariable(name, 'SECRET_KEY'));
    if (!isHttpUrl(baseUrl)) {
      addProblem(ctx, 'invalid', 'must be a URL address', accountVariable(name, 'BASE_URL'));
      ok = false;
      continue;
    }
    const account = accountOf(name, keyId ?? '', secretKey ?? '', baseUrl);
    if (
      input.production &&
      account.tradingMode === 'non_alpaca_host' &&
      !LOOPBACK_HOSTS.has(new URL(baseUrl).hostname)
    ) {
      addProblem(
        ctx,
        'rule',
        "must be Alpaca's trading host (paper-api or api .alpaca.markets) or loopback when NODE_ENV=production",
        accountVariable(name, 'BASE_URL'),
      );
      ok = false;
    }
    if (keyId === undefined || secretKey === undefined) ok = false;
    list.push(account);
  }
  const dataName = env['ALPACA_DATA_ACCOUNT'] ?? list[0]?.name;
  const data = list.find((a) => a.name === dataName);
  if (data === undefined) {
    addProblem(ctx, 'rule', 'must be one of the names in ALPACA_ACCOUNTS', 'ALPACA_DATA_ACCOUNT');
    return undefined;
  }
  return ok ? { list, data, configured: true } : undefined;
}
