/**
 * One WebSocket to Alpaca's stream host: the upgrade (Content-Type picks the encoding, docs/alpaca-wire.md "Framing and encoding"), the
 * keep-alive (a ping every interval; no pong and no frame within the timeout means a silent stall,
 * "Keep-alive and reconnection"), and a close that sends a close frame first (so Alpaca frees the 406 slot at once) but
 * never waits long for an echo Alpaca may not send. Exactly one `closed` call ends its life.
 */
import { WebSocket, type RawData } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { StreamScheduler } from './stream-backoff.js';
import type { StreamEncoding } from '../stream-wire.js';

/** RFC 6455 §7.4.1. */
const NORMAL_CLOSURE = 1000;
const MS_PER_SECOND = 1000;

export interface StreamSocketEvents {
  /** The upgrade succeeded (a protocol without a greeting, like trade_updates, speaks first now). */
  opened?(): void;
  frame(data: RawData, isBinary: boolean): void;
  pong(roundTripMs: number): void;
  /** An HTTP answer instead of 101; `retryAfterMs` from a Retry-After in seconds. */
  upgradeRefused(status: number, retryAfterMs: number | undefined): void;
  keepaliveTimeout(): void;
  /** Once, when the socket is gone for good; `error` is the socket error that preceded it, if any. */
  closed(code: number, error: string | undefined): void;
}

export interface StreamSocketOptions {
  url: string;
  encoding: StreamEncoding;
  scheduler: StreamScheduler;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** How long `end(true)` waits for the close handshake before cutting the TCP connection. */
  closeGraceMs: number;
}

function retryAfterMs(response: IncomingMessage): number | undefined {
  const header = response.headers['retry-after'];
  if (typeof header !== 'string' || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * MS_PER_SECOND;
}

export class StreamSocket {
  private cancelPing: (() => void) | undefined;
  private cancelPongDeadline: (() => void) | undefined;
  private cancelCloseGrace: (() => void) | undefined;
  private pingSentAt = 0;
  private lastError: string | undefined;
  private done = false;

  /** Dials `options.url`: the connection starts here, not in the constructor (which only listens to it). */
  static open(options: StreamSocketOptions, events: StreamSocketEvents): StreamSocket {
    const contentType = options.encoding === 'msgpack' ? 'application/msgpack' : 'application/json';
    // No key headers: credentials go in the auth message, so they never sit in an upgrade request.
    return new StreamSocket(
      new WebSocket(options.url, { headers: { 'Content-Type': contentType }, followRedirects: false }),
      options,
      events,
    );
  }

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: StreamSocketOptions,
    private readonly events: StreamSocketEvents,
  ) {
    this.ws.on('open', () => {
      this.armPing();
      this.events.opened?.();
    });
    this.ws.on('message', (data: RawData, isBinary: boolean) => {
      this.sawTraffic();
      this.events.frame(data, isBinary);
    });
    this.ws.on('pong', () => {
      this.sawTraffic();
      this.events.pong(this.options.scheduler.now() - this.pingSentAt);
    });
    this.ws.on('unexpected-response', (_request, response: IncomingMessage) => {
      this.events.upgradeRefused(response.statusCode ?? 0, retryAfterMs(response));
      response.resume();
      this.ws.terminate();
    });
    // ws emits 'close' after every 'error'; the error is only kept to explain that close.
    this.ws.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    this.ws.on('close', (code: number) => this.onClose(code));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(payload: string | Uint8Array): void {
    if (this.isOpen) this.ws.send(payload);
  }

  /**
   * Ends the socket. `clean`: a close frame first, then the TCP connection is cut if no echo came
   * within the grace (docs/alpaca-wire.md "Keep-alive and reconnection": Alpaca never echoes a client close). Otherwise cut at once.
   */
  end(clean: boolean): void {
    if (this.done || this.cancelCloseGrace !== undefined) return;
    this.stopKeepalive();
    if (clean && this.isOpen) {
      this.ws.close(NORMAL_CLOSURE);
      this.cancelCloseGrace = this.options.scheduler.schedule(this.options.closeGraceMs, () => this.ws.terminate());
      return;
    }
    this.ws.terminate();
  }

  private armPing(): void {
    this.cancelPing = this.options.scheduler.schedule(this.options.pingIntervalMs, () => {
      if (!this.isOpen) return;
      // One deadline at a time: it runs from the first unanswered ping.
      if (this.cancelPongDeadline === undefined) {
        this.pingSentAt = this.options.scheduler.now();
        this.ws.ping();
        this.cancelPongDeadline = this.options.scheduler.schedule(this.options.pongTimeoutMs, () => {
          this.cancelPongDeadline = undefined;
          this.events.keepaliveTimeout();
        });
      }
      this.armPing();
    });
  }

  /** Any frame or pong proves the connection alive. */
  private sawTraffic(): void {
    this.cancelPongDeadline?.();
    this.cancelPongDeadline = undefined;
  }

  private stopKeepalive(): void {
    this.cancelPing?.();
    this.cancelPing = undefined;
    this.sawTraffic();
  }

  private onClose(code: number): void {
    if (this.done) return;
    this.done = true;
    this.stopKeepalive();
    this.cancelCloseGrace?.();
    this.cancelCloseGrace = undefined;
    this.events.closed(code, this.lastError);
  }
}
