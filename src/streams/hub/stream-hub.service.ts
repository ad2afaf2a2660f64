import type { DataQuality, QualityFlag } from '../../core/quality/data-quality.js';
import { DataQualityService } from '../../core/quality/data-quality.service.js';
import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { StreamEndpoint, UpstreamStreamProblem, UpstreamStreamStatus, UpstreamSubscription } from '../../alpaca/stream/market-stream.port.js';
import { grants } from '../../core/identity/roles.js';
import type { Provenance } from '../../core/attribution/provenance.js';
import { cacheKeys, MarketCache } from '../../core/cache/market-cache.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { Clock } from '../../core/time/clock.js';
import { StreamMetrics } from '../stream-metrics.js';
import { CHANNEL_SOURCE, CLIENT_CHANNELS, CLOSE_CODES, errorMessage, normalizeChannelSymbols, OutboundFrame, OutboundMessage, type ChannelLists, type ClientChannel } from '../stream-protocol.js';
import { OrderChannel } from '../orders/order-channel.js';
import { OrderEventAudit } from '../orders/order-event-audit.js';
import { ALL_ORDERS, StreamFeed, symbolsOf, type FeedData, type FeedStream, type FeedSubscription, type StatusInfo } from '../feed/stream-feed.js';
import { StreamSession } from './stream-session.js';
import { FanOut } from './stream-fan-out.js';
import { SubscriptionGroups, type SubscriptionGroup } from './subscription-groups.js';

const OFFICIAL_STREAM_HOSTS = new Set(['stream.data.alpaca.markets', 'stream.data.sandbox.alpaca.markets']);
/** The client channel each upstream message goes to: corrections and cancel/errors to the symbol's `trades`, as Alpaca sends them. */
const DATA_TYPE_CHANNEL: Readonly<Record<Exclude<FeedData['type'], 'order_update'>, ClientChannel>> = {
  quote: 'quotes',
  trade: 'trades',
  correction: 'trades',
  cancel_error: 'trades',
  bar: 'bars',
  updated_bar: 'updated_bars',
  daily_bar: 'daily_bars',
  status: 'statuses',
  luld: 'lulds',
  option_quote: 'option_quotes',
  option_trade: 'option_trades',
};

/** An upstream problem as the catalog error clients get, naming the stream it concerns. */
function problemMessage(endpoint: FeedStream, problem: UpstreamStreamProblem): OutboundMessage {
  return errorMessage(new AppError(problem.code, { message: problem.message, details: { ...problem.details, stream: endpoint } }));
}

interface UpstreamState {
  status: UpstreamStreamStatus;
  problem: UpstreamStreamProblem | null;
}

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
export class StreamHub implements BeforeApplicationShutdown, OnApplicationBootstrap {
  /** channel → symbol → subscribed sessions. */
  private readonly index: Record<ClientChannel, Map<string, Set<StreamSession>>> = Object.fromEntries(
    CLIENT_CHANNELS.map((c) => [c, new Map<string, Set<StreamSession>>()]),
  ) as Record<ClientChannel, Map<string, Set<StreamSession>>>;
  private readonly upstreams = new Map<FeedStream, UpstreamState>();
  /** The `orders` channel: Alpaca's trading stream, held at all times (ALPACA_TRADE_UPDATES) for the audit trail. */
  private readonly orders: OrderChannel;
  /** Stock symbols whose quotes/trades the cache holds from the stream, per kind. */
  private readonly streamedKeys = { quote: new Set<string>(), trade: new Set<string>() };
  /** Set while refuseCut unsubscribes (its own changes come back through the feed's union). */
  private refusingCut = false;
  private readonly sessions = new Set<StreamSession>();
  private readonly groups = new SubscriptionGroups();
  private readonly fanOut: FanOut;
  private readonly perPrincipal = new Map<string, number>();
  private readonly provider: 'alpaca' | 'non_alpaca_host';
  private readonly providerHost: string;
  private shuttingDown = false;

  constructor(
    private readonly feed: StreamFeed,
    private readonly config: AppConfig,
    private readonly cache: MarketCache,
    private readonly metrics: StreamMetrics,
    private readonly logger: WinstonLogger,
    private readonly orderAudit: OrderEventAudit,
    private readonly quality: DataQualityService,
    private readonly clock: Clock,
    @Optional() fanOut?: FanOut,
  ) {
    // Tests hand in a FanOut whose slices they run themselves; Nest injects nothing here.
    this.fanOut = fanOut ?? new FanOut();
    this.providerHost = new URL(config.stream.url).host;
    this.provider = OFFICIAL_STREAM_HOSTS.has(this.providerHost) ? 'alpaca' : 'non_alpaca_host';
    this.orders = new OrderChannel(config.stream.tradeUpdates, config.alpaca.tradingMode === 'non_alpaca_host' ? 'non_alpaca_host' : 'alpaca');
    feed.start({
      data: (endpoint, messages, receivedAt) => this.onData(endpoint, messages, receivedAt),
      read: (endpoint, messages, receivedAt) => this.onRead(endpoint, messages, receivedAt),
      status: (endpoint, status, info) => this.onStatus(endpoint, status, info),
      refused: (endpoint, problem) => this.broadcast(endpoint, problemMessage(endpoint, problem)),
      streamed: (endpoint, union) => this.onStreamedUnion(endpoint, union),
      leadership: (endpoint, leading) => this.metrics.leader(endpoint, leading),
    });
  }

  /**
   * The trading stream is wanted at all times, not only while someone subscribes: every fill must
   * reach the audit trail (one socket either way). Not before bootstrap: in a fleet, wanting writes
   * to Redis, whose connection is made in its module's init.
   */
  onApplicationBootstrap(): void {
    if (this.config.stream.tradeUpdates && !this.shuttingDown) this.feed.want('orders', { orders: new Set([ALL_ORDERS]) });
  }

  // ---- sessions ----

  open(sink: StreamSession['sink'], client: string): StreamSession {
    const { clientQueueMessages: messages, clientQueueBytes: bytes, slowClientCloseMs: slowCloseMs } = this.config.stream;
    const session = new StreamSession(sink, client, { messages, bytes, slowCloseMs }, () => this.clock.now(), (n) => this.metrics.dropped(n));
    this.sessions.add(session);
    this.metrics.clients(sink.transport, 1);
    return session;
  }

  /** Binds a principal to a session; refuses past STREAM_MAX_CONNECTIONS_PER_PRINCIPAL. */
  authenticate(session: StreamSession, principal: NonNullable<StreamSession['principal']>, expiresAtMs: number | null): void {
    // A session closed while its credentials were being verified binds nothing (hub.close has run, or will not count it).
    if (session.closed) throw new AppError('AUTHENTICATION_REQUIRED', { message: 'The connection is closed.' });
    const tracker = principal.keyId ?? principal.sub;
    if (session.principal === null) {
      const held = this.perPrincipal.get(tracker) ?? 0;
      if (held >= this.config.stream.maxConnectionsPerPrincipal) {
        throw new AppError('RATE_LIMIT_EXCEEDED', {
          message: `At most ${this.config.stream.maxConnectionsPerPrincipal} stream connections per principal.`,
          details: { reason: 'stream_connections', limit: this.config.stream.maxConnectionsPerPrincipal },
        });
      }
      this.perPrincipal.set(tracker, held + 1);
    }
    session.principal = principal;
    session.expiresAtMs = expiresAtMs;
  }

  /** Everything a closed session held is released (the last holder of a symbol unsubscribes it upstream). */
  close(session: StreamSession): void {
    if (!this.sessions.delete(session)) return;
    // Frames queued for it before it closed are not written (closed), and nothing else is held for it after this.
    this.fanOut.flush();
    session.closed = true;
    this.metrics.clients(session.sink.transport, -1);
    if (session.principal !== null) {
      const tracker = session.principal.keyId ?? session.principal.sub;
      const held = (this.perPrincipal.get(tracker) ?? 1) - 1;
      if (held <= 0) this.perPrincipal.delete(tracker);
      else this.perPrincipal.set(tracker, held);
    }
    const all: ChannelLists = Object.fromEntries(CLIENT_CHANNELS.map((c) => [c, [...session.subscription[c]]]));
    this.remove(session, all);
    this.groups.remove(session);
    this.orders.remove(session);
  }

  sessionsOf(): ReadonlySet<StreamSession> {
    return this.sessions;
  }

  /** For tests and leak checks: what the hub holds for its sessions (all zero once every client is gone). */
  held(): { sessions: number; groups: number; groupedSessions: number; groupIndex: number; subscriptions: number; principals: number; pendingDeliveries: number } {
    const g = this.groups.sizes();
    return {
      sessions: this.sessions.size,
      groups: g.groups,
      groupedSessions: g.sessions,
      groupIndex: g.indexed,
      subscriptions: this.subscriptionCount(),
      principals: this.perPrincipal.size,
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
    const wanted = this.normalize(lists);
    if (orders) this.orders.check(principal);
    for (const channel of Object.keys(wanted) as ClientChannel[]) {
      const permission = CHANNEL_SOURCE[channel].permission;
      if (!grants(principal.roles, permission)) {
        throw new AppError('INSUFFICIENT_PERMISSIONS', {
          message: `The ${channel} channel needs the "${permission}" permission.`,
          details: { channel, required_permission: permission, your_roles: principal.roles },
        });
      }
    }
    const added = new Set<string>();
    for (const [channel, symbols] of Object.entries(wanted) as Array<[ClientChannel, string[]]>) {
      for (const s of symbols) if (!session.subscription[channel].has(s)) added.add(`${channel}:${s}`);
    }
    const perConnection = this.config.stream.maxSymbolsPerConnection;
    if (session.symbolCount() + added.size > perConnection) {
      throw new AppError('STREAM_SYMBOL_LIMIT', {
        message: `At most ${perConnection} subscriptions per connection.`,
        details: { scope: 'connection', limit: perConnection, subscribed: session.symbolCount(), requested_new: added.size },
      });
    }
    this.checkPlanLimit(wanted);
    // Data of upstream frames already queued reaches the client before the change and its ack, as before slicing.
    this.fanOut.flush();
    const touched = new Set<StreamEndpoint>();
    for (const [channel, symbols] of Object.entries(wanted) as Array<[ClientChannel, string[]]>) {
      for (const symbol of symbols) {
        if (session.subscription[channel].has(symbol)) continue;
        session.subscription[channel].add(symbol);
        let holders = this.index[channel].get(symbol);
        if (holders === undefined) {
          holders = new Set();
          this.index[channel].set(symbol, holders);
          touched.add(CHANNEL_SOURCE[channel].endpoint);
        }
        holders.add(session);
      }
    }
    for (const endpoint of touched) this.sync(endpoint);
    this.groups.update(session);
    if (orders && !session.orders) this.orders.add(session);
    this.metrics.subscriptions(this.subscriptionCount());
    this.tellProblem(session, wanted);
  }

  /** `orders`: true leaves the orders channel (false, like an absent key, changes nothing). */
  unsubscribe(session: StreamSession, lists: ChannelLists, orders = false): void {
    const normalized = this.normalize(lists);
    this.fanOut.flush();
    this.remove(session, normalized);
    this.groups.update(session);
    if (orders) this.orders.remove(session);
  }

  private remove(session: StreamSession, lists: ChannelLists): void {
    const touched = new Set<StreamEndpoint>();
    for (const [channel, symbols] of Object.entries(lists) as Array<[ClientChannel, string[]]>) {
      for (const symbol of symbols) {
        if (!session.subscription[channel].delete(symbol)) continue;
        const holders = this.index[channel].get(symbol);
        holders?.delete(session);
        if (holders !== undefined && holders.size === 0) {
          this.index[channel].delete(symbol);
          touched.add(CHANNEL_SOURCE[channel].endpoint);
        }
      }
    }
    for (const endpoint of touched) this.sync(endpoint);
    this.metrics.subscriptions(this.subscriptionCount());
  }

  private normalize(lists: ChannelLists): ChannelLists {
    const out: ChannelLists = {};
    for (const [channel, raw] of Object.entries(lists) as Array<[ClientChannel, string[]]>) out[channel] = normalizeChannelSymbols(channel, raw);
    return out;
  }

  /** Distinct symbols per endpoint (over its channels) after adding `wanted`, against the plan's limit. */
  private checkPlanLimit(wanted: ChannelLists): void {
    const max = this.config.stream.maxUpstreamSymbols;
    for (const endpoint of ['stocks', 'options'] as const) {
      const symbols = this.endpointSymbols(endpoint);
      for (const s of this.feed.otherSymbols(endpoint)) symbols.add(s);
      const before = symbols.size;
      for (const [channel, list] of Object.entries(wanted) as Array<[ClientChannel, string[]]>) {
        if (CHANNEL_SOURCE[channel].endpoint === endpoint) for (const s of list) symbols.add(s);
      }
      if (symbols.size > max && symbols.size > before) {
        throw new AppError('STREAM_SYMBOL_LIMIT', {
          message: `Alpaca's plan allows ${max} streamed symbols on the ${endpoint} stream (for the whole fleet); this would make ${symbols.size}.`,
          details: { scope: 'upstream_plan', stream: endpoint, limit: max, would_be: symbols.size },
        });
      }
    }
  }

  private endpointSymbols(endpoint: StreamEndpoint): Set<string> {
    const out = new Set<string>();
    for (const channel of CLIENT_CHANNELS) if (CHANNEL_SOURCE[channel].endpoint === endpoint) for (const s of this.index[channel].keys()) out.add(s);
    return out;
  }

  private subscriptionCount(): number {
    let n = 0;
    for (const channel of CLIENT_CHANNELS) n += this.index[channel].size;
    return n;
  }

  /** A client joining an upstream that cannot serve learns it at once (it stays subscribed; a gap follows recovery). */
  private tellProblem(session: StreamSession, wanted: ChannelLists): void {
    for (const channel of Object.keys(wanted) as ClientChannel[]) {
      const up = this.upstreams.get(CHANNEL_SOURCE[channel].endpoint);
      if (up?.problem != null && up.status === 'failed') {
        session.control(problemMessage(CHANNEL_SOURCE[channel].endpoint, up.problem));
        return;
      }
    }
  }

  // ---- upstream ----

  /** Tells the feed this instance's union for the endpoint (it opens, updates or closes upstream). */
  private sync(endpoint: StreamEndpoint): void {
    const wanted: UpstreamSubscription = {};
    for (const channel of CLIENT_CHANNELS) {
      const source = CHANNEL_SOURCE[channel];
      if (source.endpoint !== endpoint || this.index[channel].size === 0) continue;
      wanted[source.channel] = new Set(this.index[channel].keys());
    }
    if (this.shuttingDown) return;
    this.feed.want(endpoint, wanted);
  }

  private onData(endpoint: FeedStream, messages: readonly FeedData[], receivedAt: string): void {
    if (endpoint === 'orders') {
      this.fanOut.flush();
      this.metrics.upstreamMessages(endpoint, messages.length);
      const deliveries = this.orders.deliver(messages, receivedAt);
      if (deliveries > 0) this.metrics.delivered(deliveries, Date.parse(receivedAt));
      return;
    }
    const feed = endpoint === 'stocks' ? this.config.alpaca.stockFeed : this.config.alpaca.optionsFeed;
    this.metrics.upstreamMessages(endpoint, messages.length);
    const receivedMs = Date.parse(receivedAt);
    // Each message is serialized once; each group of sessions with the same subscription then gets
    // one frame with its messages of this upstream frame, built once and shared by its sessions.
    const perGroup = new Map<SubscriptionGroup, OutboundMessage[]>();
    let deliveries = 0;
    for (const m of messages) {
      if (m.type === 'order_update') continue;
      // Checked once per upstream message, whoever receives it (the REST answer from the stream too).
      const dataQuality = this.quality.of(this.flagsOf(m));
      // The cache takes every streamed stock quote/trade (in a fleet also those of other instances' clients).
      if (m.type === 'quote' || m.type === 'trade') this.setStreamed(m.type, feed, m.symbol, m.data, { timestamp: m.data.timestamp, receivedMs, quality: dataQuality });
      const holders = this.groups.holders(DATA_TYPE_CHANNEL[m.type], m.symbol);
      if (holders === undefined || holders.size === 0) continue;
      const out = OutboundMessage.of({ type: m.type, symbol: m.symbol, ...m.data, received_at: receivedAt, feed, provider: this.provider, data_quality: dataQuality }, m);
      for (const group of holders) {
        const batch = perGroup.get(group);
        if (batch === undefined) perGroup.set(group, [out]);
        else batch.push(out);
        deliveries += group.sessions.size;
      }
    }
    for (const [group, batch] of perGroup) this.fanOut.enqueue([...group.sessions], new OutboundFrame(batch));
    if (deliveries > 0) this.metrics.delivered(deliveries, receivedMs);
  }

  /** On the instance that read them from Alpaca: order events go to the audit trail (once, whoever else saw them). */
  private onRead(endpoint: FeedStream, messages: readonly FeedData[], receivedAt: string): void {
    if (endpoint !== 'orders') return;
    this.orderAudit.record(messages.flatMap((m) => (m.type === 'order_update' ? [m.data] : [])), receivedAt);
  }

  private onStatus(endpoint: FeedStream, status: UpstreamStreamStatus, info: StatusInfo): void {
    this.upstreams.set(endpoint, { status, problem: info.problem ?? null });
    if (endpoint === 'orders') this.orders.upstreamProblem(status === 'failed' ? (info.problem ?? null) : null);
    this.metrics.upstreamStatus(endpoint, status);
    this.logger.event(status === 'failed' ? 'error' : status === 'reconnecting' ? 'warn' : 'info', 'stream_upstream_status', {
      stream: endpoint,
      status,
      gap: info.gap ?? null,
      problem: info.problem === undefined ? null : { code: info.problem.code, details: info.problem.details },
    });
    if (status !== 'live') this.clearStreamed(endpoint);
    if (status === 'live' && info.gap !== undefined) {
      this.broadcast(endpoint, OutboundMessage.of({ type: 'gap', stream: endpoint, from: info.gap.from, to: info.gap.to, reason: info.gap.reason }));
    }
    if (status === 'failed' && info.problem !== undefined) {
      this.broadcast(endpoint, problemMessage(endpoint, info.problem));
    }
  }

  /** A control message to every session subscribed to anything on the endpoint, once each. */
  private broadcast(endpoint: FeedStream, message: OutboundMessage): void {
    // After the data queued before it (a gap follows the frames that came before the interruption).
    this.fanOut.flush();
    if (endpoint === 'orders') return this.orders.broadcast(message);
    const reached = new Set<StreamSession>();
    for (const channel of CLIENT_CHANNELS) {
      if (CHANNEL_SOURCE[channel].endpoint !== endpoint) continue;
      for (const holders of this.index[channel].values()) for (const s of holders) reached.add(s);
    }
    for (const s of reached) s.control(message);
  }

  // ---- the stream-fed cache ----

  /**
   * Stream data is live by definition: prices, sizes, crossed/locked quotes and future timestamps
   * are checked, staleness is not (a quiet symbol's last tick is simply its latest). Updated and
   * daily bars are bars; a correction's corrected trade is a trade; LULD bands have prices; a
   * status or a cancel/error has only its timestamp to check.
   */
  private flagsOf(m: Exclude<FeedData, { type: 'order_update' }>): QualityFlag[] {
    const checks = this.quality.checks;
    const at = this.quality.moment(false);
    switch (m.type) {
      case 'quote':
      case 'option_quote':
        return checks.quote(m.data, at);
      case 'trade':
      case 'option_trade':
        return checks.trade(m.data, at);
      case 'bar':
      case 'updated_bar':
      case 'daily_bar':
        return checks.bar(m.data, at);
      case 'correction':
        return checks.trade({ timestamp: m.data.timestamp, price: m.data.corrected_price, size: m.data.corrected_size }, at);
      case 'luld': {
        const flags = checks.timestamp(m.data.timestamp, at);
        if (m.data.limit_up_price <= 0 || m.data.limit_down_price <= 0) flags.push('non_positive_price');
        return flags;
      }
      case 'status':
      case 'cancel_error':
        return checks.timestamp(m.data.timestamp, at);
    }
  }

  private setStreamed(kind: 'quote' | 'trade', feed: string, symbol: string, value: object, tick: { timestamp: string; receivedMs: number; quality: DataQuality }): void {
    const provenance: Provenance = {
      dataSource: 'alpaca_real_time',
      provider: this.provider,
      providerHost: this.providerHost,
      feed,
      dataTimestamp: tick.timestamp,
      upstreamRequestIds: [],
      fetchedAt: tick.receivedMs,
      quality: tick.quality,
    };
    this.streamedKeys[kind].add(symbol);
    this.cache.setStreamed(cacheKeys.stock(kind, feed, symbol), { value, provenance });
  }

  private unsetStreamed(kind: 'quote' | 'trade', symbol: string): void {
    this.streamedKeys[kind].delete(symbol);
    this.cache.unsetStreamed(cacheKeys.stock(kind, this.config.alpaca.stockFeed, symbol));
  }

  /** A symbol no longer streamed (by anyone) loses its STREAM answer: REST goes back to Alpaca. */
  private onStreamedUnion(endpoint: FeedStream, union: FeedSubscription): void {
    this.metrics.union(endpoint, symbolsOf(union).size);
    if (endpoint !== 'orders') this.refuseCut(endpoint, union);
    if (endpoint !== 'stocks') return;
    for (const kind of ['quote', 'trade'] as const) {
      const still = union[kind === 'quote' ? 'quotes' : 'trades'];
      for (const symbol of [...this.streamedKeys[kind]]) if (still === undefined || !still.has(symbol)) this.unsetStreamed(kind, symbol);
    }
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
    const cut = new Map<StreamSession, ChannelLists>();
    for (const channel of CLIENT_CHANNELS) {
      const source = CHANNEL_SOURCE[channel];
      if (source.endpoint !== endpoint) continue;
      const streamed = union[source.channel];
      for (const [symbol, holders] of this.index[channel]) {
        if (streamed?.has(symbol) === true) continue;
        for (const session of holders) {
          const lists = cut.get(session) ?? {};
          (lists[channel] ??= []).push(symbol);
          cut.set(session, lists);
        }
      }
    }
    if (cut.size === 0) return;
    const max = this.config.stream.maxUpstreamSymbols;
    this.refusingCut = true;
    try {
      this.fanOut.flush();
      for (const [session, lists] of cut) {
        this.remove(session, lists);
        this.groups.update(session);
        const symbols = [...new Set(Object.values(lists).flat())];
        session.control(
          errorMessage(
            new AppError('STREAM_SYMBOL_LIMIT', {
              message: `Alpaca's plan allows ${max} streamed symbols on the ${endpoint} stream for the whole fleet; another instance took the last places at the same moment, so ${symbols.slice(0, 10).join(', ')} ${symbols.length === 1 ? 'was' : 'were'} unsubscribed.`,
              details: { scope: 'upstream_plan', stream: endpoint, limit: max, unsubscribed: lists },
            }),
          ),
        );
        session.control(session.subscriptionReply());
      }
    } finally {
      this.refusingCut = false;
    }
    this.logger.event('warn', 'stream_plan_limit_cut', { stream: endpoint, sessions: cut.size, limit: max });
  }

  /** After an interruption the kept values are no longer the latest: REST goes back to Alpaca until ticks flow. */
  private clearStreamed(endpoint: FeedStream): void {
    if (endpoint !== 'stocks') return;
    for (const kind of ['quote', 'trade'] as const) for (const symbol of [...this.streamedKeys[kind]]) this.unsetStreamed(kind, symbol);
  }

  // ---- shutdown ----

  /** Shutdown: every client is told (1001) and let go; no new upstream socket opens after this. */
  closeClients(): void {
    this.shuttingDown = true;
    this.fanOut.flush();
    for (const session of [...this.sessions]) {
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

