/**
 * The emulator's market-data stream side: WebSocket upgrades on the data listener, the 406
 * connection ledger (with the ~90 s hold after an unclean drop), ticks and verbatim publishing,
 * faults, and the logs tests assert on.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EmulatorFixtures } from '../emulator.types.js';
import { systemClock } from './stream-clock.js';
import type { DecodedClientFrame, ServerMessage } from './stream-codec.js';
import { StreamConnection, type ConnectionHost, type Credentials, type StreamTimings } from './stream-connection.js';
import { SlotLedger } from './slot-ledger.js';
import { StreamMarket } from './stream-market.js';
import { endpointSpec, STREAM_ERRORS, type EndpointSpec, type StreamError } from './stream-protocol.js';
import { StreamFaultState } from './stream-faults.js';
import type {
  StockRequestChannel,
  StreamActionRecord,
  StreamClock,
  StreamConnectionRecord,
  StreamConnectionView,
  StreamDataMessage,
  StreamEndpoint,
  StreamOptions,
  StreamSubscription,
} from './stream.types.js';

const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
const DEFAULT_REJECT_CLOSE_MS = 10_000;
const DEFAULT_SLOT_HOLD_MS = 90_000;
const DEFAULT_PONG_TIMEOUT_MS = 6_000;
const DEFAULT_CONNECTION_LIMIT = 1;
/** What ws reports when the TCP connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006;
const MSGPACK = 'application/msgpack';

/** Data message type → the channel whose subscribers get it (§4; corrections/cancelErrors ride on trades). */
const CHANNEL_OF_TYPE: Readonly<Record<string, StockRequestChannel>> = {
  t: 'trades',
  q: 'quotes',
  b: 'bars',
  d: 'dailyBars',
  u: 'updatedBars',
  s: 'statuses',
  l: 'lulds',
  i: 'imbalances',
  c: 'trades',
  x: 'trades',
};

export interface StreamServerDeps {
  /** True when these are some emulator account's credentials (market data is the same for every account). */
  accepts(keyId: string, secretKey: string): boolean;
  fixtures: () => EmulatorFixtures;
  options: StreamOptions;
}

function headerCredentials(request: IncomingMessage): Credentials | undefined {
  const key = request.headers['apca-api-key-id'];
  const secret = request.headers['apca-api-secret-key'];
  if (typeof key !== 'string' && typeof secret !== 'string') return undefined;
  return { key: typeof key === 'string' ? key : '', secret: typeof secret === 'string' ? secret : '' };
}

/** An HTTP answer in place of the 101, the way ws's own abortHandshake writes one. */
function refuseUpgrade(socket: Duplex, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Refused';
  const body = JSON.stringify({ message: reason });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export class StreamServer {
  readonly clock: StreamClock;
  /** Every connection in arrival order, open or closed. */
  readonly connections: StreamConnectionRecord[] = [];
  /** Every client frame in arrival order. */
  readonly actions: StreamActionRecord[] = [];
  readonly faults: StreamFaultState;
  private readonly open = new Set<StreamConnection>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, autoPong: false });
  private readonly market: StreamMarket;
  private readonly host: ConnectionHost;
  private readonly slots: SlotLedger;
  private nextId = 1;
  private cancelAutoTick: (() => void) | undefined;

  constructor(private readonly deps: StreamServerDeps) {
    const { options } = deps;
    this.clock = options.streamClock ?? systemClock;
    this.faults = new StreamFaultState(options.streamSymbolLimit);
    this.market = new StreamMarket(deps.fixtures, this.clock);
    this.slots = new SlotLedger(this.clock, options.streamSlotHoldMs ?? DEFAULT_SLOT_HOLD_MS);
    const timings: StreamTimings = {
      authTimeoutMs: options.streamAuthTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
      rejectCloseMs: options.streamRejectCloseMs ?? DEFAULT_REJECT_CLOSE_MS,
      pingMs: options.streamPingMs,
      pongTimeoutMs: options.streamPongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS,
    };
    this.host = {
      clock: this.clock,
      timings,
      authorize: (connection, key, secret) => this.authorize(connection, key, secret),
      symbolLimit: () => this.faults.symbolLimit,
      recordAction: (connection, frame) => this.recordAction(connection, frame),
      closed: (connection) => this.closed(connection),
    };
  }

  /** The data listener's upgrade hook: a known stream path becomes a WebSocket, anything else 404. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const spec = endpointSpec(new URL(request.url ?? '/', 'http://emulator').pathname);
    if (spec === undefined) return refuseUpgrade(socket, 404);
    const refusal = this.faults.takeUpgradeRefusal();
    if (refusal !== undefined) return refuseUpgrade(socket, refusal);
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => this.accept(ws, spec, request));
  }

  start(): void {
    const period = this.deps.options.streamTickMs;
    if (period === undefined || period <= 0) return;
    const arm = (): void => {
      this.cancelAutoTick = this.clock.schedule(period, () => {
        this.tick();
        arm();
      });
    };
    arm();
  }

  /** Ends every socket and timer; nothing closed here holds a 406 slot. */
  stop(): void {
    this.cancelAutoTick?.();
    this.cancelAutoTick = undefined;
    this.closeAll();
  }

  /** Back to a fresh state: sockets ended, logs, holds, faults and prices cleared. */
  reset(): void {
    this.closeAll();
    this.connections.length = 0;
    this.actions.length = 0;
    this.slots.clear();
    this.faults.reset();
    this.market.reset();
    this.nextId = 1;
  }

  /** One round: every authenticated connection gets one frame with a message per subscribed symbol. */
  tick(): number {
    this.market.advance();
    let sent = 0;
    const cache = new Map<string, StreamDataMessage | undefined>();
    for (const connection of this.live()) {
      const messages: ServerMessage[] = [];
      for (const channel of connection.spec.channels) {
        for (const symbol of this.symbolsFor(connection, channel)) {
          const key = `${connection.spec.path} ${channel} ${symbol}`;
          if (!cache.has(key)) cache.set(key, this.market.message(connection.spec, channel, symbol));
          const message = cache.get(key);
          if (message !== undefined) messages.push(message);
        }
      }
      connection.send(messages);
      sent += messages.length;
    }
    return sent;
  }

  /** Sends `messages` verbatim to the subscribers of each one's `S` on `endpoint`; returns the sockets reached. */
  publish(endpoint: StreamEndpoint, messages: readonly StreamDataMessage[]): number {
    let reached = 0;
    for (const connection of this.live()) {
      if (connection.spec.path !== endpoint) continue;
      const wanted = messages.filter((message) => {
        const channel = CHANNEL_OF_TYPE[message.T];
        return channel !== undefined && connection.subscription.covers(channel, message.S);
      });
      if (wanted.length === 0) continue;
      connection.send(wanted);
      reached += 1;
    }
    return reached;
  }

  /** TCP-destroys every stream socket; returns how many. */
  dropAll(): number {
    const dropped = [...this.open];
    for (const connection of dropped) connection.drop();
    return dropped.length;
  }

  /** Silences the connections open now (optionally one endpoint's); returns how many. */
  stall(endpoint?: StreamEndpoint): number {
    const targets = [...this.open].filter((connection) => endpoint === undefined || connection.spec.path === endpoint);
    for (const connection of targets) connection.stalled = true;
    return targets.length;
  }

  unstall(): void {
    for (const connection of this.open) connection.stalled = false;
  }

  /** Stops (or resumes) reading from the sockets of `endpoints`, new ones included while paused. */
  pauseReading(paused: boolean, endpoints: readonly StreamEndpoint[]): void {
    for (const endpoint of endpoints) {
      if (paused) this.faults.readingPaused.add(endpoint);
      else this.faults.readingPaused.delete(endpoint);
    }
    for (const connection of this.open) {
      if (endpoints.includes(connection.spec.path)) connection.pauseReading(paused);
    }
  }

  openConnections(endpoint?: StreamEndpoint): StreamConnectionView[] {
    return [...this.open]
      .filter((connection) => endpoint === undefined || connection.spec.path === endpoint)
      .map((connection) => ({
        id: connection.record.id,
        endpoint: connection.spec.path,
        authenticated: connection.record.authenticated,
        subscription: connection.subscription.snapshot(),
      }));
  }

  subscriptionOf(connectionId: number): StreamSubscription | undefined {
    return [...this.open].find((connection) => connection.record.id === connectionId)?.subscription.snapshot();
  }

  private accept(ws: WebSocket, spec: EndpointSpec, request: IncomingMessage): void {
    const contentType = request.headers['content-type'] ?? '';
    const record: StreamConnectionRecord = {
      id: this.nextId++,
      endpoint: spec.path,
      encoding: contentType.toLowerCase().includes(MSGPACK) ? 'msgpack' : 'json',
      openedAt: this.clock.now(),
      authenticated: false,
    };
    this.connections.push(record);
    const connection = new StreamConnection(record, spec, ws, this.host);
    this.open.add(connection);
    connection.open(headerCredentials(request));
    if (this.faults.readingPaused.has(spec.path)) connection.pauseReading(true);
  }

  private live(): StreamConnection[] {
    return [...this.open].filter((connection) => connection.record.authenticated && connection.isOpen);
  }

  private symbolsFor(connection: StreamConnection, channel: StockRequestChannel): string[] {
    const symbols = connection.subscription.symbols(channel);
    if (!symbols.includes('*')) return symbols;
    return [...new Set([...this.market.universe(connection.spec), ...symbols.filter((symbol) => symbol !== '*')])];
  }

  private authorize(connection: StreamConnection, key: string, secret: string): StreamError | undefined {
    if (this.faults.authFailure || !this.deps.accepts(key, secret)) return STREAM_ERRORS.authFailed;
    const endpoint = connection.spec.path;
    if (this.faults.insufficientSubscription.has(endpoint)) return STREAM_ERRORS.insufficientSubscription;
    if (this.faults.takeForcedConnectionLimit() || this.slotsInUse(key, endpoint) >= this.connectionLimit()) {
      return STREAM_ERRORS.connectionLimitExceeded;
    }
    return undefined;
  }

  private connectionLimit(): number {
    return this.deps.options.streamConnectionLimit ?? DEFAULT_CONNECTION_LIMIT;
  }

  private slotsInUse(keyId: string, endpoint: StreamEndpoint): number {
    const open = [...this.open].filter(
      (connection) =>
        connection.record.authenticated && connection.record.keyId === keyId && connection.spec.path === endpoint,
    ).length;
    return this.slots.held(keyId, endpoint) + open;
  }

  private recordAction(connection: StreamConnection, frame: DecodedClientFrame): void {
    this.actions.push({
      connectionId: connection.record.id,
      endpoint: connection.spec.path,
      at: this.clock.now(),
      frame: frame.decoded ? frame.value : frame.raw,
      decoded: frame.decoded,
    });
  }

  private closed(connection: StreamConnection): void {
    // Connections ended by stop()/reset() were already removed: they hold nothing.
    if (!this.open.delete(connection)) return;
    const { record } = connection;
    // A connection that died without a close handshake keeps its slot for a while.
    if (record.authenticated && record.keyId !== undefined && record.closeCode === ABNORMAL_CLOSURE)
      this.slots.hold(record.keyId, record.endpoint);
  }

  private closeAll(): void {
    const connections = [...this.open];
    this.open.clear();
    for (const connection of connections) connection.drop();
  }
}
