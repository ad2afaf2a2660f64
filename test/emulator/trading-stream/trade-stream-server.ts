/**
 * The emulator's trading stream (docs/alpaca-wire.md "Trade-updates stream", frames F19/F20) on the trading listener's
 * `/stream`: authenticate (`authenticate` with data.key_id/secret_key, or the data-stream form
 * `auth` with key/secret), `listen` to `trade_updates`, then every order event the emulator emits,
 * each frame a single `{"stream":…,"data":…}` object. JSON goes out in BINARY frames by default,
 * as paper sends it (switchable to text); msgpack when the upgrade asked for it. Faults: refused
 * upgrades, refused auth, dropped sockets, a stall.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { OrderEvent, OrderEvents } from '../orders/order-events.js';
import type { StreamClock } from '../stream/stream.types.js';
import type { TradeStreamConnectionRecord, TradeStreamFrames } from './trade-stream.types.js';

export const TRADE_STREAM_PATH = '/stream';
const TRADE_UPDATES = 'trade_updates';
const MSGPACK = 'application/msgpack';

type Frame = { stream: string; data: unknown };

interface Connection {
  record: TradeStreamConnectionRecord;
  ws: WebSocket;
  /** While true nothing is sent: no events, replies or pongs. */
  stalled: boolean;
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Refused';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Client frames: JSON text, JSON in a binary frame, or msgpack. */
function decodeClientFrame(data: RawData, isBinary: boolean): unknown {
  const bytes = toBuffer(data);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    if (!isBinary) return undefined;
    try {
      return decode(bytes);
    } catch {
      // Undecodable: answered like any unknown action (ignored), as Alpaca documents nothing else.
      return undefined;
    }
  }
}

/** `{"action":"authenticate","data":{"key_id","secret_key"}}` or `{"action":"auth","key","secret"}`. */
function credentialsOf(o: Record<string, unknown>): { key: unknown; secret: unknown } {
  if (o.action === 'auth') return { key: o.key, secret: o.secret };
  const data = typeof o.data === 'object' && o.data !== null ? (o.data as Record<string, unknown>) : {};
  return { key: data.key_id, secret: data.secret_key };
}

/** An account the stream serves: who may authenticate, and whose order events its sockets get. */
export interface TradeStreamAccount {
  name: string;
  keyId: string;
  secretKey: string;
  orderEvents: OrderEvents;
}

export interface TradeStreamServerDeps {
  /** The first is the default of publish(). */
  accounts: readonly TradeStreamAccount[];
  clock: StreamClock;
}

export class TradeStreamServer {
  /** Every connection in arrival order, open or closed. */
  readonly connections: TradeStreamConnectionRecord[] = [];
  /** Binary (paper) or text frames for JSON connections. */
  frames: TradeStreamFrames = 'binary';
  /** While on, every authentication is answered `unauthorized`. */
  authFailure = false;
  private readonly open = new Set<Connection>();
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private upgradeRefusals: Array<{ status: number; remaining: number }> = [];
  private nextId = 1;

  constructor(private readonly deps: TradeStreamServerDeps) {
    // For the emulator's whole life: a stopped and restarted emulator streams again.
    for (const account of deps.accounts) account.orderEvents.listen((event) => this.broadcast(event, account.name));
  }

  /** The trading listener's upgrade hook: `/stream` becomes a WebSocket, anything else 404. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (new URL(request.url ?? '/', 'http://emulator').pathname !== TRADE_STREAM_PATH)
      return refuseUpgrade(socket, 404);
    const refusal = this.upgradeRefusals.find((r) => r.remaining > 0);
    if (refusal !== undefined) {
      refusal.remaining -= 1;
      return refuseUpgrade(socket, refusal.status);
    }
    this.wss.handleUpgrade(request, socket, head, (ws: WebSocket) => this.accept(ws, request));
  }

  refuseUpgrades(status: number, times: number): void {
    this.upgradeRefusals.push({ status, remaining: times });
  }

  /** The connections open now (optionally only those authenticated as one account, by name). */
  openConnections(account?: string): TradeStreamConnectionRecord[] {
    return [...this.open].map((c) => c.record).filter((r) => account === undefined || r.account === account);
  }

  /** Sends `data` verbatim as a trade_updates message to the account's listening sockets (default: the first account's); returns sockets reached. */
  publish(data: Record<string, unknown>, account: string = this.deps.accounts[0]?.name ?? ''): number {
    let reached = 0;
    for (const c of this.listening(account)) if (this.send(c, { stream: TRADE_UPDATES, data })) reached += 1;
    return reached;
  }

  /** TCP-destroys every trading-stream socket (no close frame); returns how many. */
  dropAll(): number {
    const dropped = [...this.open];
    for (const c of dropped) c.ws.terminate();
    return dropped.length;
  }

  /** The sockets open now go silent (no events, replies or pongs) until unstall(). */
  stall(): number {
    for (const c of this.open) c.stalled = true;
    return this.open.size;
  }

  unstall(): void {
    for (const c of this.open) c.stalled = false;
  }

  /** Faults off and text/binary back to paper's binary; open sockets and their records stay (the gateway holds one at all times). */
  reset(): void {
    this.frames = 'binary';
    this.authFailure = false;
    this.upgradeRefusals = [];
    this.unstall();
  }

  stop(): void {
    for (const c of [...this.open]) c.ws.terminate();
    this.open.clear();
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const contentType = (request.headers['content-type'] ?? '').toLowerCase();
    const record: TradeStreamConnectionRecord = {
      id: this.nextId++,
      encoding: contentType.includes(MSGPACK) ? 'msgpack' : 'json',
      openedAt: this.deps.clock.now(),
      authenticated: false,
      listening: [],
    };
    this.connections.push(record);
    const connection: Connection = { record, ws, stalled: false };
    this.open.add(connection);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(connection, decodeClientFrame(data, isBinary)));
    ws.on('ping', (data: Buffer) => {
      if (!connection.stalled) ws.pong(data);
    });
    ws.on('close', (code: number) => {
      record.closedAt = this.deps.clock.now();
      record.closeCode = code;
      this.open.delete(connection);
    });
    // ws emits 'close' right after any 'error'; the close records it.
    ws.on('error', () => undefined);
  }

  private onFrame(c: Connection, frame: unknown): void {
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return;
    const o = frame as Record<string, unknown>;
    if (o.action === 'authenticate' || o.action === 'auth') {
      const { key, secret } = credentialsOf(o);
      const account = this.authFailure
        ? undefined
        : this.deps.accounts.find((a) => a.keyId === key && a.secretKey === secret);
      const ok = account !== undefined;
      c.record.authenticated = ok;
      // A failed re-authentication leaves the account (and the listening set) as they were.
      if (account !== undefined) c.record.account = account.name;
      this.send(c, {
        stream: 'authorization',
        data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' },
      });
      return;
    }
    if (o.action === 'listen') {
      if (!c.record.authenticated) {
        this.send(c, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
        return;
      }
      const data = typeof o.data === 'object' && o.data !== null ? (o.data as Record<string, unknown>) : {};
      const streams = Array.isArray(data.streams) ? data.streams : [];
      // The list replaces the set; unknown names are left out of the ack (§7).
      c.record.listening = streams.filter((s): s is string => s === TRADE_UPDATES);
      this.send(c, { stream: 'listening', data: { streams: c.record.listening } });
    }
  }

  private broadcast(event: OrderEvent, account: string): void {
    // F20's member order: event, then the fill members, then the order.
    this.publish({ event: event.event, ...event.extra, order: event.order }, account);
  }

  /** Sockets listening to trade_updates as this account: a socket hears its own account only. */
  private listening(account: string): Connection[] {
    return [...this.open].filter((c) => c.record.account === account && c.record.listening.includes(TRADE_UPDATES));
  }

  private send(c: Connection, frame: Frame): boolean {
    if (c.stalled || c.ws.readyState !== WebSocket.OPEN) return false;
    if (c.record.encoding === 'msgpack') c.ws.send(encode(frame), { binary: true });
    else c.ws.send(Buffer.from(JSON.stringify(frame), 'utf8'), { binary: this.frames === 'binary' });
    return true;
  }
}
