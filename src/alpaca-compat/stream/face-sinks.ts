import type { WebSocket } from 'ws';
import { CLOSE_CODES, OutboundFrame, type MessageRenderer, type WireRenderer } from '../../streams/stream-protocol.js';
import type { StreamSink } from '../../streams/hub/stream-session.js';
import { ALPACA_ERRORS, alpacaError } from './alpaca-stream-protocol.js';

const OPEN = 1;
/** WebSocket close reasons are at most 123 bytes. */
const MAX_REASON = 120;

function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === OPEN) socket.close(code, reason.slice(0, MAX_REASON));
  else socket.terminate();
}

/**
 * A face socket of a market-data stream as the hub's sink: each frame in Alpaca's format, the
 * frame's one shared rendering (OutboundFrame.renderedBy) written as it is, text for JSON and
 * binary for msgpack. A frame with nothing in Alpaca's words (a gap alone) writes nothing.
 */
export class MarketDataSink implements StreamSink {
  readonly transport = 'alpaca_ws';

  constructor(
    private readonly socket: WebSocket,
    readonly renderer: WireRenderer,
    private readonly binary: boolean,
  ) {}

  send(frame: OutboundFrame, written: () => void): void {
    const bytes = this.socket.readyState === OPEN ? frame.renderedBy(this.renderer) : null;
    if (bytes === null) return written();
    this.socket.send(bytes, { binary: this.binary }, written);
  }

  /** A slow consumer is told as Alpaca tells it (407, best effort: its queue is full) before the close. */
  close(code: number, reason: string): void {
    if (code === CLOSE_CODES.slowConsumer && this.socket.readyState === OPEN) {
      const bytes = OutboundFrame.of(alpacaError(ALPACA_ERRORS.slowClient)).renderedBy(this.renderer);
      if (bytes !== null) this.socket.send(bytes, { binary: this.binary });
    }
    closeSocket(this.socket, code, reason);
  }
}

/**
 * A face socket of the trading stream: Alpaca sends one object per frame there, so each message
 * of a frame is its own text frame (each rendered once, shared by every such socket); `written`
 * runs when the last has left.
 */
export class TradeUpdatesSink implements StreamSink {
  readonly transport = 'alpaca_ws';

  constructor(
    private readonly socket: WebSocket,
    private readonly renderer: MessageRenderer,
  ) {}

  send(frame: OutboundFrame, written: () => void): void {
    if (this.socket.readyState !== OPEN) return written();
    const parts: Buffer[] = [];
    for (const m of frame.messages) {
      const part = m.renderedBy(this.renderer);
      if (part !== null) parts.push(part);
    }
    if (parts.length === 0) return written();
    let left = parts.length;
    const done = (): void => {
      left -= 1;
      if (left === 0) written();
    };
    for (const part of parts) this.socket.send(part, { binary: false }, done);
  }

  close(code: number, reason: string): void {
    closeSocket(this.socket, code, reason);
  }
}
