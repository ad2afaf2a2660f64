/**
 * Alpaca's account stream kept alive (alpaca-streams.md §7, §9): on open, authenticate; when
 * authorized, listen to `trade_updates`; the ack makes it `live`. Any interruption reconnects with
 * the market-data client's backoff and jitter (RetryPlanner) and, since Alpaca replays nothing,
 * the return to `live` carries the gap. At most one socket at a time: the next is opened only
 * after the previous one's close event.
 */
import type { RawData } from 'ws';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { UpstreamStreamProblem, UpstreamStreamStatus } from '../market-stream.port.js';
import type { OrderUpdate, TradeUpdatesListener, TradeUpdatesStream } from '../trade-updates.port.js';
import { interruptionForUpgrade, type Interruption } from './stream-errors.js';
import type { ResolvedStreamOptions } from './stream-options.js';
import { RetryPlanner } from './stream-retry.js';
import { StreamSocket } from './stream-socket.js';
import { authenticateAction, decodeTradeUpdatesFrame, listenAction, readTradeUpdatesMessage, TRADE_UPDATES, type TradeUpdatesMessage } from './trade-updates-wire.js';

type Phase = 'waiting' | 'authenticating' | 'listening' | 'live' | 'ending' | 'closed';
type StatusInfo = Parameters<TradeUpdatesListener['status']>[1];

export interface TradeUpdatesStreamDeps {
  url: string;
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
    return { code: interruption.fatal, message: "Alpaca refused the gateway's credentials on the trading stream.", details };
  }
  if (interruption.fatal !== undefined) return { code: interruption.fatal, message: "Alpaca's trading stream does not serve trade_updates to the gateway.", details };
  return { code: 'UPSTREAM_STREAM_UNAVAILABLE', message: "Alpaca's trading stream was interrupted; reconnecting.", details };
}

export class AlpacaTradeUpdatesStream implements TradeUpdatesStream {
  private phase: Phase = 'waiting';
  private current: UpstreamStreamStatus = 'connecting';
  private socket: StreamSocket | undefined;
  private ending: Interruption | undefined;
  private retryDelayMs = 0;
  private attempt = 0;
  private cancelStep: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;
  private closeRequested = false;
  private resolveClosed: (() => void) | undefined;
  private readonly closedPromise: Promise<void>;
  private readonly retries: RetryPlanner;
  private readonly malformedSeen = new Set<string>();

  constructor(private readonly deps: TradeUpdatesStreamDeps) {
    this.retries = new RetryPlanner(deps.options);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Connects once `after` settles (a predecessor's close), so two sockets never overlap. */
  start(after: Promise<void>): void {
    void after.then(() => this.connect());
  }

  get isClosing(): boolean {
    return this.closeRequested;
  }

  status(): UpstreamStreamStatus {
    return this.current;
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
    this.phase = 'authenticating';
    this.event('debug', 'trade_updates_connecting', { attempt: this.attempt });
    const { url, options } = this.deps;
    const { scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs } = options;
    // JSON asked for (paper still answers in binary frames, which decode alike).
    this.socket = new StreamSocket({ url, encoding: 'json', scheduler, pingIntervalMs, pongTimeoutMs, closeGraceMs }, {
      opened: () => this.socket?.send(authenticateAction(this.deps.keyId, this.deps.secretKey)),
      frame: (data, isBinary) => this.onFrame(data, isBinary),
      pong: () => undefined,
      upgradeRefused: (status, retryAfterMs) => this.interrupt(interruptionForUpgrade(status, retryAfterMs)),
      keepaliveTimeout: () => this.interrupt({ reason: 'keepalive_timeout', backoff: 'reconnect', clean: true }),
      closed: (code, error) => this.onSocketClosed(code, error),
    });
    this.armStep();
  }

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
    this.phase = 'waiting';
    const level = this.ending?.fatal === undefined ? 'info' : 'error';
    this.event(level, 'trade_updates_retry_scheduled', { reason: this.ending?.reason, delay_ms: this.retryDelayMs, attempt: this.attempt });
    this.cancelRetry = this.deps.options.scheduler.schedule(this.retryDelayMs, () => this.connect());
  }

  private decide(interruption: Interruption, fields: Record<string, unknown>): void {
    this.ending = interruption;
    this.retryDelayMs = this.retries.interrupted(interruption);
    const { reason, upstreamCode, upstreamMessage, fatal } = interruption;
    this.event('warn', 'trade_updates_interrupted', { reason, upstream_code: upstreamCode, upstream_message: upstreamMessage, ...fields });
    this.setStatus(fatal === undefined ? 'reconnecting' : 'failed', { problem: problemFor(interruption, this.retryDelayMs) });
  }

  private finishClose(): void {
    this.phase = 'closed';
    this.setStatus('closed', {});
    this.event('info', 'trade_updates_closed', {});
    this.resolveClosed?.();
  }

  // ---- reading ----

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.stopped) return;
    const receivedAt = new Date(this.deps.options.scheduler.now()).toISOString();
    this.retries.frameRead();
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
          this.socket?.send(listenAction());
          this.armStep();
        } else if (!message.authorized) {
          // `listen` before auth is answered unauthorized too; either way the session is not ours.
          this.interrupt({ reason: 'auth_failed', backoff: 'reconnect', fatal: 'UPSTREAM_AUTHENTICATION_FAILED', clean: true, upstreamMessage: `unauthorized (${message.action})` });
        }
        return;
      case 'listening':
        if (this.phase !== 'listening') return;
        if (message.streams.includes(TRADE_UPDATES)) return this.goLive();
        // §7: unknown names are left out of the ack; without ours nothing would ever flow.
        return this.interrupt({ reason: 'stream_unavailable', backoff: 'reconnect', fatal: 'UPSTREAM_STREAM_UNAVAILABLE', clean: true, upstreamMessage: 'trade_updates not in the listening ack' });
      case 'malformed':
        return this.malformed(message.what, message.reason);
      case 'ignored':
        return;
    }
  }

  private goLive(): void {
    this.phase = 'live';
    this.attempt = 0;
    this.clearStep();
    const gap = this.retries.live();
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

  /** The socket is being ended (or is gone): frames still arriving are not read. */
  private get stopped(): boolean {
    return this.phase === 'ending' || this.phase === 'closed';
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
    this.deps.logger.event(level, name, { stream: 'orders', ...fields });
  }

  private armStep(): void {
    this.clearStep();
    this.cancelStep = this.deps.options.scheduler.schedule(this.deps.options.stepTimeoutMs, () => {
      this.cancelStep = undefined;
      this.interrupt({ reason: 'handshake_timeout', backoff: 'reconnect', clean: true });
    });
  }

  private clearStep(): void {
    this.cancelStep?.();
    this.cancelStep = undefined;
  }
}
