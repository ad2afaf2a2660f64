/**
 * The connection lifecycle both of Alpaca's stream clients share (docs/alpaca-wire.md "Stream errors" to "One upstream socket"):
 * at most one socket at a time (the next is opened only after the previous one's close event), the
 * cause of a socket's end decided once and reported at once, the retry armed once the socket has
 * closed, a step timer over each handshake step, and a close that stops reconnecting. A client adds
 * only what differs: its handshake phases, authentication frames, subscriptions, decoding and what
 * it reports at each moment (its own log event names, metrics and status).
 */
import type { RawData } from 'ws';
import { interruptionForUpgrade, type Interruption, type ProblemCode } from '../stream-errors.js';
import type { StreamRetryReason } from '../stream-observer.js';
import type { ResolvedStreamOptions } from '../stream-options.js';
import { RetryPlanner, type StreamGap } from './stream-retry.js';
import { StreamSocket } from './stream-socket.js';
import type { StreamEncoding } from '../stream-wire.js';

/** The phases the lifecycle itself moves through; a client adds those of its handshake. */
type LifecyclePhase = 'waiting' | 'live' | 'ending' | 'closed';

export interface StreamLifecycleConfig<HandshakePhase> {
  url: string;
  encoding: StreamEncoding;
  options: ResolvedStreamOptions;
  /** The phase each new socket starts in. */
  firstPhase: HandshakePhase;
}

/** What was decided when a socket's session ended. */
export interface InterruptionReport {
  interruption: Interruption;
  /** The wait drawn for the next attempt. */
  retryInMs: number;
  /** `failed` stays `failed` through its quiet retries; anything retryable is `reconnecting`. */
  status: 'reconnecting' | 'failed';
  /** The fields of the client's `interrupted` log event. */
  fields: Record<string, unknown>;
}

/** The next attempt, scheduled now that the old socket is gone. */
export interface ScheduledRetry {
  reason: StreamRetryReason;
  delayMs: number;
  attempt: number;
  /** A retry after a fatal refusal is logged as an error. */
  level: 'info' | 'error';
  fatal: ProblemCode | undefined;
}

export abstract class StreamLifecycle<HandshakePhase extends string> {
  protected phase: HandshakePhase | LifecyclePhase = 'waiting';
  protected readonly retries: RetryPlanner;
  private socket: StreamSocket | undefined;
  /** Why the current socket is ending, decided once (the first cause wins). */
  private ending: Interruption | undefined;
  /** The wait drawn when that was decided; armed once the socket has closed. */
  private retryDelayMs = 0;
  /** Attempts since the stream was last live. */
  private attempt = 0;
  private cancelStep: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;
  private closeRequested = false;
  private resolveClosed: (() => void) | undefined;
  private readonly closedPromise: Promise<void>;

  protected constructor(private readonly lifecycle: StreamLifecycleConfig<HandshakePhase>) {
    this.retries = new RetryPlanner(lifecycle.options);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Connects once `after` settles (a predecessor's close), so two sockets never overlap. */
  start(after: Promise<void>): void {
    void after.then(() => this.connect());
  }

  get isClosing(): boolean {
    return this.closeRequested;
  }

  close(): Promise<void> {
    if (this.closeRequested) return this.closedPromise;
    this.closeRequested = true;
    this.cancelRetry?.();
    this.clearStep();
    if (this.socket === undefined) this.finishClose();
    else if (this.phase !== 'ending') {
      this.phase = 'ending';
      this.socket.end(true);
    }
    return this.closedPromise;
  }

  // ---- what a client adds ----

  /** A socket is about to be opened. */
  protected abstract onConnecting(attempt: number): void;
  /** A frame read while the socket is not being ended, with the time it was read (ISO 8601). */
  protected abstract onFrame(data: RawData, isBinary: boolean, receivedAt: string): void;
  protected abstract onPong(roundTripMs: number): void;
  protected abstract onInterrupted(report: InterruptionReport): void;
  protected abstract onRetryScheduled(retry: ScheduledRetry): void;
  /** Closed for good on request: no socket remains and none will be opened. */
  protected abstract onClosed(): void;

  /** The upgrade succeeded. A protocol that speaks first (trade_updates) overrides this; one with a greeting waits. */
  protected onOpened(): void {}

  // ---- for the client's handshake ----

  protected write(payload: string | Uint8Array): void {
    this.socket?.send(payload);
  }

  /** Decides why the socket ends and reports it at once; the retry is armed when the socket has closed. */
  protected interrupt(interruption: Interruption): void {
    if (this.socket === undefined || this.ending !== undefined || this.closeRequested) return;
    this.phase = 'ending';
    this.clearStep();
    this.decide(interruption, {});
    this.socket.end(interruption.clean);
  }

  /** Data flows again: the attempts start over; returns the gap since the last live session, if any. */
  protected enterLive(): StreamGap | undefined {
    this.phase = 'live';
    this.attempt = 0;
    this.clearStep();
    return this.retries.live();
  }

  /** The socket is being ended (or is gone): frames still arriving are not read. */
  protected get stopped(): boolean {
    return this.phase === 'ending' || this.phase === 'closed';
  }

  protected armStep(reason: 'handshake_timeout' | 'ack_timeout'): void {
    this.clearStep();
    this.cancelStep = this.lifecycle.options.scheduler.schedule(this.lifecycle.options.stepTimeoutMs, () => {
      this.cancelStep = undefined;
      this.interrupt({ reason, backoff: 'reconnect', clean: true });
    });
  }

  protected clearStep(): void {
    this.cancelStep?.();
    this.cancelStep = undefined;
  }

  // ---- connection lifecycle ----

  private connect(): void {
    this.cancelRetry = undefined;
    if (this.closeRequested) return;
    this.attempt += 1;
    this.ending = undefined;
    this.phase = this.lifecycle.firstPhase;
    this.onConnecting(this.attempt);
    const { url, encoding, options } = this.lifecycle;
    const { scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs } = options;
    this.socket = StreamSocket.open(
      { url, encoding, scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs },
      {
        opened: () => this.onOpened(),
        frame: (data, isBinary) => this.readFrame(data, isBinary),
        pong: (roundTripMs) => this.onPong(roundTripMs),
        upgradeRefused: (status, retryAfterMs) => this.interrupt(interruptionForUpgrade(status, retryAfterMs)),
        keepaliveTimeout: () => this.interrupt({ reason: 'keepalive_timeout', backoff: 'reconnect', clean: true }),
        closed: (code, error) => this.onSocketClosed(code, error),
      },
    );
    this.armStep('handshake_timeout');
  }

  private readFrame(data: RawData, isBinary: boolean): void {
    if (this.stopped) return;
    const receivedAt = new Date(this.lifecycle.options.scheduler.now()).toISOString();
    this.retries.frameRead();
    this.onFrame(data, isBinary, receivedAt);
  }

  private onSocketClosed(code: number, error: string | undefined): void {
    this.socket = undefined;
    this.clearStep();
    if (this.closeRequested) return this.finishClose();
    if (this.ending === undefined)
      this.decide({ reason: 'connection_lost', backoff: 'reconnect', clean: false }, { close_code: code, error });
    this.armRetry();
  }

  /** The gap opens; the wait is drawn; the client reports it. */
  private decide(interruption: Interruption, fields: Record<string, unknown>): void {
    this.ending = interruption;
    this.retryDelayMs = this.retries.interrupted(interruption);
    const { reason, upstreamCode, upstreamMessage, fatal } = interruption;
    this.onInterrupted({
      interruption,
      retryInMs: this.retryDelayMs,
      status: fatal === undefined ? 'reconnecting' : 'failed',
      fields: { reason, upstream_code: upstreamCode, upstream_message: upstreamMessage, ...fields },
    });
  }

  /** Only now, with the old socket gone, is the next one scheduled. */
  private armRetry(): void {
    this.phase = 'waiting';
    const fatal = this.ending?.fatal;
    const delayMs = this.retryDelayMs;
    this.onRetryScheduled({
      reason: this.ending?.reason ?? 'connection_lost',
      delayMs,
      attempt: this.attempt,
      level: fatal === undefined ? 'info' : 'error',
      fatal,
    });
    this.cancelRetry = this.lifecycle.options.scheduler.schedule(delayMs, () => this.connect());
  }

  private finishClose(): void {
    this.phase = 'closed';
    this.onClosed();
    this.resolveClosed?.();
  }
}
