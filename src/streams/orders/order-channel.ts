import type { UpstreamStreamProblem } from '../../alpaca/stream/market-stream.port.js';
import { AppError } from '../../core/errors/app-error.js';
import { grants, type Permission } from '../../core/identity/roles.js';
import type { Principal } from '../../core/identity/principal.js';
import type { FeedData } from '../feed/stream-feed.js';
import { errorMessage, OutboundFrame, OutboundMessage } from '../stream-protocol.js';
import type { StreamSession } from '../hub/stream-session.js';

/** trader reads and writes trading, admin reads it (roles.ts): both may follow the account's orders. */
export const ORDERS_PERMISSION: Permission = 'trading:read';

/**
 * The `orders` channel of the client stream: the account's order events from Alpaca's trading
 * stream, to every subscribed session. The gateway trades on one Alpaca account, so every
 * subscriber sees every order of it (as the REST order list does). Each event is serialized once:
 * `{"type":"order_update","event":…,"order_id":…,"symbol":…,"timestamp":<Alpaca's or null>,
 * "execution_id"/"price"/"qty"/"position_qty" when Alpaca sent them, "order":{…as Alpaca sent it…},
 * "received_at":…,"provider":…}`.
 */
export class OrderChannel {
  private readonly sessions = new Set<StreamSession>();
  /** The upstream's last refusal while it is `failed` (told to each new subscriber). */
  private problem: UpstreamStreamProblem | null = null;

  constructor(
    /** ALPACA_TRADE_UPDATES: without the trading stream there is nothing to serve. */
    private readonly enabled: boolean,
    private readonly provider: 'alpaca' | 'non_alpaca_host',
  ) {}

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
    if (this.problem !== null)
      session.control(
        errorMessage(
          new AppError(this.problem.code, {
            message: this.problem.message,
            details: { ...this.problem.details, stream: 'orders' },
          }),
        ),
      );
  }

  remove(session: StreamSession): void {
    session.orders = false;
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Remembers a refusal while the upstream is `failed`, forgets it once it is anything else. */
  upstreamProblem(problem: UpstreamStreamProblem | null): void {
    this.problem = problem;
  }

  /** One frame with the upstream frame's events, shared by every session; returns the deliveries made. */
  deliver(messages: readonly FeedData[], receivedAt: string): number {
    if (this.sessions.size === 0) return 0;
    const out: OutboundMessage[] = [];
    for (const m of messages) {
      if (m.type !== 'order_update') continue;
      out.push(
        OutboundMessage.of({ type: 'order_update', ...m.data, received_at: receivedAt, provider: this.provider }, m),
      );
    }
    if (out.length === 0) return 0;
    const frame = new OutboundFrame(out);
    for (const session of this.sessions) session.deliver(frame);
    return out.length * this.sessions.size;
  }

  /** Gaps and upstream errors: to every subscriber, never dropped. */
  broadcast(message: OutboundMessage): void {
    for (const session of this.sessions) session.control(message);
  }
}
