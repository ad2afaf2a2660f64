/**
 * Alpaca's market-data stream frames (docs/alpaca-wire.md "Framing and encoding" to "Stream errors"): decoding JSON text and msgpack
 * binary frames, classifying each message, and mapping data messages into the port's names with
 * the same parsers and mappers as the REST answers. Pure functions; nothing here touches a socket.
 */
import { decode, decodeTimestampToTimeSpec, encode, EXT_TIMESTAMP, ExtensionCodec } from '@msgpack/msgpack';
import type { RawData } from 'ws';
import { ENDPOINT_CHANNELS, type StreamChannel, type StreamData, type StreamEndpoint } from './market-stream.port.js';
import { toOptionQuote, toOptionTrade } from '../options/option.mapper.js';
import { parseOptionQuote, parseOptionTrade } from '../options/options-wire-parsers.js';
import {
  toBar,
  toLuldBand,
  toStockQuote,
  toStockTrade,
  toTradeCancelError,
  toTradeCorrection,
  toTradingStatus,
} from '../stocks/stock.mapper.js';
import {
  object,
  parseBar,
  parseLuld,
  parseStockQuote,
  parseStockTrade,
  parseTradeCancelError,
  parseTradeCorrection,
  parseTradingStatus,
  str,
  WireFormatError,
} from '../stocks/stock-wire-parsers.js';

/** How frames are written on a socket: the upgrade's Content-Type decides (docs/alpaca-wire.md "Framing and encoding"). */
export type StreamEncoding = 'json' | 'msgpack';

/**
 * Trade ids are uint64 (`i` of trades and cancel/errors, `oi` and `ci` of corrections); JSON.parse
 * would round those above 2^53, so they are quoted first (as AlpacaHttpClient does for REST). Only
 * a value right after `{` or `,` is a key: text inside a string value has a backslash before its
 * quotes and is never touched.
 */
const LONG_TRADE_ID = /([{,]\s*"(?:i|oi|ci)"\s*:\s*)(\d{16,})(?=\s*[,}])/g;

const NANOS_PER_SECOND = 1_000_000_000;
const MS_PER_SECOND = 1000;
const MAX_YEAR = 9999;

/**
 * A msgpack timestamp as RFC 3339 with all nine fraction digits (`2024-03-08T11:41:24.727071744Z`).
 * The whole seconds go through a Date (exact: they are whole milliseconds), the fraction is written
 * from the nanoseconds directly: a Date would keep milliseconds only.
 */
export function formatTimeSpec(spec: { sec: number; nsec: number }): string {
  const { sec, nsec } = spec;
  if (!Number.isSafeInteger(sec) || !Number.isInteger(nsec) || nsec < 0 || nsec >= NANOS_PER_SECOND) {
    throw new WireFormatError('$.t', 'a msgpack timestamp');
  }
  const date = new Date(sec * MS_PER_SECOND);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > MAX_YEAR)
    throw new WireFormatError('$.t', 'a timestamp between years 0000 and 9999');
  return `${date.toISOString().slice(0, 19)}.${String(nsec).padStart(9, '0')}Z`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The inverse of formatTimeSpec: an RFC 3339 timestamp (any number of fraction digits up to nine,
 * any offset) as whole seconds and nanoseconds, exactly; null when the text is not one. The
 * seconds go through Date.parse (exact: whole seconds), the fraction is read as digits.
 */
export function parseTimeSpec(text: string): { sec: number; nsec: number } | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const ms = Date.parse(`${date}T${time}${zone.toUpperCase()}`);
  if (Number.isNaN(ms)) return null;
  return { sec: ms / MS_PER_SECOND, nsec: Number(fraction.padEnd(9, '0')) };
}

/** Timestamps (ext −1, any of its three sizes) decode straight to the RFC 3339 string. */
const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: EXT_TIMESTAMP,
  // Outgoing frames carry no timestamps; returning null leaves encoding to the default path.
  encode: () => null,
  decode: (data: Uint8Array) => formatTimeSpec(decodeTimestampToTimeSpec(data)),
});

export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** 64-bit msgpack integers arrive as bigint: a number when exact, else the decimal string (like long trade ids). */
function exactInteger(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}

function withExactIntegers(message: unknown): unknown {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return message;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) out[key] = exactInteger(value);
  return out;
}

/** A msgpack payload with timestamps as RFC 3339 strings and exact 64-bit integers (also used by the trade-updates stream). */
export function decodeMsgpack(bytes: Uint8Array): unknown {
  return decode(bytes, { extensionCodec, useBigInt64: true });
}

export type DecodedFrame =
  { ok: true; messages: unknown[] } | { ok: false; kind: 'undecodable_frame' | 'not_an_array'; reason: string };

/** A server frame: JSON when text, msgpack when binary (whatever was asked for, so a surprise still decodes). */
export function decodeFrame(data: RawData, isBinary: boolean): DecodedFrame {
  let value: unknown;
  try {
    const bytes = toBuffer(data);
    value = isBinary ? decodeMsgpack(bytes) : JSON.parse(bytes.toString('utf8').replace(LONG_TRADE_ID, '$1"$2"'));
  } catch (e: unknown) {
    return { ok: false, kind: 'undecodable_frame', reason: e instanceof Error ? e.message : 'undecodable' };
  }
  // docs/alpaca-wire.md "Framing and encoding": every server frame is an array of messages.
  if (!Array.isArray(value)) return { ok: false, kind: 'not_an_array', reason: 'frame is not an array' };
  return { ok: true, messages: isBinary ? value.map(withExactIntegers) : value };
}

/** A client action as one frame: a JSON text frame, or a msgpack binary frame on msgpack sockets (docs/alpaca-wire.md "Framing and encoding"). */
export function encodeAction(action: Record<string, unknown>, encoding: StreamEncoding): string | Uint8Array {
  return encoding === 'json' ? JSON.stringify(action) : encode(action);
}

/** One server message, classified. */
export type ServerMessage =
  | { kind: 'success'; msg: string }
  | { kind: 'error'; code: number; msg: string }
  | { kind: 'subscription'; channels: Map<StreamChannel, Set<string>> }
  | { kind: 'data'; data: StreamData }
  /** A well-formed message of a type the gateway does not carry (imbalances, ...). */
  | { kind: 'ignored'; type: string }
  /** `what` is a small fixed label (for "log once per kind"); `reason` says which field was wrong. */
  | { kind: 'malformed'; what: string; reason: string };

type DataMapper = (message: unknown, symbol: string) => StreamData;

/**
 * docs/alpaca-wire.md "Market-data stream messages": the message types the port carries, per endpoint; any other `T` is ignored. Data messages go
 * through the same zod schemas as the REST answers (about 1 µs per tick measured, against 0.2 µs
 * hand-written: kept for one definition of each shape). The control messages below stay
 * hand-written: they are a dispatch on `T` with one or two members each, not a shape to describe.
 */
const DATA_MAPPERS: Readonly<Record<StreamEndpoint, Readonly<Record<string, DataMapper>>>> = {
  stocks: {
    q: (m, symbol) => ({ type: 'quote', symbol, data: toStockQuote(parseStockQuote(m, '$.q')) }),
    t: (m, symbol) => ({ type: 'trade', symbol, data: toStockTrade(parseStockTrade(m, '$.t')) }),
    b: (m, symbol) => ({ type: 'bar', symbol, data: toBar(parseBar(m, '$.b')) }),
    u: (m, symbol) => ({ type: 'updated_bar', symbol, data: toBar(parseBar(m, '$.u')) }),
    d: (m, symbol) => ({ type: 'daily_bar', symbol, data: toBar(parseBar(m, '$.d')) }),
    s: (m, symbol) => ({ type: 'status', symbol, data: toTradingStatus(parseTradingStatus(m, '$.s')) }),
    l: (m, symbol) => ({ type: 'luld', symbol, data: toLuldBand(parseLuld(m, '$.l')) }),
    c: (m, symbol) => ({ type: 'correction', symbol, data: toTradeCorrection(parseTradeCorrection(m, '$.c')) }),
    x: (m, symbol) => ({ type: 'cancel_error', symbol, data: toTradeCancelError(parseTradeCancelError(m, '$.x')) }),
  },
  options: {
    q: (m, symbol) => ({ type: 'option_quote', symbol, data: toOptionQuote(parseOptionQuote(m, '$.q')) }),
    t: (m, symbol) => ({ type: 'option_trade', symbol, data: toOptionTrade(parseOptionTrade(m, '$.t')) }),
  },
};

/** Own keys only: a `T` such as "constructor" must not find Object's prototype. */
function mapperFor(endpoint: StreamEndpoint, type: string): DataMapper | undefined {
  const table = DATA_MAPPERS[endpoint];
  return Object.hasOwn(table, type) ? table[type] : undefined;
}

const CONTROL_TYPES: ReadonlySet<string> = new Set(['success', 'error', 'subscription']);

/** docs/alpaca-wire.md "Market-data stream session", step 3: the whole current subscription; a missing (or nil) key is an empty channel. */
function parseAck(o: Record<string, unknown>, endpoint: StreamEndpoint): Map<StreamChannel, Set<string>> {
  const channels = new Map<StreamChannel, Set<string>>();
  for (const channel of ENDPOINT_CHANNELS[endpoint]) {
    const list = o[channel];
    if (list === undefined || list === null) {
      channels.set(channel, new Set());
      continue;
    }
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
      throw new WireFormatError(`$.${channel}`, 'an array of strings');
    channels.set(channel, new Set(list));
  }
  return channels;
}

function classify(message: unknown, endpoint: StreamEndpoint): ServerMessage {
  const o = object(message, '$');
  const type = str(o, 'T', '$');
  switch (type) {
    case 'success':
      return { kind: 'success', msg: str(o, 'msg', '$') };
    case 'error': {
      const code = o['code'];
      if (typeof code !== 'number' || !Number.isInteger(code)) throw new WireFormatError('$.code', 'an integer');
      return { kind: 'error', code, msg: typeof o['msg'] === 'string' ? o['msg'] : '' };
    }
    case 'subscription':
      return { kind: 'subscription', channels: parseAck(o, endpoint) };
    default: {
      const mapper = mapperFor(endpoint, type);
      if (mapper === undefined) return { kind: 'ignored', type };
      return { kind: 'data', data: mapper(o, str(o, 'S', '$')) };
    }
  }
}

/** Never throws: a message that does not have Alpaca's shape comes back as `malformed`. */
export function readMessage(message: unknown, endpoint: StreamEndpoint): ServerMessage {
  try {
    return classify(message, endpoint);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : 'unreadable';
    const type =
      message !== null && typeof message === 'object' ? (message as Record<string, unknown>)['T'] : undefined;
    // The label stays in a small set: a T the gateway reads, or just "message" for anything else.
    const known = typeof type === 'string' && (CONTROL_TYPES.has(type) || mapperFor(endpoint, type) !== undefined);
    return { kind: 'malformed', what: known ? `message_${type}` : 'message', reason };
  }
}
