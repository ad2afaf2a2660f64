import { z } from 'zod';
import { int, oneOf, required, url } from './fields.js';

/** Feeds Alpaca accepts on the latest/snapshot stock endpoints (docs/alpaca-wire.md "Feeds"). */
export const STOCK_FEEDS = ['iex', 'sip', 'delayed_sip', 'otc', 'boats', 'overnight'] as const;
export const OPTIONS_FEEDS = ['indicative', 'opra'] as const;

/** Hosts Alpaca itself serves; any other host is reported as such in `metadata.provider`. */
const OFFICIAL_DATA_HOSTS = new Set(['data.alpaca.markets', 'data.sandbox.alpaca.markets']);
const LIVE_TRADING_HOST = 'api.alpaca.markets';

export function providerFor(dataUrl: string): { provider: 'alpaca' | 'non_alpaca_host'; host: string } {
  const host = new URL(dataUrl).host;
  return { provider: OFFICIAL_DATA_HOSTS.has(host) ? 'alpaca' : 'non_alpaca_host', host };
}

export function tradingModeFor(tradingUrl: string): 'paper' | 'live' | 'non_alpaca_host' {
  const host = new URL(tradingUrl).host;
  if (host === LIVE_TRADING_HOST) return 'live';
  if (host === 'paper-api.alpaca.markets') return 'paper';
  return 'non_alpaca_host';
}

/** Alpaca's hosts, the account's keys, feeds and upstream budgets (Alpaca's own variable names where its SDKs have one). */
export const alpacaSection = z
  .object({
    APCA_API_KEY_ID: required(),
    APCA_API_SECRET_KEY: required(),
    APCA_API_BASE_URL: url('https://paper-api.alpaca.markets'),
    APCA_API_DATA_URL: url('https://data.alpaca.markets'),
    ALPACA_STOCK_FEED: oneOf(STOCK_FEEDS, 'iex'),
    ALPACA_OPTIONS_FEED: oneOf(OPTIONS_FEEDS, 'indicative'),
    ALPACA_DATA_RATE_LIMIT_PER_MIN: int(200, 1, 100000),
    ALPACA_TRADING_RATE_LIMIT_PER_MIN: int(200, 1, 100000),
    /** Per-request upstream timeout; a slower Alpaca answer becomes 504 UPSTREAM_TIMEOUT. */
    ALPACA_REQUEST_TIMEOUT_MS: int(5000, 100, 60000),
  })
  .transform((v) => {
    const dataUrl = v.APCA_API_DATA_URL.replace(/\/+$/, '');
    const tradingUrl = v.APCA_API_BASE_URL.replace(/\/+$/, '');
    const { provider, host } = providerFor(dataUrl);
    return {
      alpaca: {
        keyId: v.APCA_API_KEY_ID,
        secretKey: v.APCA_API_SECRET_KEY,
        tradingUrl,
        dataUrl,
        stockFeed: v.ALPACA_STOCK_FEED,
        optionsFeed: v.ALPACA_OPTIONS_FEED,
        dataRateLimitPerMin: v.ALPACA_DATA_RATE_LIMIT_PER_MIN,
        tradingRateLimitPerMin: v.ALPACA_TRADING_RATE_LIMIT_PER_MIN,
        requestTimeoutMs: v.ALPACA_REQUEST_TIMEOUT_MS,
        /** `alpaca` for Alpaca's own hosts, else `non_alpaca_host` so clients can tell emulated data apart. */
        provider,
        dataHost: host,
        tradingHost: new URL(tradingUrl).host,
        tradingMode: tradingModeFor(tradingUrl),
      },
    };
  });
