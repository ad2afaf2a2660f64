/**
 * Alpaca's account stream kept alive (docs/alpaca-wire.md "Trade-updates stream", "One upstream socket"): on open, authenticate; when
 * authorized, listen to `trade_updates`; the ack makes it `live`. Any interruption reconnects with
 * the market-data client's backoff and jitter (RetryPlanner) and, since Alpaca replays nothing,
 * the return to `live` carries the gap. The socket's lifecycle (one at a time, retries, close) is
 * StreamLifecycle's, shared with the market-data client.
 */
import type { RawData } from 'ws';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { UpstreamStreamProblem, UpstreamStreamStatus } from '../stream/market-stream.port.js';
import type { OrderUpdate, TradeUpdatesListener, TradeUpdatesStream } from './trade-updates.port.js';
import type { Interruption } from '../stream/stream-errors.js';
import {
  StreamLifecycle,
  type InterruptionReport,
  type ScheduledRetry,
} from '../stream/connection/stream-lifecycle.js';
import type { ResolvedStreamOptions } from '../stream/stream-options.js';
import {
  authenticateAction,
  decodeTradeUpdatesFrame,
  listenAction,
  readTradeUpdatesMessage,
  TRADE_UPDATES,
  type TradeUpdatesMessage,
} from './trade-updates-wire.js';

type HandshakePhase = 'authenticating' | 'listening';
type StatusInfo = Parameters<TradeUpdatesListener['status']>[1];

export interface TradeUpdatesStreamDeps {
  url: string;
  /** The gateway's name of the account (its log lines say it). */
  account: string;
  keyId: string;
  secretKey: string;
  listener: TradeUpdatesListener;
  logger: WinstonLogger;
  options: ResolvedStreamOptions;
}

function problemFor(interruption: Interruption, retryInMs: number): UpstreamStreamProblem {
  const details: UpstreamStreamProblem['details'] = { reason: interruption.reason, retry_in_ms: retryInMs };
  if (interruption.upstreamCode !== undefined) details.upstream_code = interruption.upstreamCode;
  if (interruption.upstreamMessage !== undefined) details.upstream_message = interruption.upstreamMessage;
  if (interruption.fatal === 'UPSTREAM_AUTHENTICATION_FAILED') {
    return {
      code: interruption.fatal,
      message: "Alpaca refused the gateway's credentials on the trading stream.",
      details,
    };
  }
  if (interruption.fatal !== undefined)
    return {
      code: interruption.fatal,
      message: "Alpaca's trading stream does not serve trade_updates to the gateway.",
      details,
    };
  return {
    code: 'UPSTREAM_STREAM_UNAVAILABLE',
    message: "Alpaca's trading stream was interrupted; reconnecting.",
    details,
  };
}

export class AlpacaTradeUpdatesStream extends StreamLifecycle<HandshakePhase> implements TradeUpdatesStream {
  private current: UpstreamStreamStatus = 'connecting';
  private readonly malformedSeen = new Set<string>();

  constructor(private readonly deps: TradeUpdatesStreamDeps) {
    // JSON asked for (paper still answers in binary frames, which decode alike).
    super({ url: deps.url, encoding: 'json', options: deps.options, firstPhase: 'authenticating' });
  }

  status(): UpstreamStreamStatus {
    return this.current;
  }

  // ---- connection lifecycle ----

  protected onConnecting(attempt: number): void {
    this.event('debug', 'trade_updates_connecting', { attempt });
  }

  /** No greeting on this stream: the client speaks first. */
  protected override onOpened(): void {
    this.write(authenticateAction(this.deps.keyId, this.deps.secretKey));
  }

  /** The trading stream reports no keep-alive metrics. */
  protected onPong(): void {}

  protected onInterrupted({ interruption, retryInMs, status, fields }: InterruptionReport): void {
    this.event('warn', 'trade_updates_interrupted', fields);
    this.setStatus(status, { problem: problemFor(interruption, retryInMs) });
  }

  protected onRetryScheduled({ reason, delayMs, attempt, level }: ScheduledRetry): void {
    this.event(level, 'trade_updates_retry_scheduled', { reason, delay_ms: delayMs, attempt });
  }

  protected onClosed(): void {
    this.setStatus('closed', {});
    this.event('info', 'trade_updates_closed', {});
  }

  // ---- reading ----

  protected onFrame(data: RawData, isBinary: boolean, receivedAt: string): void {
    const decoded = decodeTradeUpdatesFrame(data, isBinary);
    if (!decoded.ok) return this.malformed('undecodable_frame', decoded.reason);
    const updates: OrderUpdate[] = [];
    for (const raw of decoded.messages) {
      const message = readTradeUpdatesMessage(raw);
      if (message.kind === 'update') updates.push(message.update);
      else this.onControl(message);
      // A control message may have ended the socket; nothing after it counts.
      if (this.stopped) break;
    }
    if (updates.length > 0) this.safely(() => this.deps.listener.data(updates, receivedAt));
  }

  private onControl(message: Exclude<TradeUpdatesMessage, { kind: 'update' }>): void {
    switch (message.kind) {
      case 'authorization':
        if (message.authorized && this.phase === 'authenticating') {
          this.phase = 'listening';
          this.retries.authenticated();
          this.write(listenAction());
          this.armStep('handshake_timeout');
        } else if (!message.authorized) {
          // `listen` before auth is answered unauthorized too; either way the session is not ours.
          this.interrupt({
            reason: 'auth_failed',
            backoff: 'reconnect',
            fatal: 'UPSTREAM_AUTHENTICATION_FAILED',
            clean: true,
            upstreamMessage: `unauthorized (${message.action})`,
          });
        }
        return;
      case 'listening':
        if (this.phase !== 'listening') return;
        if (message.streams.includes(TRADE_UPDATES)) return this.goLive();
        // docs/alpaca-wire.md "Trade-updates stream": unknown names are left out of the ack; without ours nothing would ever flow.
        return this.interrupt({
          reason: 'stream_unavailable',
          backoff: 'reconnect',
          fatal: 'UPSTREAM_STREAM_UNAVAILABLE',
          clean: true,
          upstreamMessage: 'trade_updates not in the listening ack',
        });
      case 'malformed':
        return this.malformed(message.what, message.reason);
      case 'ignored':
        return;
    }
  }

  private goLive(): void {
    const gap = this.enterLive();
    this.event('info', 'trade_updates_live', { gap });
    this.setStatus('live', gap === undefined ? {} : { gap });
  }

  /** A bad trade update is an order event lost: each one is logged (never the frame: it may hold account data). */
  private malformed(what: string, reason: string): void {
    if (what === 'message_trade_updates') {
      this.event('error', 'trade_updates_malformed_event', { reason });
      return;
    }
    if (this.malformedSeen.has(what)) return;
    this.malformedSeen.add(what);
    this.event('warn', 'trade_updates_malformed', { kind: what, reason, note: 'logged once per kind' });
  }

  // ---- reporting ----

  /** Passes on changes only; every return to `live` is passed on (it may carry a gap). */
  private setStatus(status: UpstreamStreamStatus, info: StatusInfo): void {
    if (status === this.current && status !== 'live') return;
    this.current = status;
    this.safely(() => this.deps.listener.status(status, info));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e: unknown) {
      this.event('error', 'trade_updates_listener_error', { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private event(level: 'error' | 'warn' | 'info' | 'debug', name: string, fields: Record<string, unknown>): void {
    this.deps.logger.event(level, name, { stream: 'orders', account: this.deps.account, ...fields });
  }
}
