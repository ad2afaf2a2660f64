/**
 * An in-process Alpaca emulator: two real HTTP listeners on loopback (data host and trading
 * host) speaking Alpaca's wire format, with editable fixtures, a request log, latency and fault
 * injection. E2E tests point the gateway's upstream URLs at `dataUrl` / `tradingUrl`. The data
 * listener also serves Alpaca's market-data WebSockets (stream/*, driven by the stream* methods),
 * the trading listener the trade_updates stream (trading-stream/*, the tradeStream* methods, fed by
 * orderEvents: submit, cancel, fillOrder, expireOrder, rejectOrder).
 */
import { OrderEvents } from './orders/order-events.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlTarget } from './http/control-routes.js';
import type { EmulatorFixtures, EmulatorHost, EmulatorOptions, FaultSpec, RecordedRequest } from './emulator.types.js';
import { FaultStore, pathMatches } from './http/faults.js';
import { defaultFixtures } from './fixtures.js';
import { RATE_LIMIT_PER_MINUTE, RateLimitWindow, writeResponse } from './http/http-io.js';
import { Listener } from './http/listener.js';
import { liveDatedFixtures } from './market/live-dates.js';
import { LiveMarketData } from './market/live-market-data.js';
import { PendingWaits } from './orders/pending-waits.js';
import { handleRequest, type PipelineDeps } from './http/request-pipeline.js';
import { Router, type EmulatorState } from './http/router.js';
import { accountHistoryRoutes } from './routes/account-history-routes.js';
import { SpecCatalog } from './spec/spec-operations.js';
import { accountRoutes } from './routes/account-routes.js';
import { assetRoutes } from './routes/asset-routes.js';
import { historyRoutes } from './routes/history-routes.js';
import { referenceRoutes } from './routes/reference-routes.js';
import { contractRoutes } from './routes/contract-routes.js';
import { optionRoutes } from './routes/option-routes.js';
import { orderLifecycleRoutes } from './routes/order-lifecycle-routes.js';
import { orderRoutes } from './routes/order-routes.js';
import { positionRoutes } from './routes/position-routes.js';
import { stockBarRoutes } from './routes/stock-bar-routes.js';
import { stockLatestRoutes } from './routes/stock-latest-routes.js';
import { STREAM_ENDPOINTS } from './stream/stream-protocol.js';
import { StreamServer } from './stream/stream-server.js';
import { OrderControls, type FillOptions } from './trading-stream/order-controls.js';
import { TradeStreamServer, TRADE_STREAM_PATH } from './trading-stream/trade-stream-server.js';
import type { TradeStreamConnectionRecord, TradeStreamFrames } from './trading-stream/trade-stream.types.js';
import type { OrderEvent } from './orders/order-events.js';
import type {
  StreamActionRecord,
  StreamConnectionRecord,
  StreamConnectionView,
  StreamDataMessage,
  StreamEndpoint,
  StreamSubscription,
} from './stream/stream.types.js';

export type {
  EmulatorFixtures,
  EmulatorHost,
  EmulatorOptions,
  FaultSpec,
  RecordedRequest,
  WireBar,
  WireClock,
  WireGreeks,
  WireOptionQuote,
  WireOptionSnapshot,
  WireOptionTrade,
  WireStockQuote,
  WireStockSnapshot,
  WireStockTrade,
} from './emulator.types.js';
export { defaultFixtures } from './fixtures.js';
export type * from './stream/stream.types.js';
export type * from './trading-stream/trade-stream.types.js';
export type { FillOptions } from './trading-stream/order-controls.js';
export { ManualClock } from './stream/stream-clock.js';

const DEFAULT_KEY_ID = 'emulator-key-id';
const DEFAULT_SECRET_KEY = 'emulator-secret-key';
const DEFAULT_RATE_LIMIT_RESET_SECONDS = 2;

/** Routers are stateless (handlers read state from their context), so all emulators share them. */
const ROUTERS: Readonly<Record<EmulatorHost, Router>> = {
  data: new Router([...stockLatestRoutes, ...stockBarRoutes, ...optionRoutes, ...historyRoutes, ...referenceRoutes]),
  trading: new Router([...accountRoutes, ...accountHistoryRoutes, ...positionRoutes, ...orderRoutes, ...orderLifecycleRoutes, ...contractRoutes, ...assetRoutes]),
};

/**
 * A 429 as Alpaca sends it when a budget is spent (§5.3): `X-RateLimit-Reset` is the epoch second
 * at which the budget refills, computed when this helper is called.
 */
export function rateLimitFault(opts: { resetInSeconds?: number; times?: number; path?: string | RegExp; retryAfter?: number } = {}): FaultSpec {
  // Rounded up so the advertised reset is never sooner than asked for.
  const reset = Math.ceil(Date.now() / 1000 + (opts.resetInSeconds ?? DEFAULT_RATE_LIMIT_RESET_SECONDS));
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(RATE_LIMIT_PER_MINUTE),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(reset),
  };
  if (opts.retryAfter !== undefined) headers['Retry-After'] = String(opts.retryAfter);
  const fault: FaultSpec = { kind: 'status', status: 429, headers, body: { message: 'too many requests.' } };
  if (opts.times !== undefined) fault.times = opts.times;
  if (opts.path !== undefined) fault.path = opts.path;
  return fault;
}

/** Route handlers' view of the emulator; always reads the current `fixtures` object. */
class LiveState implements EmulatorState {
  constructor(
    private readonly currentFixtures: () => EmulatorFixtures,
    readonly pendingAcceptance: Set<string>,
    readonly liveData: LiveMarketData | undefined,
    readonly orderEvents: OrderEvents,
  ) {}

  get fixtures(): EmulatorFixtures {
    return this.currentFixtures();
  }
}

export class AlpacaEmulator implements ControlTarget {
  readonly keyId: string;
  readonly secretKey: string;
  /** Every non-control request in arrival order, including those a fault answered. */
  readonly requests: RecordedRequest[] = [];
  /**
   * With `specCheck`: each recorded request that is not a valid call of an operation of Alpaca's
   * spec (unknown path, unknown query parameter, missing required one, value outside an enum).
   * Kept across reset(), so a suite can check them all once at the end.
   */
  readonly specViolations: string[] = [];
  /** Mutable on purpose: tests edit fixtures directly; handlers read them on every request. */
  fixtures: EmulatorFixtures = defaultFixtures();

  private readonly initialLatencyMs: number;
  private latencyMs: number;
  private readonly ports: Record<EmulatorHost, number>;
  private readonly faults = new FaultStore();
  private readonly pendingAcceptance = new Set<string>();
  /** Order lifecycle events (submit, fill, cancel, replace...), as the trading stream sends them. */
  readonly orderEvents = new OrderEvents();
  private readonly rateLimitPerMinute: number;
  private rateWindows: Record<EmulatorHost, RateLimitWindow>;
  private waits = new PendingWaits();
  private readonly listeners: Record<EmulatorHost, Listener>;
  private readonly deps: PipelineDeps;
  private readonly stream: StreamServer;
  private readonly tradeStream: TradeStreamServer;
  private readonly orderControls: OrderControls;
  private readonly liveData: LiveMarketData | undefined;
  /** What construction and reset() start from: the default fixtures, or with liveDates their dated copy. */
  private readonly startingFixtures: () => EmulatorFixtures;
  private readonly spec: SpecCatalog | null;

  constructor(options: EmulatorOptions = {}) {
    this.spec = options.specCheck === true ? SpecCatalog.load() : null;
    this.keyId = options.keyId ?? DEFAULT_KEY_ID;
    this.secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
    this.initialLatencyMs = options.latencyMs ?? 0;
    this.rateLimitPerMinute = options.rateLimitPerMinute ?? RATE_LIMIT_PER_MINUTE;
    this.rateWindows = this.freshRateWindows();
    this.latencyMs = this.initialLatencyMs;
    this.ports = { data: options.dataPort ?? 0, trading: options.tradingPort ?? 0 };
    this.stream = new StreamServer({ keyId: this.keyId, secretKey: this.secretKey, fixtures: () => this.fixtures, options });
    // REST and stream share one "now" unless a test gives REST its own.
    const now = options.now ?? ((): number => this.stream.clock.now());
    this.liveData = options.liveData === true ? new LiveMarketData(now, { openedSessionsOnly: options.liveDates === true }) : undefined;
    this.startingFixtures = options.liveDates === true ? () => liveDatedFixtures(defaultFixtures(), now()) : defaultFixtures;
    if (options.liveDates === true) this.fixtures = this.startingFixtures();
    this.tradeStream = new TradeStreamServer({ keyId: this.keyId, secretKey: this.secretKey, clock: this.stream.clock, events: this.orderEvents });
    this.orderControls = new OrderControls(() => this.fixtures, this.pendingAcceptance, this.orderEvents);
    this.deps = this.pipelineDeps();
    this.listeners = {
      data: new Listener(
        'data',
        (request, response) => this.onRequest('data', request, response),
        (request, socket, head) => this.stream.handleUpgrade(request, socket, head),
      ),
      trading: new Listener(
        'trading',
        (request, response) => this.onRequest('trading', request, response),
        (request, socket, head) => this.tradeStream.handleUpgrade(request, socket, head),
      ),
    };
  }

  /** Starts both listeners on 127.0.0.1 (port 0 = ephemeral). */
  async start(): Promise<void> {
    this.waits = new PendingWaits();
    await this.listeners.data.start(this.ports.data);
    try {
      await this.listeners.trading.start(this.ports.trading);
    } catch (error: unknown) {
      await this.listeners.data.stop();
      throw error;
    }
    this.stream.start();
  }

  /** Closes both listeners and destroys every open socket, hung ones included. */
  async stop(): Promise<void> {
    this.waits.cancelAll();
    this.stream.stop();
    this.tradeStream.stop();
    await Promise.all([this.listeners.data.stop(), this.listeners.trading.stop()]);
  }

  get dataUrl(): string {
    return this.listeners.data.url;
  }

  get tradingUrl(): string {
    return this.listeners.trading.url;
  }

  requestsTo(path: string | RegExp, host?: EmulatorHost): RecordedRequest[] {
    return this.requests.filter((request) => (host === undefined || request.host === host) && pathMatches(path, request.path));
  }

  clearRequests(): void {
    this.requests.length = 0; // in place: callers may hold the array
  }

  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number >= 0, got ${ms}`);
    this.latencyMs = ms;
  }

  /** Back to a freshly constructed emulator's state (listeners keep running). */
  reset(): void {
    this.fixtures = this.startingFixtures();
    this.faults.clear();
    this.clearRequests();
    this.pendingAcceptance.clear();
    this.orderEvents.reset();
    this.rateWindows = this.freshRateWindows();
    this.latencyMs = this.initialLatencyMs;
    this.stream.reset();
    this.tradeStream.reset();
  }

  // ---- Market-data streams (docs/alpaca-wire.md "Market-data stream session"); sockets live on the data listener ----

  /** The ws:// URL of a stream endpoint, e.g. streamUrl('/v2/iex'). */
  streamUrl(endpoint: StreamEndpoint): string {
    return `${this.dataUrl.replace(/^http:/, 'ws:')}${endpoint}`;
  }

  /** Every stream connection in arrival order, open or closed; records update in place. */
  get streamConnections(): readonly StreamConnectionRecord[] {
    return this.stream.connections;
  }

  /** Every client frame received on any stream, decoded, in arrival order. */
  get streamActions(): readonly StreamActionRecord[] {
    return this.stream.actions;
  }

  /** The open stream sockets (optionally of one endpoint) with their current subscriptions. */
  streamOpenConnections(endpoint?: StreamEndpoint): StreamConnectionView[] {
    return this.stream.openConnections(endpoint);
  }

  streamOpenCount(endpoint?: StreamEndpoint): number {
    return this.stream.openConnections(endpoint).length;
  }

  /** The current subscription of an open connection (by StreamConnectionRecord.id). */
  streamSubscription(connectionId: number): StreamSubscription | undefined {
    return this.stream.subscriptionOf(connectionId);
  }

  /** One round of data for every subscribed symbol on every authenticated socket; returns messages sent. */
  streamTick(): number {
    return this.stream.tick();
  }

  /** Sends exact wire messages to the sockets subscribed to each one's S; returns sockets reached. */
  streamPublish(endpoint: StreamEndpoint, messages: StreamDataMessage | readonly StreamDataMessage[]): number {
    return this.stream.publish(endpoint, Array.isArray(messages) ? messages : [messages as StreamDataMessage]);
  }

  /** TCP-destroys every stream socket (no close frame): their 406 slots stay held. */
  streamDropAll(): number {
    return this.stream.dropAll();
  }

  /** The sockets open now go silent (no data, replies, pings or pongs) until streamUnstall(). */
  streamStall(endpoint?: StreamEndpoint): number {
    return this.stream.stall(endpoint);
  }

  streamUnstall(): void {
    this.stream.unstall();
  }

  /** While on, every stream auth answers 402 `auth failed`. */
  streamSetAuthFailure(on: boolean): void {
    this.stream.faults.authFailure = on;
  }

  /** While on, auth on `endpoint` answers 409 `insufficient subscription`. */
  streamSetInsufficientSubscription(endpoint: StreamEndpoint, on = true): void {
    if (on) this.stream.faults.insufficientSubscription.add(endpoint);
    else this.stream.faults.insufficientSubscription.delete(endpoint);
  }

  /** The next `times` otherwise successful auths answer 406, free slot or not. */
  streamForceConnectionLimit(times = 1): void {
    this.stream.faults.forceConnectionLimit(times);
  }

  /** Max distinct non-bar symbols per socket (405 beyond); undefined = unlimited. */
  streamSetSymbolLimit(max: number | undefined): void {
    this.stream.faults.symbolLimit = max;
  }

  /** Stops (or resumes) reading from stream sockets (all, or one endpoint's), so client frames back up in TCP. */
  streamPauseReading(paused: boolean, endpoint?: StreamEndpoint): void {
    this.stream.pauseReading(paused, endpoint === undefined ? STREAM_ENDPOINTS : [endpoint]);
  }

  /** The next `times` stream upgrades get this HTTP status instead of 101. */
  streamRefuseUpgrades(status: number, times = 1): void {
    this.stream.faults.refuseUpgrades(status, times);
  }

  // ---- Trading stream (trade_updates, docs/alpaca-wire.md "Trade-updates stream") on the trading listener's /stream ----

  /** ws://…/stream on the trading listener. */
  get tradeStreamUrl(): string {
    return `${this.tradingUrl.replace(/^http:/, 'ws:')}${TRADE_STREAM_PATH}`;
  }

  /** Every trading-stream connection in arrival order, open or closed (reset() keeps them: the gateway holds one always). */
  get tradeStreamConnections(): readonly TradeStreamConnectionRecord[] {
    return this.tradeStream.connections;
  }

  tradeStreamOpenCount(): number {
    return this.tradeStream.openConnections().length;
  }

  /** Fills an open order, whole or (with `qty`) partly, and streams `fill` / `partial_fill`. */
  fillOrder(orderId: string, options: FillOptions): OrderEvent {
    return this.orderControls.fill(orderId, options);
  }

  expireOrder(orderId: string): OrderEvent {
    return this.orderControls.expire(orderId);
  }

  rejectOrder(orderId: string): OrderEvent {
    return this.orderControls.reject(orderId);
  }

  /** Sends `data` verbatim as a trade_updates message to every listening socket; returns sockets reached. */
  publishTradeUpdate(data: Record<string, unknown>): number {
    return this.tradeStream.publish(data);
  }

  /** JSON in binary frames (paper, the default) or in text frames. */
  tradeStreamFrames(frames: TradeStreamFrames): void {
    this.tradeStream.frames = frames;
  }

  /** TCP-destroys every trading-stream socket (no close frame). */
  tradeStreamDropAll(): number {
    return this.tradeStream.dropAll();
  }

  /** The trading sockets open now go silent (no events, replies or pongs) until tradeStreamUnstall(). */
  tradeStreamStall(): number {
    return this.tradeStream.stall();
  }

  tradeStreamUnstall(): void {
    this.tradeStream.unstall();
  }

  /** While on, every trading-stream authentication is answered `unauthorized`. */
  tradeStreamSetAuthFailure(on: boolean): void {
    this.tradeStream.authFailure = on;
  }

  /** The next `times` trading-stream upgrades get this HTTP status instead of 101. */
  tradeStreamRefuseUpgrades(status: number, times = 1): void {
    this.tradeStream.refuseUpgrades(status, times);
  }

  private freshRateWindows(): Record<EmulatorHost, RateLimitWindow> {
    return { data: new RateLimitWindow(this.rateLimitPerMinute), trading: new RateLimitWindow(this.rateLimitPerMinute) };
  }

  private pipelineDeps(): PipelineDeps {
    // A getter, not a copy: reset() and tests replace `fixtures` after this is built.
    const state = new LiveState(() => this.fixtures, this.pendingAcceptance, this.liveData, this.orderEvents);
    return {
      keyId: this.keyId,
      secretKey: this.secretKey,
      state,
      faults: this.faults,
      control: this,
      latencyMs: () => this.latencyMs,
      record: (request) => {
        this.requests.push(request);
        const violation = this.spec?.violation(request) ?? null;
        if (violation !== null) this.specViolations.push(violation);
      },
      router: (host) => ROUTERS[host],
      rateWindow: (host) => this.rateWindows[host],
      sleep: (ms) => this.waits.sleep(ms),
    };
  }

  private onRequest(host: EmulatorHost, request: IncomingMessage, response: ServerResponse): void {
    void handleRequest(this.deps, host, request, response).catch((error: unknown) => {
      // stop() cancels pending sleeps and destroys sockets: nothing is left to answer.
      if (this.waits.stopped) return;
      // Anything else is an emulator bug: answer it loudly rather than leave the client hanging.
      const message = error instanceof Error ? error.message : String(error);
      writeResponse(response, { status: 500, headers: {}, text: JSON.stringify({ message: `emulator error: ${message}` }) });
    });
  }
}
