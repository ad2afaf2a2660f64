import type { Principal } from '../../core/identity/principal.js';
import {
  CLIENT_CHANNELS,
  CLOSE_CODES,
  OutboundFrame,
  OutboundMessage,
  type ClientChannel,
} from '../stream-protocol.js';

/** The client transports: our WebSocket and SSE, and the Alpaca-compatible face's WebSockets. */
export type StreamTransport = 'ws' | 'sse' | 'alpaca_ws';

/** What a transport (WebSocket, SSE) offers the hub: framed sends with a completion callback, and close. */
export interface StreamSink {
  readonly transport: StreamTransport;
  /** Writes the frame (its shared bytes for this transport); `written` runs once they left the process's own buffers (or failed). */
  send(frame: OutboundFrame, written: () => void): void;
  close(code: number, reason: string): void;
}

export interface QueueLimits {
  messages: number;
  bytes: number;
  /** A client still overflowing after this long is closed with 4408. */
  slowCloseMs: number;
}

let nextId = 0;

/**
 * Control messages (acks, errors, gaps) are never dropped, so they may fill the queue past the data
 * bound; but only up to this many times the bounds: a client that sends frames and never reads the
 * replies would otherwise grow the process without limit. Past it, the client is closed (4408).
 */
const CONTROL_HEADROOM = 2;

/**
 * One client connection: who it is, what it is subscribed to, and its bounded send queue. Data
 * messages beyond the queue's bounds are dropped and counted, never buffered without limit, so a
 * client that does not read costs bounded memory and delays nobody; when it catches up it gets a
 * `dropped` message with the count, and if it stays behind it is closed (4408). Control messages
 * (acks, errors, gaps) are never dropped: they count against the same queue, may use it up to
 * CONTROL_HEADROOM times its bounds, and past that the client is closed (4408) at once.
 */
export class StreamSession {
  readonly id = `s${(nextId += 1)}`;
  readonly subscription: Record<ClientChannel, Set<string>> = Object.fromEntries(
    CLIENT_CHANNELS.map((c) => [c, new Set<string>()]),
  ) as Record<ClientChannel, Set<string>>;
  principal: Principal | null = null;
  /** Subscribed to the `orders` channel (OrderChannel keeps the set of such sessions). */
  orders = false;
  /** X-Alpaca-Account on the upgrade (or the SSE request), when sent: the one account whose orders it follows. */
  accountHeader: string | undefined = undefined;
  /** Follows one account only, the header's or else the principal's first (Alpaca's own trading stream). */
  oneAccount = false;
  /** The accounts whose order events it receives, set when it authenticates (OrderChannel.accountsFor). */
  accounts: readonly string[] = [];
  /** Token expiry (ms since the epoch), when authenticated with a token. */
  expiresAtMs: number | null = null;
  closed = false;
  /**
   * The client's whole subscription as its protocol shows it, sent after a change the client did
   * not ask for (the hub refusing symbols the fleet's plan limit cut). Our `subscription` message
   * unless the gateway that opened the session speaks another protocol.
   */
  subscriptionReply: () => OutboundMessage = () => this.subscriptionMessage();

  private pendingMessages = 0;
  private pendingBytes = 0;
  private dropped = 0;
  private overflowingSince: number | null = null;

  constructor(
    readonly sink: StreamSink,
    readonly client: string,
    private readonly limits: QueueLimits,
    private readonly now: () => number,
    private readonly onDropped: (count: number) => void,
  ) {}

  symbolCount(): number {
    let n = 0;
    for (const channel of CLIENT_CHANNELS) n += this.subscription[channel].size;
    return n;
  }

  /** The whole subscription, as the `subscription` message shows it. */
  subscriptionMessage(): OutboundMessage {
    const lists = Object.fromEntries(CLIENT_CHANNELS.map((c) => [c, [...this.subscription[c]]]));
    return OutboundMessage.of({ type: 'subscription', ...lists, orders: this.orders });
  }

  /**
   * Data messages (those of one upstream frame for this client, in a frame it may share with
   * others): queued while the queue is within its bounds (it may pass them by one frame), else
   * dropped and counted.
   */
  deliver(frame: OutboundFrame): void {
    if (this.closed || frame.count === 0) return;
    if (this.pendingMessages >= this.limits.messages || this.pendingBytes >= this.limits.bytes) {
      this.dropped += frame.count;
      this.onDropped(frame.count);
      const now = this.now();
      this.overflowingSince ??= now;
      if (now - this.overflowingSince > this.limits.slowCloseMs)
        this.close(CLOSE_CODES.slowConsumer, 'slow consumer: stayed behind');
      return;
    }
    this.write(frame);
  }

  /** Acks, errors, gaps: sent ahead of the data bound (a client must learn of them), never past CONTROL_HEADROOM times it. */
  control(message: OutboundMessage): void {
    if (this.closed) return;
    if (
      this.pendingMessages >= this.limits.messages * CONTROL_HEADROOM ||
      this.pendingBytes >= this.limits.bytes * CONTROL_HEADROOM
    ) {
      this.close(CLOSE_CODES.slowConsumer, 'slow consumer: replies not read');
      return;
    }
    this.write(OutboundFrame.of(message));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.close(code, reason);
  }

  private write(frame: OutboundFrame): void {
    const { count, bytes } = frame;
    this.pendingMessages += count;
    this.pendingBytes += bytes;
    this.sink.send(frame, () => this.written(count, bytes));
  }

  private written(count: number, bytes: number): void {
    this.pendingMessages -= count;
    this.pendingBytes -= bytes;
    // Caught up to half the bound: report what was lost, and stop the slow-consumer clock.
    if (
      this.dropped > 0 &&
      this.pendingMessages <= this.limits.messages / 2 &&
      this.pendingBytes <= this.limits.bytes / 2
    ) {
      const count = this.dropped;
      this.dropped = 0;
      this.overflowingSince = null;
      this.control(OutboundMessage.of({ type: 'dropped', count }));
    }
  }
}
