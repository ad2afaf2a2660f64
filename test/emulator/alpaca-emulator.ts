/**
 * An in-process Alpaca emulator: two real HTTP listeners on loopback (data host and trading
 * host) speaking Alpaca's wire format, with editable fixtures, a request log, latency and fault
 * injection. E2E tests point the gateway's upstream URLs at `dataUrl` / `tradingUrl`. The data
 * listener also serves Alpaca's market-data WebSockets (stream/*, driven by the stream* methods),
 * the trading listener the trade_updates stream (trading-stream/*, the tradeStream* methods, fed by
 * orderEvents: submit, cancel, fillOrder, expireOrder, rejectOrder). With `accounts` it serves several
 * Alpaca accounts, each with its own trading state picked by the credentials (accounts/*).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlTarget } from './http/control-routes.js';
import {
  accountConfigs,
  AccountRegistry,
  type AccountRef,
  type EmulatorAccount,
} from './accounts/emulator-accounts.js';
import type { EmulatorFixtures, EmulatorHost, EmulatorOptions, FaultSpec, RecordedRequest } from './emulator.types.js';
import { EmulatorStreams } from './emulator-streams.js';
import { FaultStore, pathMatches } from './http/faults.js';
import { defaultFixtures } from './fixtures.js';
import { RateLimitWindows, writeResponse } from './http/http-io.js';
import { Listener } from './http/listener.js';
import { liveDatedFixtures } from './market/live-dates.js';
import { LiveMarketData } from './market/live-market-data.js';
import { PendingWaits } from './orders/pending-waits.js';
import { handleRequest, type PipelineDeps } from './http/request-pipeline.js';
import { Router } from './http/router.js';
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
import { StreamServer } from './stream/stream-server.js';
import type { FillOptions } from './trading-stream/order-controls.js';
import { TradeStreamServer } from './trading-stream/trade-stream-server.js';
import type { OrderEvent, OrderEvents } from './orders/order-events.js';

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
export { rateLimitFault, type RateLimitFaultOptions } from './http/faults.js';
export type { AccountRef, EmulatorAccount, EmulatorAccountConfig } from './accounts/emulator-accounts.js';
export type { TradingFixtures } from './accounts/account-fixtures.js';

/** Routers are stateless (handlers read state from their context), so all emulators share them. */
const ROUTERS: Readonly<Record<EmulatorHost, Router>> = {
  data: new Router([...stockLatestRoutes, ...stockBarRoutes, ...optionRoutes, ...historyRoutes, ...referenceRoutes]),
  trading: new Router([
    ...accountRoutes,
    ...accountHistoryRoutes,
    ...positionRoutes,
    ...orderRoutes,
    ...orderLifecycleRoutes,
    ...contractRoutes,
    ...assetRoutes,
  ]),
};

export class AlpacaEmulator extends EmulatorStreams implements ControlTarget {
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
  protected readonly accountRegistry: AccountRegistry;
  /** One budget per host and account (Alpaca counts per account). */
  private readonly rateWindows: RateLimitWindows;
  private waits = new PendingWaits();
  private readonly listeners: Record<EmulatorHost, Listener>;
  private readonly deps: PipelineDeps;
  protected readonly stream: StreamServer;
  protected readonly tradeStream: TradeStreamServer;
  private readonly liveData: LiveMarketData | undefined;
  /** What construction and reset() start from: the default fixtures, or with liveDates their dated copy. */
  private readonly startingFixtures: () => EmulatorFixtures;
  private readonly spec: SpecCatalog | null;

  constructor(options: EmulatorOptions = {}) {
    super();
    this.spec = options.specCheck === true ? SpecCatalog.load() : null;
    const configs = accountConfigs(options);
    this.initialLatencyMs = options.latencyMs ?? 0;
    this.rateWindows = new RateLimitWindows(options.rateLimitPerMinute);
    this.latencyMs = this.initialLatencyMs;
    this.ports = { data: options.dataPort ?? 0, trading: options.tradingPort ?? 0 };
    // Market data is the same for every account: any account's credentials open a stream.
    this.stream = new StreamServer({
      accepts: (key, secret) => this.accountRegistry.byCredentials(key, secret) !== undefined,
      fixtures: () => this.fixtures,
      options,
    });
    // REST and stream share one "now" unless a test gives REST its own.
    const now = options.now ?? ((): number => this.stream.clock.now());
    this.liveData =
      options.liveData === true
        ? new LiveMarketData(now, { openedSessionsOnly: options.liveDates === true })
        : undefined;
    this.startingFixtures =
      options.liveDates === true ? () => liveDatedFixtures(defaultFixtures(), now()) : defaultFixtures;
    if (options.liveDates === true) this.fixtures = this.startingFixtures();
    this.accountRegistry = new AccountRegistry(configs, () => this.fixtures, this.liveData, this.startingFixtures);
    this.keyId = this.accountRegistry.first.keyId;
    this.secretKey = this.accountRegistry.first.secretKey;
    this.tradeStream = new TradeStreamServer({ accounts: this.accountRegistry.all, clock: this.stream.clock });
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

  /** Recorded requests to `path` (optionally on one host, and made with one account's credentials). */
  requestsTo(path: string | RegExp, host?: EmulatorHost, account?: AccountRef): RecordedRequest[] {
    const name = account === undefined ? undefined : this.accountRegistry.resolve(account).name;
    return this.requests.filter(
      (request) =>
        (host === undefined || request.host === host) &&
        (name === undefined || request.account === name) &&
        pathMatches(path, request.path),
    );
  }

  /** Every recorded request made with this account's credentials, in arrival order. */
  requestsOf(account: AccountRef): RecordedRequest[] {
    const { name } = this.accountRegistry.resolve(account);
    return this.requests.filter((request) => request.account === name);
  }

  // ---- Accounts (EmulatorOptions.accounts) ----

  /** Every account, the first (the default everywhere) first. */
  get accounts(): readonly EmulatorAccount[] {
    return this.accountRegistry.all;
  }

  /** An account by name or key id (default: the first); its `trading` state is what tests edit. Unknown → RangeError. */
  account(ref?: AccountRef): EmulatorAccount {
    return this.accountRegistry.resolve(ref);
  }

  /** Order lifecycle events of the first account (submit, fill, cancel, replace...); others: account(ref).orderEvents. */
  get orderEvents(): OrderEvents {
    return this.accountRegistry.first.orderEvents;
  }

  /** ControlTarget: an account's name from its name or key id. */
  accountName(ref: AccountRef): string {
    return this.accountRegistry.resolve(ref).name;
  }

  get accountList(): ReadonlyArray<{ name: string; keyId: string }> {
    return this.accountRegistry.all;
  }

  clearRequests(): void {
    this.requests.length = 0; // in place: callers may hold the array
  }

  /** A fault with `account` (name or key id) hits only requests made with that account's credentials. */
  injectFault(fault: FaultSpec): void {
    this.faults.add(
      fault.account === undefined ? fault : { ...fault, account: this.accountRegistry.resolve(fault.account).name },
    );
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
    this.accountRegistry.reset(this.startingFixtures);
    this.rateWindows.clear();
    this.latencyMs = this.initialLatencyMs;
    this.stream.reset();
    this.tradeStream.reset();
  }

  // ---- Orders at the venue (each streams its trade_updates event to the order's account) ----

  /**
   * Fills an open order, whole or (with `qty`) partly, and streams `fill` / `partial_fill`. The
   * order is looked for in `account` when given, else in whichever account holds the id (ids are
   * unique across accounts), else in the first.
   */
  fillOrder(orderId: string, options: FillOptions, account?: AccountRef): OrderEvent {
    return this.orderAccount(orderId, account).controls.fill(orderId, options);
  }

  expireOrder(orderId: string, account?: AccountRef): OrderEvent {
    return this.orderAccount(orderId, account).controls.expire(orderId);
  }

  rejectOrder(orderId: string, account?: AccountRef): OrderEvent {
    return this.orderAccount(orderId, account).controls.reject(orderId);
  }

  private orderAccount(orderId: string, account: AccountRef | undefined): EmulatorAccount {
    if (account !== undefined) return this.accountRegistry.resolve(account);
    return this.accountRegistry.holdingOrder(orderId) ?? this.accountRegistry.first;
  }

  private pipelineDeps(): PipelineDeps {
    // Account states are getters, not copies: reset() and tests replace `fixtures` after this is built.
    return {
      accounts: this.accountRegistry,
      faults: this.faults,
      control: this,
      latencyMs: () => this.latencyMs,
      record: (request) => {
        this.requests.push(request);
        const violation = this.spec?.violation(request) ?? null;
        if (violation !== null) this.specViolations.push(violation);
      },
      router: (host) => ROUTERS[host],
      rateWindow: (host, account) => this.rateWindows.of(host, account),
      sleep: (ms) => this.waits.sleep(ms),
    };
  }

  private onRequest(host: EmulatorHost, request: IncomingMessage, response: ServerResponse): void {
    void handleRequest(this.deps, host, request, response).catch((error: unknown) => {
      // stop() cancels pending sleeps and destroys sockets: nothing is left to answer.
      if (this.waits.stopped) return;
      // Anything else is an emulator bug: answer it loudly rather than leave the client hanging.
      const message = error instanceof Error ? error.message : String(error);
      writeResponse(response, {
        status: 500,
        headers: {},
        text: JSON.stringify({ message: `emulator error: ${message}` }),
      });
    });
  }
}
