/**
 * One market-data WebSocket as Alpaca's server runs it (§3): greet, authenticate (message or
 * upgrade headers), keep the subscription, answer errors with §5's frames, and optionally ping.
 */
import { WebSocket, type RawData } from 'ws';
import { decodeClientFrame, encodeFrame, type DecodedClientFrame, type ServerMessage } from './stream-codec.js';
import {
  errorMessage,
  parseClientAction,
  STREAM_ERRORS,
  type ChannelRequest,
  type EndpointSpec,
  type StreamError,
} from './stream-protocol.js';
import { Subscription } from './subscription.js';
import type { StreamClock, StreamConnectionRecord } from './stream.types.js';

/** RFC 6455 §7.4.1: a normal closure. */
const NORMAL_CLOSURE = 1000;

export interface StreamTimings {
  authTimeoutMs: number;
  rejectCloseMs: number;
  pingMs: number | undefined;
  pongTimeoutMs: number;
}

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  readonly clock: StreamClock;
  readonly timings: StreamTimings;
  /** undefined = authenticated; otherwise the error frame to send instead. */
  authorize(connection: StreamConnection, key: string, secret: string): StreamError | undefined;
  symbolLimit(): number | undefined;
  recordAction(connection: StreamConnection, frame: DecodedClientFrame): void;
  closed(connection: StreamConnection): void;
}

export interface Credentials {
  key: string;
  secret: string;
}

export class StreamConnection {
  readonly subscription: Subscription;
  /** While true nothing is sent: no data, no replies, no pings, no pongs. */
  stalled = false;
  private readonly timers = new Set<() => void>();
  private cancelAuthTimeout: (() => void) | undefined;
  private cancelPongDeadline: (() => void) | undefined;

  constructor(
    readonly record: StreamConnectionRecord,
    readonly spec: EndpointSpec,
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
  ) {
    this.subscription = new Subscription(spec);
  }

  /** Wires the socket and sends the greeting; header credentials authenticate at once (§3). */
  open(headerCredentials: Credentials | undefined): void {
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    // autoPong is off so a stalled connection can leave pings unanswered.
    this.ws.on('ping', (data: Buffer) => {
      if (!this.stalled) this.ws.pong(data);
    });
    this.ws.on('pong', () => this.onPong());
    this.ws.on('close', (code: number) => this.onClose(code));
    // ws emits 'close' right after any 'error'; onClose records it, so nothing is lost here.
    this.ws.on('error', () => undefined);
    this.send([{ T: 'success', msg: 'connected' }]);
    if (this.spec.kind === 'options' && this.record.encoding !== 'msgpack') {
      this.sendError(STREAM_ERRORS.msgpackOnly);
      this.ws.close(NORMAL_CLOSURE);
      return;
    }
    this.cancelAuthTimeout = this.later(this.host.timings.authTimeoutMs, () => {
      this.sendError(STREAM_ERRORS.authTimeout);
      this.ws.close(NORMAL_CLOSURE);
    });
    if (headerCredentials !== undefined) this.authenticate(headerCredentials);
    if (this.host.timings.pingMs !== undefined) this.schedulePing(this.host.timings.pingMs);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends one frame holding `messages` (an array, as every Alpaca frame is), unless stalled. */
  send(messages: readonly ServerMessage[]): void {
    if (this.stalled || !this.isOpen || messages.length === 0) return;
    this.ws.send(encodeFrame(messages, this.record.encoding));
  }

  /** TCP destroy without a close frame: the client sees 1006 and the slot hold applies. */
  drop(): void {
    this.ws.terminate();
  }

  pauseReading(paused: boolean): void {
    if (paused) this.ws.pause();
    else this.ws.resume();
  }

  private sendError(error: StreamError): void {
    this.send([errorMessage(error)]);
  }

  private later(ms: number, callback: () => void): () => void {
    const cancel = (): void => {
      this.timers.delete(cancel);
      cancelTimer();
    };
    const cancelTimer = this.host.clock.schedule(ms, () => {
      this.timers.delete(cancel);
      callback();
    });
    this.timers.add(cancel);
    return cancel;
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const frame = decodeClientFrame(data, isBinary);
    this.host.recordAction(this, frame);
    if (!frame.decoded) return this.sendError(STREAM_ERRORS.invalidSyntax);
    const action = parseClientAction(frame.value, this.spec);
    switch (action.kind) {
      case 'error':
        return this.sendError(action.error);
      case 'auth':
        return this.authenticate(action);
      default:
        return this.changeSubscription(action.kind, action.channels);
    }
  }

  private authenticate(credentials: Credentials): void {
    if (this.record.authenticated) return this.sendError(STREAM_ERRORS.alreadyAuthenticated);
    // Any answer to an auth ends the timeout: OBS saw sockets stay open after 402/409 (§5).
    this.cancelAuthTimeout?.();
    const refusal = this.host.authorize(this, credentials.key, credentials.secret);
    if (refusal !== undefined) {
      this.sendError(refusal);
      // §5 OBS: the newcomer refused with 406 is closed ~10 s later, the incumbent untouched.
      if (refusal === STREAM_ERRORS.connectionLimitExceeded)
        this.later(this.host.timings.rejectCloseMs, () => this.ws.close(NORMAL_CLOSURE));
      return;
    }
    this.record.authenticated = true;
    this.record.keyId = credentials.key;
    this.send([{ T: 'success', msg: 'authenticated' }]);
  }

  private changeSubscription(kind: 'subscribe' | 'unsubscribe', channels: ChannelRequest): void {
    if (!this.record.authenticated) return this.sendError(STREAM_ERRORS.notAuthenticated);
    const limit = this.host.symbolLimit();
    // §5: 405 rejects the whole request and leaves the subscription as it was.
    if (kind === 'subscribe' && limit !== undefined && this.subscription.cappedSymbolsAfter(channels) > limit) {
      return this.sendError(STREAM_ERRORS.symbolLimitExceeded);
    }
    this.subscription.apply(kind, channels);
    this.send([this.subscription.ack()]);
  }

  private schedulePing(periodMs: number): void {
    this.later(periodMs, () => {
      if (!this.stalled && this.isOpen) {
        this.ws.ping();
        // §6 OBS: an unanswered ping ends the socket without a close frame.
        this.cancelPongDeadline ??= this.later(this.host.timings.pongTimeoutMs, () => this.ws.terminate());
      }
      this.schedulePing(periodMs);
    });
  }

  private onPong(): void {
    this.cancelPongDeadline?.();
    this.cancelPongDeadline = undefined;
  }

  private onClose(code: number): void {
    for (const cancel of [...this.timers]) cancel();
    this.record.closedAt = this.host.clock.now();
    this.record.closeCode = code;
    this.host.closed(this);
  }
}
