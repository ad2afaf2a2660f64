import { LIVE, PAPER } from '../../emulator/accounts/account-spec-helpers.js';
import { startGateway, type Gateway } from './harness.js';

/** The two Alpaca accounts of the multi-account tests, as the emulator's own account specs name them. */
export { LIVE, PAPER } from '../../emulator/accounts/account-spec-helpers.js';

/**
 * A gateway with ALPACA_ACCOUNTS=paper,live in front of one emulator serving both accounts (each
 * picked by its credentials); the harness points each account's trading host at the emulator.
 */
export function startTwoAccountGateway(env: Record<string, string> = {}): Promise<Gateway> {
  return startGateway(env, { accounts: [PAPER, LIVE] });
}
