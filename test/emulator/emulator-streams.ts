/**
 * The emulator's WebSocket controls, split from alpaca-emulator.ts to keep it readable: the
 * market-data streams on the data listener (stream/*) and the trade_updates stream on the
 * trading listener (trading-stream/*). AlpacaEmulator extends this and supplies the servers.
 */
import type { AccountRef, AccountRegistry } from './accounts/emulator-accounts.js';
import { STREAM_ENDPOINTS } from './stream/stream-protocol.js';
import type { StreamServer } from './stream/stream-server.js';
import type {
  StreamActionRecord,
  StreamConnectionRecord,
  StreamConnectionView,
  StreamDataMessage,
  StreamEndpoint,
  StreamSubscription,
} from './stream/stream.types.js';
import { TRADE_STREAM_PATH, type TradeStreamServer } from './trading-stream/trade-stream-server.js';
import type { TradeStreamConnectionRecord, TradeStreamFrames } from './trading-stream/trade-stream.types.js';

export abstract class EmulatorStreams {
  protected abstract readonly stream: StreamServer;
  protected abstract readonly tradeStream: TradeStreamServer;
  protected abstract readonly accountRegistry: AccountRegistry;
  abstract get dataUrl(): string;
  abstract get tradingUrl(): string;

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

  /** ws://…/stream on the trading listener; each connection hears the account it authenticates as. */
  get tradeStreamUrl(): string {
    return `${this.tradingUrl.replace(/^http:/, 'ws:')}${TRADE_STREAM_PATH}`;
  }

  /** Every trading-stream connection in arrival order, open or closed (reset() keeps them: the gateway holds one always). */
  get tradeStreamConnections(): readonly TradeStreamConnectionRecord[] {
    return this.tradeStream.connections;
  }

  /** Open trading-stream connections: all, or those authenticated as one account. */
  tradeStreamOpenCount(account?: AccountRef): number {
    return this.tradeStream.openConnections(
      account === undefined ? undefined : this.accountRegistry.resolve(account).name,
    ).length;
  }

  /** Sends `data` verbatim as a trade_updates message to the account's listening sockets (default: the first account); returns sockets reached. */
  publishTradeUpdate(data: Record<string, unknown>, account?: AccountRef): number {
    return this.tradeStream.publish(data, this.accountRegistry.resolve(account).name);
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
}
