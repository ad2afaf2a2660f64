import type {
  StreamEndpoint,
  UpstreamStreamProblem,
  UpstreamStreamStatus,
} from '../../alpaca/stream/market-stream.port.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { StreamMetrics } from '../stream-metrics.js';
import { OutboundMessage, type ChannelLists } from '../stream-protocol.js';
import type { OrderChannel } from '../orders/order-channel.js';
import type { OrderEventAudit } from '../orders/order-event-audit.js';
import {
  accountOfStream,
  isOrdersStream,
  symbolsOf,
  type FeedData,
  type FeedListener,
  type FeedStream,
  type FeedSubscription,
  type StatusInfo,
} from '../feed/stream-feed.js';
import type { StreamSession } from './stream-session.js';
import type { StreamCacheWriter } from './stream-cache-writer.js';
import type { MarketDataDelivery } from './market-data-delivery.js';
import type { SubscriptionIndex } from './subscription-index.js';
import { planCutMessage } from './subscription-rules.js';
import { problemMessage, streamNaming, type UpstreamStates } from './upstream-states.js';
import type { FanOut } from './stream-fan-out.js';
import type { SubscriptionGroups } from './subscription-groups.js';

/** What StreamHub shares with the listener of its feed. */
export interface HubParts {
  readonly config: AppConfig;
  readonly metrics: StreamMetrics;
  readonly logger: WinstonLogger;
  readonly orderAudit: OrderEventAudit;
  readonly index: SubscriptionIndex;
  readonly upstreams: UpstreamStates;
  readonly orders: OrderChannel;
  readonly streamed: StreamCacheWriter;
  readonly groups: SubscriptionGroups;
  readonly fanOut: FanOut;
  readonly marketData: MarketDataDelivery;
  /** The hub's release of a session's symbols (the last holder of a symbol unsubscribes it upstream). */
  readonly remove: (session: StreamSession, lists: ChannelLists) => void;
}

/** The feed's news to the hub: upstream data, status and refusals, and the fleet's union. */
export class HubFeedListener implements FeedListener {
  /** Set while refuseCut unsubscribes (its own changes come back through the feed's union). */
  private refusingCut = false;

  constructor(private readonly hub: HubParts) {}

  // ---- upstream ----

  data(endpoint: FeedStream, messages: readonly FeedData[], receivedAt: string): void {
    const { orders, fanOut, metrics } = this.hub;
    if (isOrdersStream(endpoint)) {
      fanOut.flush();
      metrics.upstreamMessages(endpoint, messages.length);
      const deliveries = orders.deliver(accountOfStream(endpoint), messages, receivedAt);
      if (deliveries > 0) metrics.delivered(deliveries, Date.parse(receivedAt));
      return;
    }
    this.hub.marketData.deliver(endpoint, messages, receivedAt);
  }

  /** On the instance that read them from Alpaca: order events go to the audit trail (once, whoever else saw them). */
  read(endpoint: FeedStream, messages: readonly FeedData[], receivedAt: string): void {
    if (!isOrdersStream(endpoint)) return;
    this.hub.orderAudit.record(
      messages.flatMap((m) => (m.type === 'order_update' ? [m.data] : [])),
      receivedAt,
      accountOfStream(endpoint),
    );
  }

  status(endpoint: FeedStream, status: UpstreamStreamStatus, info: StatusInfo): void {
    const { upstreams, orders, metrics, logger, streamed } = this.hub;
    upstreams.record(endpoint, status, info.problem ?? null);
    if (isOrdersStream(endpoint))
      orders.upstreamProblem(accountOfStream(endpoint), status === 'failed' ? (info.problem ?? null) : null);
    metrics.upstreamStatus(endpoint, status);
    logger.event(
      status === 'failed' ? 'error' : status === 'reconnecting' ? 'warn' : 'info',
      'stream_upstream_status',
      {
        stream: endpoint,
        status,
        gap: info.gap ?? null,
        problem: info.problem === undefined ? null : { code: info.problem.code, details: info.problem.details },
      },
    );
    if (status !== 'live') streamed.clear(endpoint);
    if (status === 'live' && info.gap !== undefined) {
      this.broadcast(
        endpoint,
        OutboundMessage.of({
          type: 'gap',
          ...streamNaming(endpoint),
          from: info.gap.from,
          to: info.gap.to,
          reason: info.gap.reason,
        }),
      );
    }
    if (status === 'failed' && info.problem !== undefined) {
      this.broadcast(endpoint, problemMessage(endpoint, info.problem));
    }
  }

  refused(endpoint: FeedStream, problem: UpstreamStreamProblem): void {
    this.broadcast(endpoint, problemMessage(endpoint, problem));
  }

  leadership(endpoint: FeedStream, leading: boolean): void {
    this.hub.metrics.leader(endpoint, leading);
  }

  /** A control message to every session subscribed to anything on the endpoint, once each. */
  private broadcast(endpoint: FeedStream, message: OutboundMessage): void {
    // After the data queued before it (a gap follows the frames that came before the interruption).
    this.hub.fanOut.flush();
    if (isOrdersStream(endpoint)) return this.hub.orders.broadcast(accountOfStream(endpoint), message);
    for (const s of this.hub.index.holdersOn(endpoint)) s.control(message);
  }

  // ---- the fleet's union ----

  /** The symbols streamed changed: the union's gauge, the clients it left out, the stream-fed cache. */
  streamed(endpoint: FeedStream, union: FeedSubscription): void {
    this.hub.metrics.union(endpoint, symbolsOf(union).size);
    if (!isOrdersStream(endpoint)) this.refuseCut(endpoint, union);
    this.hub.streamed.keepOnly(endpoint, union);
  }

  /**
   * Symbols this instance's clients hold that the fleet's union left out: two instances that
   * admitted subscriptions at the same moment can together pass the plan's symbol limit, and the
   * union (the same on every instance) is cut at the limit. Those clients are told (the symbol
   * limit error, then their subscription as it now is) and unsubscribed: refused, never left
   * subscribed to symbols that will not come.
   */
  private refuseCut(endpoint: StreamEndpoint, union: FeedSubscription): void {
    if (this.refusingCut) return;
    const cut = this.hub.index.leftOut(endpoint, union);
    if (cut.size === 0) return;
    const max = this.hub.config.stream.maxUpstreamSymbols;
    this.refusingCut = true;
    try {
      this.hub.fanOut.flush();
      for (const [session, lists] of cut) {
        this.hub.remove(session, lists);
        this.hub.groups.update(session);
        session.control(planCutMessage(endpoint, max, lists));
        session.control(session.subscriptionReply());
      }
    } finally {
      this.refusingCut = false;
    }
    this.hub.logger.event('warn', 'stream_plan_limit_cut', { stream: endpoint, sessions: cut.size, limit: max });
  }
}
