import type { UpstreamStreamProblem } from '../../alpaca/stream/market-stream.port.js';
import type { AccountsConfig } from '../../core/config/app-config.js';
import { accountNamed } from '../../core/config/alpaca-accounts.js';
import { AppError } from '../../core/errors/app-error.js';
import { accountsOf, chooseAccount } from '../../core/identity/account.js';
import { grants, type Permission } from '../../core/identity/roles.js';
import type { Principal } from '../../core/identity/principal.js';
import type { FeedData } from '../feed/stream-feed.js';
import { errorMessage, OutboundFrame, OutboundMessage } from '../stream-protocol.js';
import type { StreamSession } from '../hub/stream-session.js';

/** trader reads and writes trading, admin reads it (roles.ts): both may follow the account's orders. */
export const ORDERS_PERMISSION: Permission = 'trading:read';

/**
 * The `orders` channel of the client stream: each Alpaca account's order events from its trading
 * stream, to the subscribed sessions that follow that account (StreamSession.accounts: every
 * account the credential may use, or the one X-Alpaca-Account named). Each event is serialized once
 * per upstream frame: `{"type":"order_update","event":…,"order_id":…,"symbol":…,
 * "timestamp":<Alpaca's or null>, "execution_id"/"price"/"qty"/"position_qty" when Alpaca sent them,
 * "order":{…as Alpaca sent it…},"account":…,"received_at":…,"provider":…}`. An account's gaps and
 * upstream errors go to its followers only.
 */
export class OrderChannel {
  private readonly sessions = new Set<StreamSession>();
  /** Per account, the upstream's last refusal while it is `failed` (told to each new subscriber). */
  private readonly problems = new Map<string, UpstreamStreamProblem>();

  constructor(
    /** ALPACA_TRADE_UPDATES: without the trading stream there is nothing to serve. */
    private readonly enabled: boolean,
    private readonly accounts: AccountsConfig,
  ) {}

  /**
   * The accounts a session follows: the header's (ACCOUNT_NOT_ALLOWED when the principal may not
   * use it), the principal's first for a one-account session, else every account it may use.
   */
  accountsFor(principal: Principal, header: string | undefined, oneAccount: boolean): string[] {
    if (header === undefined && !oneAccount) return accountsOf(principal, this.accounts);
    return [chooseAccount(principal, header, this.accounts)];
  }

  /** Throws the catalog error that refuses a subscription (checked before anything changes). */
  check(principal: Principal): void {
    if (!grants(principal.roles, ORDERS_PERMISSION)) {
      throw new AppError('INSUFFICIENT_PERMISSIONS', {
        message: `The orders channel needs the "${ORDERS_PERMISSION}" permission.`,
        details: { channel: 'orders', required_permission: ORDERS_PERMISSION, your_roles: principal.roles },
      });
    }
    if (!this.enabled) {
      throw new AppError('UPSTREAM_STREAM_UNAVAILABLE', {
        message: "The gateway does not hold Alpaca's trading stream (ALPACA_TRADE_UPDATES=false).",
        details: { channel: 'orders', stream: 'orders' },
      });
    }
  }

  add(session: StreamSession): void {
    session.orders = true;
    this.sessions.add(session);
    for (const account of session.accounts) {
      const problem = this.problems.get(account);
      if (problem === undefined) continue;
      session.control(
        errorMessage(
          new AppError(problem.code, {
            message: problem.message,
            details: { ...problem.details, stream: 'orders', account },
          }),
        ),
      );
    }
  }

  remove(session: StreamSession): void {
    session.orders = false;
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Remembers an account's refusal while its upstream is `failed`, forgets it once it is anything else. */
  upstreamProblem(account: string, problem: UpstreamStreamProblem | null): void {
    if (problem === null) this.problems.delete(account);
    else this.problems.set(account, problem);
  }

  /** One frame with the upstream frame's events, shared by the account's followers; returns the deliveries made. */
  deliver(account: string, messages: readonly FeedData[], receivedAt: string): number {
    const followers = this.followersOf(account);
    if (followers.length === 0) return 0;
    const provider = this.providerOf(account);
    const out: OutboundMessage[] = [];
    for (const m of messages) {
      if (m.type !== 'order_update') continue;
      out.push(OutboundMessage.of({ type: 'order_update', ...m.data, account, received_at: receivedAt, provider }, m));
    }
    if (out.length === 0) return 0;
    const frame = new OutboundFrame(out);
    for (const session of followers) session.deliver(frame);
    return out.length * followers.length;
  }

  /** An account's gaps and upstream errors: to each of its followers, never dropped. */
  broadcast(account: string, message: OutboundMessage): void {
    for (const session of this.followersOf(account)) session.control(message);
  }

  private followersOf(account: string): StreamSession[] {
    return [...this.sessions].filter((s) => s.accounts.includes(account));
  }

  private providerOf(account: string): 'alpaca' | 'non_alpaca_host' {
    const mode = accountNamed(this.accounts, account)?.tradingMode;
    return mode === 'non_alpaca_host' ? 'non_alpaca_host' : 'alpaca';
  }
}
