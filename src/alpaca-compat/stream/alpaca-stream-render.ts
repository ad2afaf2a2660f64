import { encode, encodeTimeSpecToTimestamp, EXT_TIMESTAMP, ExtData } from '@msgpack/msgpack';
import { alpacaStreamMessage, type AlpacaStreamMessage } from '../../alpaca/alpaca-wire.mapper.js';
import { parseTimeSpec } from '../../alpaca/stream/stream-wire.js';
import type { OrderUpdate } from '../../alpaca/trading/trade-updates.port.js';
import type { MessageRenderer, OutboundMessage, WireRenderer } from '../../streams/stream-protocol.js';
import { ALPACA_ERRORS, ALPACA_MESSAGE, alpacaErrorOf, type AlpacaError } from './alpaca-stream-protocol.js';

/**
 * The hub's messages in Alpaca's wire formats. Each renderer is one long-lived object, so that
 * OutboundMessage/OutboundFrame render a message (and assemble a frame) once per format, whatever
 * the number of face sessions that share it: fan-out stays a cost per frame, not per socket.
 *
 * What has an Alpaca rendering: data messages (Alpaca's own, member for member, from the upstream
 * message the hub kept), the face's own messages (already in Alpaca's words), catalog errors
 * (alpacaErrorOf) and `dropped` (407 slow client: messages were lost). The hub's `gap` has no
 * Alpaca equivalent (Alpaca does not say when it reconnects either) and is left out.
 */

/** The Alpaca message a hub message stands for on a market-data stream, or null when it has none. */
function marketDataMessage(m: OutboundMessage): Record<string, unknown> | null {
  if (m.data !== undefined) return m.data.type === 'order_update' ? null : alpacaStreamMessage(m.data);
  switch (m.type) {
    case ALPACA_MESSAGE:
      return m.body['message'] as Record<string, unknown>;
    case 'error':
      return errorOf(alpacaErrorOf(String(m.body['code']), (m.body['details'] ?? {}) as Record<string, unknown>));
    case 'dropped':
      return errorOf(ALPACA_ERRORS.slowClient);
    default:
      return null;
  }
}

function errorOf(error: AlpacaError): Record<string, unknown> {
  return { T: 'error', code: error.code, msg: error.msg };
}

/** Whether a message holds a trade id past 2^53 (a bigint: `i`, or a correction's `oi`/`ci`); only flat members can. */
function hasBigInt(message: Record<string, unknown>): boolean {
  return Object.values(message).some((value) => typeof value === 'bigint');
}

/**
 * JSON as Alpaca writes it: `t` the RFC 3339 text as Alpaca sent it. A trade id past 2^53 (a
 * bigint) is written as bare digits, which JSON.stringify cannot do: such a message (flat: its
 * members are strings, numbers, ids and string lists) is written member by member instead.
 */
function json(message: Record<string, unknown>): Buffer {
  if (!hasBigInt(message)) return Buffer.from(JSON.stringify(message), 'utf8');
  const members = Object.entries(message).map(
    ([key, value]) => `${JSON.stringify(key)}:${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`,
  );
  return Buffer.from(`{${members.join(',')}}`, 'utf8');
}

const UINT32_MAX = 0xffff_ffff;
const INT32_MIN = -0x8000_0000;

/**
 * msgpack as Alpaca writes it: `t` the timestamp extension (type −1) with its nanoseconds, `T`
 * first, 64-bit ids as uint64. A trade id past 2^53 (a bigint) needs useBigInt64, which would write
 * every other integer past 32 bits as a float64: those (a correction's other id) become bigints
 * too, so they stay the 64-bit integers Alpaca wrote.
 */
function msgpack(message: Record<string, unknown>): Buffer {
  const t = message['t'];
  const spec = typeof t === 'string' ? parseTimeSpec(t) : null;
  let shaped: Record<string, unknown> =
    spec === null
      ? message
      : { ...(message as AlpacaStreamMessage), t: new ExtData(EXT_TIMESTAMP, encodeTimeSpecToTimestamp(spec)) };
  const big = hasBigInt(message);
  if (big) {
    shaped = Object.fromEntries(
      Object.entries(shaped).map(([key, value]) => [
        key,
        typeof value === 'number' && Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN)
          ? BigInt(value)
          : value,
      ]),
    );
  }
  const bytes = encode(shaped, { useBigInt64: big });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

function jsonArray(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [OPEN];
  for (const [i, p] of parts.entries()) {
    if (i > 0) out.push(COMMA);
    out.push(p);
  }
  out.push(CLOSE);
  return Buffer.concat(out);
}

/** A msgpack array of already encoded elements: the array header (fixarray, array 16 or array 32), then the elements. */
function msgpackArray(parts: readonly Buffer[]): Buffer {
  const n = parts.length;
  let header: Buffer;
  if (n < 16) header = Buffer.from([0x90 | n]);
  else if (n < 0x10000) {
    header = Buffer.alloc(3);
    header[0] = 0xdc;
    header.writeUInt16BE(n, 1);
  } else {
    header = Buffer.alloc(5);
    header[0] = 0xdd;
    header.writeUInt32BE(n, 1);
  }
  return Buffer.concat([header, ...parts]);
}

/** Market-data streams, JSON text frames. */
export const ALPACA_JSON: WireRenderer = {
  message: (m) => {
    const message = marketDataMessage(m);
    return message === null ? null : json(message);
  },
  frame: jsonArray,
};

/** Market-data streams, msgpack binary frames (`Content-Type: application/msgpack` on the upgrade; options always). */
export const ALPACA_MSGPACK: WireRenderer = {
  message: (m) => {
    const message = marketDataMessage(m);
    return message === null ? null : msgpack(message);
  },
  frame: msgpackArray,
};

/**
 * `trade_updates.data` as Alpaca sends it (docs/alpaca-wire.md "Trade-updates stream"): the event, the fill's members
 * when Alpaca sent them, the order untouched, `timestamp` when the event has one. `order_id` and
 * `symbol` are ours (copied from the order) and are left out.
 */
export function alpacaTradeUpdate(u: OrderUpdate): Record<string, unknown> {
  const data: Record<string, unknown> = { event: u.event };
  if (u.execution_id !== undefined) data['execution_id'] = u.execution_id;
  data['order'] = u.order;
  if (u.position_qty !== undefined) data['position_qty'] = u.position_qty;
  if (u.price !== undefined) data['price'] = u.price;
  if (u.qty !== undefined) data['qty'] = u.qty;
  if (u.timestamp !== null) data['timestamp'] = u.timestamp;
  return data;
}

/** The trading stream's error shape (the SDKs read `data.error_message`). */
export function tradeStreamError(message: string): Record<string, unknown> {
  return { action: 'error', data: { error_message: message } };
}

export const UNAUTHORIZED = {
  stream: 'authorization',
  data: { status: 'unauthorized', action: 'authenticate' },
} as const;

/**
 * The trading stream (`/stream`): one JSON object per frame. Order events become `trade_updates`;
 * a credential that stopped holding (revoked key, expired token) is Alpaca's `unauthorized`; other
 * catalog errors and `dropped` are the stream's `error` action; `gap` is left out.
 */
export const TRADE_UPDATES_JSON: MessageRenderer = {
  message: (m) => {
    if (m.data !== undefined)
      return m.data.type === 'order_update'
        ? json({ stream: 'trade_updates', data: alpacaTradeUpdate(m.data.data) })
        : null;
    switch (m.type) {
      case ALPACA_MESSAGE:
        return json(m.body['message'] as Record<string, unknown>);
      case 'error': {
        const error = alpacaErrorOf(String(m.body['code']), (m.body['details'] ?? {}) as Record<string, unknown>);
        return json(error === ALPACA_ERRORS.authFailed ? UNAUTHORIZED : tradeStreamError(error.msg));
      }
      case 'dropped':
        return json(tradeStreamError(ALPACA_ERRORS.slowClient.msg));
      default:
        return null;
    }
  },
};
