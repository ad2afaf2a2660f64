import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../core/time/clock.js';
import { perAccountName } from '../../core/config/alpaca-accounts.js';
import { IdempotencyMemory } from './idempotency.js';
import type { Claim, IdempotencyLedger } from './idempotency-ledger.js';

/**
 * The ledger's namespace of an account's submissions: `order` for the account named `default`
 * (as before there were several accounts, so a rolling deploy keeps its keys), `order@NAME` for
 * the others. Alpaca keeps client_order_id unique per account, so a key is one order per account.
 */
export function ledgerNamespace(account: string): string {
  return perAccountName('order', account, '@');
}

/** How long and how often a repeat waits for the instance sending its body: past a timed-out submission and its look-ups (~7 s). */
const SETTLE_POLL_MS = [25, 50, 100, 200, 400, 800, 1600, 1600, 1600, 1600];

/**
 * What this instance and the fleet know of a submission's idempotency key: this instance's memory
 * of the order each key placed, and the fleet's ledger of who claimed a key with which body.
 */
export class SubmissionKeys {
  private readonly memory: IdempotencyMemory;

  constructor(
    private readonly ledger: IdempotencyLedger,
    clock: Clock,
  ) {
    this.memory = new IdempotencyMemory(clock);
  }

  /** The order this instance remembers under the key, with the fingerprint of its body. */
  known(account: string, key: string): { fingerprint: string; orderId: string } | undefined {
    return this.memory.get(`${account}\n${key}`);
  }

  /** Claims the key in the fleet's ledger for this body. */
  async claim(account: string, key: string, fingerprint: string): Promise<Claim> {
    const claim = await this.ledger.claim(ledgerNamespace(account), key, fingerprint);
    // Another instance is sending this very body now: wait for its order rather than race it.
    if (claim.kind === 'same' && claim.orderId === null) return this.awaitSettled(account, key, fingerprint);
    return claim;
  }

  /**
   * Polls the fleet's ledger while another instance sends the same body under the key, so that
   * only the instance that claimed the key sends (a duplicate answer to a claimant then always
   * means an order older than the claim, judged from Alpaca's copy). Returns once the order is
   * known, the key is free again (then this request claims it) or the wait is over (then this
   * request sends too, and Alpaca's uniqueness keeps it one order).
   */
  private async awaitSettled(account: string, key: string, fingerprint: string): Promise<Claim> {
    let claim: Claim = { kind: 'same', orderId: null };
    for (const delay of SETTLE_POLL_MS) {
      await sleep(delay);
      claim = await this.ledger.claim(ledgerNamespace(account), key, fingerprint);
      if (claim.kind !== 'same' || claim.orderId !== null) return claim;
    }
    return claim;
  }

  /** Gives the key back when this request claimed it and nothing was placed under it. */
  async releaseOwn(account: string, claim: Claim, key: string, fingerprint: string): Promise<void> {
    if (claim.kind === 'claimed') await this.ledger.release(ledgerNamespace(account), key, fingerprint);
  }

  /** This instance and, through the ledger, the fleet answer later repeats with this order. */
  remember(account: string, key: string, fingerprint: string, orderId: string): void {
    this.memory.set(`${account}\n${key}`, fingerprint, orderId);
    // Not awaited: the ledger is shared knowledge, never a condition of answering (it logs its own failures).
    void this.ledger.settle(ledgerNamespace(account), key, fingerprint, orderId);
  }
}
