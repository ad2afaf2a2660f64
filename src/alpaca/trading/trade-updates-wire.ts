/**
 * Frames of Alpaca's account stream (docs/alpaca-wire.md "Trade-updates stream", "Framing and encoding"): single objects
 * `{"stream":…,"data":…}`, sent as text or — on paper — as BINARY frames holding the same JSON, or
 * msgpack when the upgrade asked for it. Pure functions; nothing here touches a socket.
 */
import type { RawData } from 'ws';
import type { OrderUpdate } from './trade-updates.port.js';
import { object, str, WireFormatError, type Obj } from '../stocks/stock-wire-parsers.js';
import { decodeMsgpack, toBuffer } from '../stream/stream-wire.js';

/** The stream the gateway listens to. */
export const TRADE_UPDATES = 'trade_updates';

/** JS3 skips a 1-byte 0x01 frame as a heartbeat (docs/alpaca-wire.md "Framing and encoding"); it carries nothing. */
const HEARTBEAT_BYTE = 0x01;
const JSON_START = new Set(['{', '[']);

export type TradeUpdatesMessage =
  | { kind: 'authorization'; authorized: boolean; action: string }
  | { kind: 'listening'; streams: string[] }
  | { kind: 'update'; update: OrderUpdate }
  /** A heartbeat, or a stream the gateway does not listen to. */
  | { kind: 'ignored'; stream: string }
  /** `what` is a small fixed label (log once per kind); `reason` says which field was wrong. */
  | { kind: 'malformed'; what: string; reason: string };

function isJsonText(bytes: Buffer): boolean {
  const first = bytes.toString('utf8', 0, Math.min(bytes.length, 16)).trimStart()[0];
  return first !== undefined && JSON_START.has(first);
}

/**
 * Decodes one server frame, text or binary alike: binary frames that look like JSON are JSON (what
 * paper sends), any other binary frame is msgpack. An array frame yields each element.
 */
export function decodeTradeUpdatesFrame(
  data: RawData,
  isBinary: boolean,
): { ok: true; messages: unknown[] } | { ok: false; reason: string } {
  const bytes = toBuffer(data);
  if (isBinary && bytes.length === 1 && bytes[0] === HEARTBEAT_BYTE) return { ok: true, messages: [] };
  let value: unknown;
  try {
    value = !isBinary || isJsonText(bytes) ? JSON.parse(bytes.toString('utf8')) : decodeMsgpack(bytes);
  } catch (e: unknown) {
    return { ok: false, reason: e instanceof Error ? e.message : 'undecodable' };
  }
  return { ok: true, messages: Array.isArray(value) ? value : [value] };
}

function optionalDecimal(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  // Alpaca sends trading decimals as strings; anything else is not passed on as if it were one.
  if (typeof v !== 'string') throw new WireFormatError(`$.data.${key}`, 'a decimal string');
  return v;
}

/**
 * `data` of a `trade_updates` message → our event; the order object is kept as the very object Alpaca
 * sent. Hand-written on purpose, not a zod schema: a schema would copy (and strip) the order object,
 * and only four members are read; the order itself is the trading pass-through (trading.mapper.ts).
 */
export function toOrderUpdate(data: unknown): OrderUpdate {
  const d = object(data, '$.data');
  const event = str(d, 'event', '$.data');
  const order = object(d['order'], '$.data.order');
  const orderId = str(order, 'id', '$.data.order');
  const symbol = order['symbol'];
  if (symbol !== null && symbol !== undefined && typeof symbol !== 'string')
    throw new WireFormatError('$.data.order.symbol', 'a string or null');
  const timestamp = d['timestamp'];
  if (timestamp !== null && timestamp !== undefined && typeof timestamp !== 'string')
    throw new WireFormatError('$.data.timestamp', 'a string');
  const update: OrderUpdate = { event, order_id: orderId, symbol: symbol ?? null, timestamp: timestamp ?? null, order };
  const executionId = d['execution_id'];
  if (executionId !== undefined && executionId !== null) {
    if (typeof executionId !== 'string') throw new WireFormatError('$.data.execution_id', 'a string');
    update.execution_id = executionId;
  }
  for (const key of ['price', 'qty', 'position_qty'] as const) {
    const value = optionalDecimal(d, key);
    if (value !== undefined) update[key] = value;
  }
  return update;
}

function classify(message: unknown): TradeUpdatesMessage {
  const o = object(message, '$');
  const stream = str(o, 'stream', '$');
  switch (stream) {
    case 'authorization': {
      const d = object(o['data'], '$.data');
      return {
        kind: 'authorization',
        authorized: str(d, 'status', '$.data') === 'authorized',
        action: typeof d['action'] === 'string' ? d['action'] : '',
      };
    }
    case 'listening': {
      const d = object(o['data'], '$.data');
      const streams = d['streams'];
      if (!Array.isArray(streams) || !streams.every((s): s is string => typeof s === 'string'))
        throw new WireFormatError('$.data.streams', 'an array of strings');
      return { kind: 'listening', streams };
    }
    case TRADE_UPDATES:
      return { kind: 'update', update: toOrderUpdate(o['data']) };
    default:
      return { kind: 'ignored', stream };
  }
}

/** Never throws: a message without Alpaca's shape comes back as `malformed`. */
export function readTradeUpdatesMessage(message: unknown): TradeUpdatesMessage {
  try {
    return classify(message);
  } catch (e: unknown) {
    const stream = message !== null && typeof message === 'object' ? (message as Obj)['stream'] : undefined;
    const known = stream === 'authorization' || stream === 'listening' || stream === TRADE_UPDATES;
    return {
      kind: 'malformed',
      what: known ? `message_${stream}` : 'message',
      reason: e instanceof Error ? e.message : 'unreadable',
    };
  }
}

/** The documented auth action (DOC-TU); the secret goes on the wire only and is never logged. */
export function authenticateAction(keyId: string, secretKey: string): string {
  return JSON.stringify({ action: 'authenticate', data: { key_id: keyId, secret_key: secretKey } });
}

export function listenAction(): string {
  return JSON.stringify({ action: 'listen', data: { streams: [TRADE_UPDATES] } });
}

/** `https://paper-api.alpaca.markets` → `wss://paper-api.alpaca.markets/stream` (http → ws for an emulator). */
export function tradeUpdatesUrl(tradingUrl: string): string {
  return `${tradingUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/stream`;
}
