/**
 * Frame encoding (§2): JSON text frames, or msgpack binary frames in which `T` is the first key
 * of every map (Go's decoder requires it) and `t` is a msgpack timestamp (ext type -1) carrying
 * all nine fraction digits.
 */
import { decode, encode, encodeTimeSpecToTimestamp, EXT_TIMESTAMP, ExtData } from '@msgpack/msgpack';
import type { RawData } from 'ws';
import { parseRfc3339Nanos } from '../market/wire-time.js';
import type { StreamEncoding } from './stream.types.js';

const NANOS_PER_SECOND = 1_000_000_000n;

/** A server frame: always an array of messages, each an object with `T`. */
export type ServerMessage = { T: string } & Record<string, unknown>;

function timestampExt(value: string): ExtData | string {
  const nanos = parseRfc3339Nanos(value);
  if (nanos === undefined) return value; // not a timestamp: sent as the string it is
  const sec = Number(nanos / NANOS_PER_SECOND);
  const nsec = Number(nanos % NANOS_PER_SECOND);
  return new ExtData(EXT_TIMESTAMP, encodeTimeSpecToTimestamp({ sec, nsec }));
}

function msgpackShape(message: ServerMessage): Record<string, unknown> {
  const shaped: Record<string, unknown> = { T: message.T };
  for (const [key, value] of Object.entries(message)) {
    if (key === 'T') continue;
    shaped[key] = key === 't' && typeof value === 'string' ? timestampExt(value) : value;
  }
  return shaped;
}

export function encodeFrame(messages: readonly ServerMessage[], encoding: StreamEncoding): string | Uint8Array {
  return encoding === 'json' ? JSON.stringify(messages) : encode(messages.map(msgpackShape));
}

export type DecodedClientFrame = { decoded: true; value: unknown } | { decoded: false; raw: string };

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Text frames are JSON and binary frames msgpack, whatever the connection's own encoding. */
export function decodeClientFrame(data: RawData, isBinary: boolean): DecodedClientFrame {
  const buffer = toBuffer(data);
  try {
    return { decoded: true, value: isBinary ? decode(buffer) : (JSON.parse(buffer.toString('utf8')) as unknown) };
  } catch {
    // An undecodable frame is a client error the protocol answers (400), not an emulator fault.
    return { decoded: false, raw: isBinary ? buffer.toString('hex') : buffer.toString('utf8') };
  }
}
