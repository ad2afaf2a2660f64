import { z } from 'zod';
import { readAccounts, tradingModeFor, type AccountsInput } from '../alpaca-accounts.js';
import { ALWAYS, int, oneOf, optionalText, url } from './fields.js';

/** Feeds Alpaca accepts on the latest/snapshot stock endpoints (docs/alpaca-wire.md "Feeds"). */
export const STOCK_FEEDS = ['iex', 'sip', 'delayed_sip', 'otc', 'boats', 'overnight'] as const;
export const OPTIONS_FEEDS = ['indicative', 'opra'] as const;

/** Hosts Alpaca itself serves; any other host is reported as such in `metadata.provider`. */
const OFFICIAL_DATA_HOSTS = new Set(['data.alpaca.markets', 'data.sandbox.alpaca.markets']);

export function providerFor(dataUrl: string): { provider: 'alpaca' | 'non_alpaca_host'; host: string } {
  const host = new URL(dataUrl).host;
  return { provider: OFFICIAL_DATA_HOSTS.has(host) ? 'alpaca' : 'non_alpaca_host', host };
}

export { tradingModeFor };

/** What readAccounts needs of the section's variables (and, through the loose object, the rest of the environment). */
function accountsInput(v: Record<string, unknown>): AccountsInput {
  const textOf = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
  return {
    env: v as Record<string, string | undefined>,
    apcaKeyId: textOf(v['APCA_API_KEY_ID']),
    apcaSecretKey: textOf(v['APCA_API_SECRET_KEY']),
    apcaBaseUrl: textOf(v['APCA_API_BASE_URL']),
    // The audit section declares NODE_ENV; read here for the accounts' host rule.
    production: v['NODE_ENV'] === 'production',
  };
}

/**
 * Alpaca's hosts, the accounts' keys (docs/contract.md "Accounts": ALPACA_ACCOUNTS and each
 * ALPACA_ACCOUNT_<NAME>_*, else one `default` account from APCA_*), feeds and upstream budgets
 * (Alpaca's own variable names where its SDKs have one). `alpaca.keyId`/`secretKey`/`tradingUrl`
 * are the data account's: market data and the reference routes use them.
 */
export const alpacaSection = z
  .looseObject({
    APCA_API_KEY_ID: optionalText(),
    APCA_API_SECRET_KEY: optionalText(),
    /** Names the accounts; unset: one account named `default` from APCA_*. */
    ALPACA_ACCOUNTS: optionalText(),
    /** The account whose credentials, plan and budget serve market data (default: the first). */
    ALPACA_DATA_ACCOUNT: optionalText(),
    APCA_API_BASE_URL: url('https://paper-api.alpaca.markets'),
    APCA_API_DATA_URL: url('https://data.alpaca.markets'),
    ALPACA_STOCK_FEED: oneOf(STOCK_FEEDS, 'iex'),
    ALPACA_OPTIONS_FEED: oneOf(OPTIONS_FEEDS, 'indicative'),
    ALPACA_DATA_RATE_LIMIT_PER_MIN: int(200, 1, 100000),
    ALPACA_TRADING_RATE_LIMIT_PER_MIN: int(200, 1, 100000),
    /** Per-request upstream timeout; a slower Alpaca answer becomes 504 UPSTREAM_TIMEOUT. */
    ALPACA_REQUEST_TIMEOUT_MS: int(5000, 100, 60000),
  })
  // A rule that runs even when another variable of the section was refused, so a missing key is
  // named in the same boot message as, say, a bad feed name.
  .superRefine((v, ctx) => void readAccounts(accountsInput(v), ctx), ALWAYS)
  .transform((v) => {
    // Checked just above: reading again finds no problem.
    const accounts = readAccounts(accountsInput(v), null);
    if (accounts === undefined) return z.NEVER;
    const dataUrl = v.APCA_API_DATA_URL.replace(/\/+$/, '');
    const { provider, host } = providerFor(dataUrl);
    const data = accounts.data;
    return {
      accounts,
      alpaca: {
        keyId: data.keyId,
        secretKey: data.secretKey,
        tradingUrl: data.tradingUrl,
        dataUrl,
        stockFeed: v.ALPACA_STOCK_FEED,
        optionsFeed: v.ALPACA_OPTIONS_FEED,
        dataRateLimitPerMin: v.ALPACA_DATA_RATE_LIMIT_PER_MIN,
        tradingRateLimitPerMin: v.ALPACA_TRADING_RATE_LIMIT_PER_MIN,
        requestTimeoutMs: v.ALPACA_REQUEST_TIMEOUT_MS,
        /** `alpaca` for Alpaca's own hosts, else `non_alpaca_host` so clients can tell emulated data apart. */
        provider,
        dataHost: host,
        tradingHost: data.tradingHost,
        tradingMode: data.tradingMode,
      },
    };
  });
