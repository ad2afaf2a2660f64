/** Public types of the emulator's trading stream (`trade_updates`, docs/alpaca-wire.md "Trade-updates stream"). */

/** A trading-stream connection as the emulator saw it; updated in place until it closes. */
export interface TradeStreamConnectionRecord {
  /** 1, 2, 3, ... per emulator. */
  id: number;
  /** From the upgrade's Content-Type: msgpack frames when it asked for `application/msgpack`. */
  encoding: 'json' | 'msgpack';
  openedAt: number;
  closedAt?: number;
  /** True once `authorized` was sent. */
  authenticated: boolean;
  /** The name of the emulator account the connection authenticated as (absent until it did). */
  account?: string;
  /** The streams acknowledged by the last `listen`. */
  listening: string[];
  /** WebSocket close code; 1006 means no close frame. */
  closeCode?: number;
}

/** How JSON frames go out: paper sends binary frames holding JSON (DOC-TU); live's opcode is unconfirmed. */
export type TradeStreamFrames = 'binary' | 'text';
