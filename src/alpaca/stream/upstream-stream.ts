/**
 * One of Alpaca's market-data streams, kept alive (docs/alpaca-wire.md "Market-data stream session" to "One upstream socket"): greet,
 * authenticate, subscribe the whole wanted set, report `live`; then send only differences. Any
 * interruption reconnects with backoff and resubscribes everything; the return to `live` carries
 * the gap. The socket's lifecycle (one at a time, retries, close) is StreamLifecycle's.
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
} from './market-stream.port.js';
import { interruptionProblem, refusalProblem, verdictForError } from './stream-errors.js';
import { StreamLifecycle, type InterruptionReport, type ScheduledRetry } from './connection/stream-lifecycle.js';
import type { StreamObserver } from './stream-observer.js';
import type { ResolvedStreamOptions } from './stream-options.js';
import { StreamReporter } from './stream-reporter.js';
import { SubscriptionBook, type ChannelSets, type SubscriptionChange } from './stream-subscriptions.js';
import { decodeFrame, encodeAction, readMessage, type ServerMessage, type StreamEncoding } from './stream-wire.js';

type HandshakePhase = 'greeting' | 'authenticating' | 'subscribing';

/** Changes per coalescing window: normally one unsubscribe (freeing room under the cap) then one subscribe. */
const CHANGES_PER_WINDOW = 2;

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

export class AlpacaUpstreamStream extends StreamLifecycle<HandshakePhase> implements UpstreamStream {
  readonly endpoint: StreamEndpoint;
  private readonly book: SubscriptionBook;
  private readonly report: StreamReporter;
  /** The open coalescing window's timer (cancels it), while one is open. */
  private cancelWindow: (() => void) | undefined;
  /** Changes sent since the last window closed. */
  private sentThisWindow = 0;

  constructor(private readonly deps: UpstreamStreamDeps) {
    super({ url: deps.url, encoding: deps.encoding, options: deps.options, firstPhase: 'greeting' });
    this.endpoint = deps.endpoint;
    this.book = new SubscriptionBook(ENDPOINT_CHANNELS[deps.endpoint]);
    this.report = new StreamReporter(deps.endpoint, deps.listener, deps.observer, deps.logger);
  }

  update(wanted: UpstreamSubscription): void {
    if (this.isClosing) return;
    const foreign = this.book.want(wanted);
    if (foreign.length > 0)
      this.report.once('upstream_stream_foreign_channels', 'foreign_channels', { channels: foreign });
    this.openWindow();
  }

  acknowledged(): UpstreamSubscription {
    return this.book.acknowledged();
  }

  status(): UpstreamStreamStatus {
    return this.report.status;
  }

  // ---- connection lifecycle ----

  protected onConnecting(attempt: number): void {
    this.report.observer.onConnectAttempt(this.endpoint, attempt);
    this.report.event('debug', 'upstream_stream_connecting', { attempt });
  }

  protected onPong(roundTripMs: number): void {
    this.report.observer.onPong(this.endpoint, roundTripMs);
  }

  /** Alpaca forgets the subscription with the socket (docs/alpaca-wire.md "Market-data stream session"); the status says so. */
  protected onInterrupted({ interruption, retryInMs, status, fields }: InterruptionReport): void {
    this.book.reset();
    this.closeWindow();
    this.report.event('warn', 'upstream_stream_interrupted', fields);
    this.report.setStatus(status, { problem: interruptionProblem(interruption, retryInMs) });
  }

  protected onRetryScheduled({ reason, delayMs, attempt, level, fatal }: ScheduledRetry): void {
    this.report.observer.onRetryScheduled(this.endpoint, { reason, delayMs, attempt });
    this.report.event(level, 'upstream_stream_retry_scheduled', { reason, delay_ms: delayMs, attempt, code: fatal });
  }

  protected onClosed(): void {
    this.book.reset();
    this.closeWindow();
    this.report.setStatus('closed', {});
    this.report.event('info', 'upstream_stream_closed', {});
  }

  // ---- reading ----

  protected onFrame(data: RawData, isBinary: boolean, receivedAt: string): void {
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
      // docs/alpaca-wire.md "Market-data stream session": SDKs abort unless the first message is `connected`.
      if (
        this.phase === 'greeting' &&
        !(message.kind === 'success' && message.msg === 'connected') &&
        message.kind !== 'error'
      ) {
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
      return this.interrupt({
        reason: 'protocol_error',
        backoff: 'reconnect',
        clean: true,
        upstreamCode: code,
        upstreamMessage: msg,
      });
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

  /** The change in flight was rejected whole (docs/alpaca-wire.md "Stream errors"); Alpaca's set is unchanged and stays the target until `update`. */
  private refuse(code: number, msg: string): void {
    const change = this.book.refuse();
    this.clearStep();
    this.report.refused(
      code,
      refusalProblem(code, msg, change === undefined ? undefined : { action: change.action, ...change.channels }),
    );
    if (this.phase === 'subscribing') this.goLive();
  }

  private goLive(): void {
    const gap = this.enterLive();
    this.report.event('info', 'upstream_stream_live', { symbols: this.book.counts(), gap });
    this.report.setStatus('live', gap === undefined ? {} : { gap });
    // Changes wanted during the handshake wait for a window like any other.
    this.openWindow();
  }

  // ---- writing ----

  /**
   * Opens a coalescing window when live, a change is due and none is in flight (its ack pumps):
   * updates within the window only move the target, and when it closes the net difference to what
   * Alpaca acknowledged goes out. So however clients churn, Alpaca gets at most CHANGES_PER_WINDOW
   * frames per window, and a symbol added and removed within one is never sent at all. The same for
   * a local feed and a fleet's leader: both hand this stream their whole union on every change.
   */
  private openWindow(): void {
    if (
      this.phase !== 'live' ||
      this.cancelWindow !== undefined ||
      this.book.changeInFlight !== undefined ||
      !this.book.differs
    )
      return;
    this.cancelWindow = this.deps.options.scheduler.schedule(this.deps.options.subscriptionWindowMs, () => {
      this.cancelWindow = undefined;
      this.sentThisWindow = 0;
      this.pump();
    });
  }

  private closeWindow(): void {
    this.cancelWindow?.();
    this.cancelWindow = undefined;
    this.sentThisWindow = 0;
  }

  /** Sends the window's next change when live and none is in flight; past the window's share, the next window waits. */
  private pump(): void {
    if (this.phase !== 'live' || this.book.changeInFlight !== undefined) return;
    if (this.sentThisWindow >= CHANGES_PER_WINDOW) return this.openWindow();
    const change = this.book.nextChange();
    if (change === undefined) return;
    this.sentThisWindow += 1;
    this.sendChange(change);
    this.armStep('ack_timeout');
  }

  private sendChange(change: SubscriptionChange): void {
    this.send({ action: change.action, ...change.channels });
  }

  private send(action: Record<string, unknown>): void {
    this.write(encodeAction(action, this.deps.encoding));
  }
}
