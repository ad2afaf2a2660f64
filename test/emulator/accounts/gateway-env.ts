import type { AlpacaEmulator } from '../alpaca-emulator.js';

/**
 * The gateway's accounts configuration for an emulator serving several accounts: ALPACA_ACCOUNTS
 * (the emulator's accounts, in its order) and each account's ALPACA_ACCOUNT_<NAME>_KEY_ID,
 * _SECRET_KEY and _BASE_URL, trading on the emulator. Nothing for an emulator serving the one
 * `default` account (the gateway reads APCA_* then).
 */
export function gatewayAccountsEnv(emulator: AlpacaEmulator): Record<string, string> {
  const accounts = emulator.accounts;
  if (accounts.length === 1 && accounts[0]?.name === 'default') return {};
  const env: Record<string, string> = { ALPACA_ACCOUNTS: accounts.map((a) => a.name).join(',') };
  for (const a of accounts) {
    const prefix = `ALPACA_ACCOUNT_${a.name.toUpperCase()}_`;
    env[`${prefix}KEY_ID`] = a.keyId;
    env[`${prefix}SECRET_KEY`] = a.secretKey;
    env[`${prefix}BASE_URL`] = emulator.tradingUrl;
  }
  return env;
}
