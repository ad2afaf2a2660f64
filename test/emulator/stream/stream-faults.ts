/**
 * Stream faults armed by tests: a 402 toggle, 409 per feed, forced 406s, a symbol cap (405),
 * refused upgrades (e.g. the 429s users see during reconnect storms, §5) and paused reading.
 */
import type { StreamEndpoint } from './stream.types.js';

export class StreamFaultState {
  /** Every auth answers 402, whatever the credentials. */
  authFailure = false;
  /** Feeds whose auth answers 409 (the plan lacks them). */
  readonly insufficientSubscription = new Set<StreamEndpoint>();
  /** Endpoints whose sockets the emulator stops reading, new sockets included. */
  readonly readingPaused = new Set<StreamEndpoint>();
  symbolLimit: number | undefined;
  private forcedConnectionLimits = 0;
  private upgradeRefusals: Array<{ status: number; remaining: number }> = [];

  constructor(private readonly initialSymbolLimit: number | undefined) {
    this.symbolLimit = initialSymbolLimit;
  }

  forceConnectionLimit(times: number): void {
    this.forcedConnectionLimits += times;
  }

  /** Spends one forced 406, if any is armed. */
  takeForcedConnectionLimit(): boolean {
    if (this.forcedConnectionLimits <= 0) return false;
    this.forcedConnectionLimits -= 1;
    return true;
  }

  refuseUpgrades(status: number, times: number): void {
    this.upgradeRefusals.push({ status, remaining: times });
  }

  /** The status to refuse this upgrade with, spending one unit of its budget. */
  takeUpgradeRefusal(): number | undefined {
    const armed = this.upgradeRefusals.find((refusal) => refusal.remaining > 0);
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    return armed.status;
  }

  reset(): void {
    this.authFailure = false;
    this.insufficientSubscription.clear();
    this.readingPaused.clear();
    this.symbolLimit = this.initialSymbolLimit;
    this.forcedConnectionLimits = 0;
    this.upgradeRefusals = [];
  }
}
