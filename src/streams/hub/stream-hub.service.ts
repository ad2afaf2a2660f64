import { DataQualityService } from '../../core/quality/data-quality.service.js';
import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, OnModuleInit, Optional } from '@nestjs/common';
import type { StreamEndpoint } from '../../alpaca/stream/market-stream.port.js';
import { MarketCache } from '../../core/cache/market-cache.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { Clock } from '../../core/time/clock.js';
import { StreamMetrics } from '../stream-metrics.js';
import { CLIENT_CHANNELS, CLOSE_CODES, type ChannelLists, type ClientChannel } from '../stream-protocol.js';
import { OrderChannel } from '../orders/order-channel.js';
import { OrderEventAudit } from '../orders/order-event-audit.js';
import { ALL_ORDERS, ordersStream, StreamFeed } from '../feed/stream-feed.js';
import type { StreamSession } from './stream-session.js';
import { SessionRegistry } from './session-registry.js';
import { StreamCacheWriter } from './stream-cache-writer.js';
import { MarketDataDelivery } from './market-data-delivery.js';
import { SubscriptionIndex } from './subscription-index.js';
import { checkChannelPermissions, checkConnectionLimit, checkPlanLimit, normalizeLists } from './subscription-rules.js';
import { UpstreamStates } from './upstream-states.js';
import { FanOut } from './stream-fan-out.js';
import { SubscriptionGroups, type SubscriptionGroup } from './subscription-groups.js';
import { HubFeedListener } from './hub-feed-listener.js';

/**
 * Owns the client subscriptions and the upstream sockets: at most one per Alpaca endpoint, opened
 * on the first subscription and closed (after STREAM_UPSTREAM_LINGER_MS) when the last one goes.
 * The union of the clients' symbols is reference-counted per channel; Alpaca is told of a symbol
 * only when its count crosses zero, and never of more than ALPACA_STREAM_MAX_SYMBOLS. Each upstream
 * message is serialized once; sessions with the same subscription share one frame of each upstream
 * frame (SubscriptionGroups), handed out in slices (FanOut), and StreamSession bounds each
 * client's queue. While a stock symbol's quotes or trades are streamed, the cache
 * answers REST reads of it from the stream (`STREAM`).
 */
@Injectable()
export class StreamHub implements OnModuleInit, BeforeApplicationShutdown, OnApplicationBootstrap {
  /** Who holds which symbol on which channel. */
  private readonly index = new SubscriptionIndex();
  private readonly upstreams = new UpstreamStates();
  /** The `orders` channel: Alpaca's trading stream, held at all times (ALPACA_TRADE_UPDATES) for the audit trail. */
  private readonly orders: OrderChannel;
  /** Stock quotes/trades from the stream into the cache. */
  private readonly streamed: StreamCacheWriter;
  private readonly sessions: SessionRegistry;
  private readonly groups = new SubscriptionGroups();
  private readonly fanOut: FanOut;
  private readonly marketData: MarketDataDelivery;
  /** Upstream data, status and refusals, and the fleet's union (HubFeedListener). */
  private readonly feedListener: HubFeedListener;
  private shuttingDown = false;

  constructor(
    private readonly feed: StreamFeed,
    private readonly config: AppConfig,
    cache: MarketCache,
    private readonly metrics: StreamMetrics,
    logger: WinstonLogger,
    orderAudit: OrderEventAudit,
    quality: DataQualityService,
    clock: Clock,
    @Optional() fanOut?: FanOut,
  ) {
    // Tests hand in a FanOut whose slices they run themselves; Nest injects nothing here.
    this.fanOut = fanOut ?? new FanOut();
    this.streamed = new StreamCacheWriter(cache, config);
    this.sessions = new SessionRegistry(config, clock, metrics);
    this.marketData = new MarketDataDelivery(config, quality, this.streamed, this.groups, this.fanOut, metrics);
    this.orders = new OrderChannel(config.stream.tradeUpdates, config.accounts);
    this.feedListener = new HubFeedListener({
      config,
      metrics,
      logger,
      orderAudit,
      index: this.index,
      upstreams: this.upstreams,
      orders: this.orders,
      streamed: this.streamed,
      groups: this.groups,
      fanOut: this.fanOut,
      marketData: this.marketData,
      remove: (session, lists) => this.remove(session, lists),
    });
  }

  /** The feed's news comes to the hub from here on (in a fleet: the relay subscribed, the heartbeat started). */
  onModuleInit(): void {
    this.feed.start(this.feedListener);
  }

  /**
   * Every account's trading stream is wanted at all times, not only while someone subscribes: every
   * fill must reach the audit trail (one socket per account either way). Not before bootstrap: in a fleet, wanting writes
   * to Redis, whose connection is made in its module's init.
   */
  onApplicationBootstrap(): void {
    if (!this.config.stream.tradeUpdates || this.shuttingDown) return;
    for (const account of this.config.accounts.list)
      this.feed.want(ordersStream(account.name), { orders: new Set([ALL_ORDERS]) });
  }

  // ---- sessions ----

  open(sink: StreamSession['sink'], client: string): StreamSession {
    return this.sessions.open(sink, client);
  }

  /**
   * Binds a principal to a session; refuses past STREAM_MAX_CONNECTIONS_PER_PRINCIPAL, and with
   * ACCOUNT_NOT_ALLOWED when the session's X-Alpaca-Account names an account the principal may not use.
   */
  authenticate(
    session: StreamSession,
    principal: NonNullable<StreamSession['principal']>,
    expiresAtMs: number | null,
  ): void {
    const accounts = this.orders.accountsFor(principal, session.accountHeader, session.oneAccount);
    this.sessions.authenticate(session, principal, expiresAtMs);
    session.accounts = accounts;
  }

  /** Everything a closed session held is released (the last holder of a symbol unsubscribes it upstream). */
  close(session: StreamSession): void {
    if (!this.sessions.forget(session)) return;
    // Frames queued for it before it closed are not written (closed), and nothing else is held for it after this.
    this.fanOut.flush();
    this.sessions.release(session);
    const all: ChannelLists = Object.fromEntries(CLIENT_CHANNELS.map((c) => [c, [...session.subscription[c]]]));
    this.remove(session, all);
    this.groups.remove(session);
    this.orders.remove(session);
  }

  sessionsOf(): ReadonlySet<StreamSession> {
    return this.sessions.all();
  }

  /** For tests and leak checks: what the hub holds for its sessions (all zero once every client is gone). */
  held(): {
    sessions: number;
    groups: number;
    groupedSessions: number;
    groupIndex: number;
    subscriptions: number;
    principals: number;
    pendingDeliveries: number;
  } {
    const g = this.groups.sizes();
    return {
      sessions: this.sessions.all().size,
      groups: g.groups,
      groupedSessions: g.sessions,
      groupIndex: g.indexed,
      subscriptions: this.index.count(),
      principals: this.sessions.principals(),
      pendingDeliveries: this.fanOut.pending(),
    };
  }

  /** The group of sessions sharing the session's frames (tests). */
  groupOf(session: StreamSession): SubscriptionGroup | undefined {
    return this.groups.groupOfSession(session);
  }

  // ---- subscriptions ----

  /**
   * Adds to the session's subscription, all or nothing: bad symbols, a channel the role lacks, or a
   * symbol limit refuse the whole request with a catalog error and change nothing.
   */
  subscribe(session: StreamSession, lists: ChannelLists, orders = false): void {
    const principal = session.principal;
    // A closed session (4401 sent, its socket not yet gone) must not make Alpaca subscribe to anything.
    if (principal === null || session.closed) throw new AppError('AUTHENTICATION_REQUIRED');
    const wanted = normalizeLists(lists);
    if (orders) this.orders.check(principal);
    checkChannelPermissions(principal, wanted);
    checkConnectionLimit(session, wanted, this.config.stream.maxSymbolsPerConnection);
    checkPlanLimit(wanted, this.config.stream.maxUpstreamSymbols, (endpoint) => {
      const symbols = this.index.endpointSymbols(endpoint);
      for (const s of this.feed.otherSymbols(endpoint)) symbols.add(s);
      return symbols;
    });
    // Data of upstream frames already queued reaches the client before the change and its ack, as before slicing.
    this.fanOut.flush();
    const touched = this.index.add(session, wanted);
    for (const endpoint of touched) this.sync(endpoint);
    this.groups.update(session);
    if (orders && !session.orders) this.orders.add(session);
    this.metrics.subscriptions(this.index.count());
    // A client joining an upstream that cannot serve learns it at once (it stays subscribed; a gap follows recovery).
    const failure = this.upstreams.failure(Object.keys(wanted) as ClientChannel[]);
    if (failure !== null) session.control(failure);
  }

  /** `orders`: true leaves the orders channel (false, like an absent key, changes nothing). */
  unsubscribe(session: StreamSession, lists: ChannelLists, orders = false): void {
    const normalized = normalizeLists(lists);
    this.fanOut.flush();
    this.remove(session, normalized);
    this.groups.update(session);
    if (orders) this.orders.remove(session);
  }

  private remove(session: StreamSession, lists: ChannelLists): void {
    const touched = this.index.remove(session, lists);
    for (const endpoint of touched) this.sync(endpoint);
    this.metrics.subscriptions(this.index.count());
  }

  // ---- upstream ----

  /** Tells the feed this instance's union for the endpoint (it opens, updates or closes upstream). */
  private sync(endpoint: StreamEndpoint): void {
    const wanted = this.index.upstreamUnion(endpoint);
    if (this.shuttingDown) return;
    this.feed.want(endpoint, wanted);
  }

  // ---- shutdown ----

  /** Shutdown: every client is told (1001) and let go; no new upstream socket opens after this. */
  closeClients(): void {
    this.shuttingDown = true;
    this.fanOut.flush();
    for (const session of [...this.sessions.all()]) {
      session.close(CLOSE_CODES.shutdown, 'server shutting down');
      this.close(session);
    }
  }

  /**
   * Draining on SIGTERM: clients are told (1001) and the upstream socket is handed over at once (the
   * fleet lease released, the socket closed cleanly so Alpaca frees the slot), so another pod takes
   * the stream within a second instead of after the lease lapses.
   */
  handOver(): void {
    this.closeClients();
    void this.feed.close();
  }

  /** Before Redis and the rest close: the fleet feed still releases its lease and wants. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closeClients();
    await this.feed.close();
  }
}
