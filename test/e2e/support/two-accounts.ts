import { AlpacaEmulator } from '../../emulator/alpaca-emulator.js';
import { startGateway, type Gateway } from './harness.js';

/** The two Alpaca accounts of the multi-account tests, as the emulator serves them. */
export const PAPER = {
  name: 'paper',
  keyId: 'PKPAPERKEYID000000001',
  secretKey: 'paper-secret-abcdefghijklmnopqrstuvwxyz',
};
export const LIVE = {
  name: 'live',
  keyId: 'AKLIVEKEYID0000000001',
  secretKey: 'live-secret-abcdefghijklmnopqrstuvwxyz01',
};

/**
 * A gateway with ALPACA_ACCOUNTS=paper,live in front of one emulator serving both accounts (each
 * picked by its credentials). The emulator is started first, as its URL is each account's
 * trading host; `close()` stops both.
 */
export async function startTwoAccountGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const emulator = new AlpacaEmulator({ accounts: [PAPER, LIVE], rateLimitPerMinute: 1_000_000, specCheck: true });
  await emulator.start();
  let gw: Gateway;
  try {
    gw = await startGateway(
      {
        ALPACA_ACCOUNTS: 'paper,live',
        ALPACA_ACCOUNT_PAPER_KEY_ID: PAPER.keyId,
        ALPACA_ACCOUNT_PAPER_SECRET_KEY: PAPER.secretKey,
        ALPACA_ACCOUNT_PAPER_BASE_URL: emulator.tradingUrl,
        ALPACA_ACCOUNT_LIVE_KEY_ID: LIVE.keyId,
        ALPACA_ACCOUNT_LIVE_SECRET_KEY: LIVE.secretKey,
        ALPACA_ACCOUNT_LIVE_BASE_URL: emulator.tradingUrl,
        ...env,
      },
      {},
      emulator,
    );
  } catch (e: unknown) {
    await emulator.stop();
    throw e;
  }
  return {
    ...gw,
    close: async () => {
      try {
        await gw.close();
      } finally {
        await emulator.stop();
      }
    },
  };
}
