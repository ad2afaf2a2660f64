/**
 * One of Alpaca's market-data streams, kept alive (alpaca-streams.md §3, §5, §6, §9): greet,
 * authenticate, subscribe the whole wanted set, report `live`; then send only differences. Any
 * interruption reconnects with backoff and resubscribes everything; the return to `live` carries
 * the gap. At most one socket exists at a time: the next one is opened only after the previous
 * one's close event.
 */
import type { RawData } from 'ws';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import {
  ENDPOINT_CHANNELS,
  type StreamData,
  type StreamEndpoint,
  type UpstreamStream,
  type UpstreamStreamListener,
  type UpstreamStreamStatus,
  type UpstreamSubscription,
} from '../market-stream.port.js';
import { interruptionForUpgrade, interruptionProblem, refusalProblem, verdictForError, type Interruption } from './stream-errors.js';
import type { StreamObserver } from './stream-observer.js';
import type { ResolvedStreamOptions } from './stream-options.js';
import { StreamReporter } from './stream-reporter.js';
import { RetryPlanner } from './stream-retry.js';
import { StreamSocket } from './stream-socket.js';
import { SubscriptionBook, type ChannelSets, type SubscriptionChange } from './stream-subscriptions.js';
import { decodeFrame, encodeAction, readMessage, type ServerMessage, type StreamEncoding } from './stream-wire.js';

type Phase = 'waiting' | 'greeting' | 'authenticating' | 'subscribing' | 'live' | 'ending' | 'closed';

export interface UpstreamStreamDeps {
  endpoint: StreamEndpoint;
  url: string;
  encoding: StreamEncoding;
  keyId: string;
  secretKey: string;
  listener: UpstreamStreamListener;
  logger: WinstonLogger;
  observer: StreamObserver;
  options: ResolvedStreamOptions;
}

export class AlpacaUpstreamStream implements UpstreamStream {
  readonly endpoint: StreamEndpoint;
  private phase: Phase = 'waiting';
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
  private readonly book: SubscriptionBook;
  private readonly retries: RetryPlanner;
  private readonly report: StreamReporter;

  constructor(private readonly deps: UpstreamStreamDeps) {
    this.endpoint = deps.endpoint;
    this.book = new SubscriptionBook(ENDPOINT_CHANNELS[deps.endpoint]);
    this.retries = new RetryPlanner(deps.options);
    this.report = new StreamReporter(deps.endpoint, deps.listener, deps.observer, deps.logger);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Connects once `after` settles (a predecessor's close), so two sockets never overlap. */
  start(after: Promise<void>): void {
    void after.then(() => this.connect());
  }

  get isClosing(): boolean {
    return this.closeRequested;
  }

  update(wanted: UpstreamSubscription): void {
    if (this.closeRequested) return;
    const foreign = this.book.want(wanted);
    if (foreign.length > 0) this.report.once('upstream_stream_foreign_channels', 'foreign_channels', { channels: foreign });
    this.pump();
  }

  acknowledged(): UpstreamSubscription {
    return this.book.acknowledged();
  }

  status(): UpstreamStreamStatus {
    return this.report.status;
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

  // ---- connection lifecycle ----

  private connect(): void {
    this.cancelRetry = undefined;
    if (this.closeRequested) return;
    this.attempt += 1;
    this.ending = undefined;
    this.phase = 'greeting';
    this.report.observer.onConnectAttempt(this.endpoint, this.attempt);
    this.report.event('debug', 'upstream_stream_connecting', { attempt: this.attempt });
    const { url, encoding, options } = this.deps;
    const { scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs } = options;
    this.socket = new StreamSocket({ url, encoding, scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs }, {
      frame: (data, isBinary) => this.onFrame(data, isBinary),
      pong: (roundTripMs) => this.report.observer.onPong(this.endpoint, roundTripMs),
      upgradeRefused: (status, retryAfterMs) => this.interrupt(interruptionForUpgrade(status, retryAfterMs)),
      keepaliveTimeout: () => this.interrupt({ reason: 'keepalive_timeout', backoff: 'reconnect', clean: true }),
      closed: (code, error) => this.onSocketClosed(code, error),
    });
    this.armStep('handshake_timeout');
  }

  /** Decides why the socket ends and reports it at once; the retry is armed when the socket has closed. */
  private interrupt(interruption: Interruption): void {
    if (this.socket === undefined || this.ending !== undefined || this.closeRequested) return;
    this.phase = 'ending';
    this.clearStep();
    this.decide(interruption, {});
    this.socket.end(interruption.clean);
  }

  private onSocketClosed(code: number, error: string | undefined): void {
    this.socket = undefined;
    this.clearStep();
    if (this.closeRequested) return this.finishClose();
    if (this.ending === undefined) this.decide({ reason: 'connection_lost', backoff: 'reconnect', clean: false }, { close_code: code, error });
    this.armRetry();
  }

  /** Alpaca forgets the subscription with the socket (§3); the gap opens; the wait is drawn; the status says so. */
  private decide(interruption: Interruption, fields: Record<string, unknown>): void {
    this.ending = interruption;
    this.book.reset();
    this.retryDelayMs = this.retries.interrupted(interruption);
    const { reason, upstreamCode, upstreamMessage, fatal } = interruption;
    this.report.event('warn', 'upstream_stream_interrupted', { reason, upstream_code: upstreamCode, upstream_message: upstreamMessage, ...fields });
    // `failed` stays `failed` through its quiet retries; anything retryable is `reconnecting`.
    this.report.setStatus(fatal === undefined ? 'reconnecting' : 'failed', { problem: interruptionProblem(interruption, this.retryDelayMs) });
  }

  /** Only now, with the old socket gone, is the next one scheduled. */
  private armRetry(): void {
    this.phase = 'waiting';
    const reason = this.ending?.reason ?? 'connection_lost';
    const delayMs = this.retryDelayMs;
    this.report.observer.onRetryScheduled(this.endpoint, { reason, delayMs, attempt: this.attempt });
    const level = this.ending?.fatal === undefined ? 'info' : 'error';
    this.report.event(level, 'upstream_stream_retry_scheduled', { reason, delay_ms: delayMs, attempt: this.attempt, code: this.ending?.fatal });
    this.cancelRetry = this.deps.options.scheduler.schedule(delayMs, () => this.connect());
  }

  private finishClose(): void {
    this.phase = 'closed';
    this.book.reset();
    this.report.setStatus('closed', {});
    this.report.event('info', 'upstream_stream_closed', {});
    this.resolveClosed?.();
  }

  // ---- reading ----

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.stopped) return;
    const receivedAt = new Date(this.deps.options.scheduler.now()).toISOString();
    this.retries.frameRead();
    const decoded = decodeFrame(data, isBinary);
    if (!decoded.ok) {
      this.report.once('upstream_stream_malformed', decoded.kind, { reason: decoded.reason });
      this.report.frame([], receivedAt, { data: 0, ignored: 0, malformed: 1 });
      if (this.phase === 'greeting') this.interrupt({ reason: 'protocol_error', backoff: 'reconnect', clean: true });
      return;
    }
    const batch: StreamData[] = [];
    const counts = { data: 0, ignored: 0, malformed: 0 };
    for (const raw of decoded.messages) {
      // A control message may have ended the socket; nothing after it counts.
      if (this.stopped) break;
      const message = readMessage(raw, this.endpoint);
      if (message.kind === 'data') batch.push(message.data);
      else if (message.kind === 'ignored') counts.ignored += 1;
      else if (message.kind === 'malformed') {
        counts.malformed += 1;
        this.report.once('upstream_stream_malformed', message.what, { reason: message.reason });
      }
      // §3: SDKs abort unless the first message is `connected`.
      if (this.phase === 'greeting' && !(message.kind === 'success' && message.msg === 'connected') && message.kind !== 'error') {
        this.interrupt({ reason: 'protocol_error', backoff: 'reconnect', clean: true });
        break;
      }
      this.onControl(message);
    }
    counts.data = batch.length;
    this.report.frame(batch, receivedAt, counts);
  }

  private onControl(message: ServerMessage): void {
    if (message.kind === 'success') this.onSuccess(message.msg);
    else if (message.kind === 'error') this.onError(message.code, message.msg);
    else if (message.kind === 'subscription') this.onAck(message.channels);
  }

  private onSuccess(msg: string): void {
    if (msg === 'connected' && this.phase === 'greeting') {
      this.phase = 'authenticating';
      // The secret goes on the wire only: this action is never logged.
      this.send({ action: 'auth', key: this.deps.keyId, secret: this.deps.secretKey });
      this.armStep('handshake_timeout');
    } else if (msg === 'authenticated' && this.phase === 'authenticating') {
      this.onAuthenticated();
    }
  }

  private onAuthenticated(): void {
    this.phase = 'subscribing';
    this.retries.authenticated();
    const change = this.book.nextChange();
    if (change === undefined) return this.goLive();
    this.sendChange(change);
    this.armStep('handshake_timeout');
  }

  private onError(code: number, msg: string): void {
    const verdict = verdictForError(code, msg);
    if (verdict.kind === 'already_authenticated') {
      if (this.phase === 'authenticating') this.onAuthenticated();
      return;
    }
    if (verdict.kind === 'interrupt') return this.interrupt(verdict.interruption);
    if (this.book.changeInFlight !== undefined) return this.refuse(code, msg);
    if (this.phase === 'greeting' || this.phase === 'authenticating') {
      return this.interrupt({ reason: 'protocol_error', backoff: 'reconnect', clean: true, upstreamCode: code, upstreamMessage: msg });
    }
    this.report.event('warn', 'upstream_stream_error_ignored', { upstream_code: code, upstream_message: msg });
  }

  private onAck(channels: ChannelSets): void {
    this.book.acknowledge(channels);
    this.clearStep();
    this.report.observer.onAcknowledged(this.endpoint, this.book.counts());
    if (this.phase === 'subscribing') this.goLive();
    else this.pump();
  }

  /** The change in flight was rejected whole (§5); Alpaca's set is unchanged and stays the target until `update`. */
  private refuse(code: number, msg: string): void {
    const change = this.book.refuse();
    this.clearStep();
    this.report.refused(code, refusalProblem(code, msg, change === undefined ? undefined : { action: change.action, ...change.channels }));
    if (this.phase === 'subscribing') this.goLive();
  }

  private goLive(): void {
    this.phase = 'live';
    this.attempt = 0;
    this.clearStep();
    const gap = this.retries.live();
    this.report.event('info', 'upstream_stream_live', { symbols: this.book.counts(), gap });
    this.report.setStatus('live', gap === undefined ? {} : { gap });
    this.pump();
  }

  // ---- writing ----

  /** Sends the next subscription change when live and none is in flight (later updates coalesce into it). */
  private pump(): void {
    if (this.phase !== 'live') return;
    const change = this.book.nextChange();
    if (change === undefined) return;
    this.sendChange(change);
    this.armStep('ack_timeout');
  }

  private sendChange(change: SubscriptionChange): void {
    this.send({ action: change.action, ...change.channels });
  }

  private send(action: Record<string, unknown>): void {
    this.socket?.send(encodeAction(action, this.deps.encoding));
  }

  /** The socket is being ended (or is gone): frames still arriving are not read. */
  private get stopped(): boolean {
    return this.phase === 'ending' || this.phase === 'closed';
  }

  private armStep(reason: 'handshake_timeout' | 'ack_timeout'): void {
    this.clearStep();
    this.cancelStep = this.deps.options.scheduler.schedule(this.deps.options.stepTimeoutMs, () => {
      this.cancelStep = undefined;
      this.interrupt({ reason, backoff: 'reconnect', clean: true });
    });
  }

  private clearStep(): void {
    this.cancelStep?.();
    this.cancelStep = undefined;
  }
}
