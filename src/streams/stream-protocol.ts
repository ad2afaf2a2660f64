import type { StreamChannel, StreamEndpoint } from '../alpaca/stream/market-stream.port.js';
import type { Permission } from '../core/identity/roles.js';
import { AppError } from '../core/errors/app-error.js';
import { jsonStructureProblem } from '../core/http/json-structure.js';
import { normalizeStockSymbols } from '../core/validation/stock-symbol.js';
import { requireOccSymbols } from '../options/occ-symbol.js';
import type { FeedData } from './feed/stream-feed.js';

/**
 * The client stream protocol (docs/contract.md "Streams"): client → server frames are JSON objects with an
 * `action`; server → client frames are JSON arrays of messages with a `type`.
 */

/**
 * The data channels a client subscribes to, and where each comes from upstream (Alpaca's channel of
 * the same meaning, in Alpaca's name). `trades` also brings the symbol's corrections and
 * cancel/errors, as Alpaca sends them with trades.
 */
export const CLIENT_CHANNELS = [
  'quotes',
  'trades',
  'bars',
  'updated_bars',
  'daily_bars',
  'statuses',
  'lulds',
  'option_quotes',
  'option_trades',
] as const;
export type ClientChannel = (typeof CLIENT_CHANNELS)[number];

export const CHANNEL_SOURCE: Readonly<
  Record<ClientChannel, { endpoint: StreamEndpoint; channel: StreamChannel; permission: Permission }>
> = {
  quotes: { endpoint: 'stocks', channel: 'quotes', permission: 'market:read' },
  trades: { endpoint: 'stocks', channel: 'trades', permission: 'market:read' },
  bars: { endpoint: 'stocks', channel: 'bars', permission: 'market:read' },
  updated_bars: { endpoint: 'stocks', channel: 'updatedBars', permission: 'market:read' },
  daily_bars: { endpoint: 'stocks', channel: 'dailyBars', permission: 'market:read' },
  statuses: { endpoint: 'stocks', channel: 'statuses', permission: 'market:read' },
  lulds: { endpoint: 'stocks', channel: 'lulds', permission: 'market:read' },
  option_quotes: { endpoint: 'options', channel: 'quotes', permission: 'options:read' },
  option_trades: { endpoint: 'options', channel: 'trades', permission: 'options:read' },
};

/**
 * Close codes (docs/contract.md "Streams"): authentication, a slow consumer that stays behind (or leaves its replies
 * unread), shutdown; a refused connection; and a client that keeps sending frames past its rate.
 */
export const CLOSE_CODES = {
  authentication: 4401,
  slowConsumer: 4408,
  rateLimited: 4429,
  shutdown: 1001,
  policy: 1008,
} as const;

/** Largest client frame read (a subscribe with a few hundred symbols fits easily). */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
const MAX_SYMBOLS_PER_CHANNEL = 1000;
/** A frame is an object of string lists (depth 2); anything deeper is not a frame. */
const MAX_FRAME_DEPTH = 4;

export type ChannelLists = Partial<Record<ClientChannel, string[]>>;

export type ClientAction =
  | { action: 'auth'; token?: string; apiKey?: string }
  | { action: 'subscribe' | 'unsubscribe'; channels: ChannelLists; orders: boolean | undefined };

function invalid(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('INVALID_PARAMETER', { message, details });
}

function stringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw invalid(`"${key}" must be an array of strings.`, { field: key });
  if (value.length > MAX_SYMBOLS_PER_CHANNEL)
    throw invalid(`"${key}" lists more than ${MAX_SYMBOLS_PER_CHANNEL} symbols.`, { field: key });
  return value;
}

/** Reads one client frame; throws a catalog error (INVALID_PARAMETER) for anything malformed. */
export function parseClientFrame(text: string): ClientAction {
  // The same rule as REST bodies (json-body.parser.ts): JSON.parse would keep the last of two
  // members silently, so `"quotes":[…],"quotes":[…]` or two `action`s are refused, not guessed at.
  const structure = jsonStructureProblem(text, MAX_FRAME_DEPTH);
  if (structure?.problem === 'duplicate_key')
    throw invalid(`The frame names "${structure.key}" more than once.`, { frame: 'duplicate_key', key: structure.key });
  if (structure?.problem === 'too_deep')
    throw invalid(`A frame nests deeper than ${structure.max_depth} levels.`, {
      frame: 'too_deep',
      max_depth: structure.max_depth,
    });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('A frame must be one JSON object.', { frame: 'malformed_json' });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid('A frame must be one JSON object with an "action".');
  const o = raw as Record<string, unknown>;
  if (o['action'] === 'auth') {
    const token = o['token'];
    const apiKey = o['api_key'];
    if ((typeof token === 'string') === (typeof apiKey === 'string'))
      throw invalid('An auth frame carries exactly one of "token" and "api_key" (strings).');
    return typeof token === 'string' ? { action: 'auth', token } : { action: 'auth', apiKey: apiKey as string };
  }
  if (o['action'] !== 'subscribe' && o['action'] !== 'unsubscribe') {
    throw invalid('"action" must be "auth", "subscribe" or "unsubscribe".', {
      action: typeof o['action'] === 'string' ? o['action'].slice(0, 40) : null,
    });
  }
  const channels: ChannelLists = {};
  let orders: boolean | undefined;
  for (const [key, value] of Object.entries(o)) {
    if (key === 'action') continue;
    if (key === 'orders') {
      if (typeof value !== 'boolean') throw invalid('"orders" must be true or false.', { field: 'orders' });
      orders = value;
      continue;
    }
    if (!(CLIENT_CHANNELS as readonly string[]).includes(key))
      throw invalid(`Unknown channel "${key.slice(0, 40)}".`, { channels: [...CLIENT_CHANNELS, 'orders'] });
    channels[key as ClientChannel] = stringList(value, key);
  }
  if (Object.keys(channels).length === 0 && orders === undefined)
    throw invalid('Name at least one channel to (un)subscribe.', { channels: [...CLIENT_CHANNELS, 'orders'] });
  return { action: o['action'], channels, orders };
}

/**
 * Symbols as REST takes them: tickers normalised (lower case, BRK-B) and checked, OCC symbols
 * parsed; the same catalog errors (INVALID_SYMBOL_FORMAT, INVALID_OPTION_SYMBOL) for bad ones.
 */
export function normalizeChannelSymbols(channel: ClientChannel, raw: string[]): string[] {
  return CHANNEL_SOURCE[channel].endpoint === 'stocks'
    ? normalizeStockSymbols(raw)
    : requireOccSymbols(raw).map((c) => c.symbol);
}

/** A message as built: its `type` and members, in our names. */
export type MessageBody = { type: string } & Record<string, unknown>;

/**
 * Another wire format for the same messages (the Alpaca-compatible face speaks Alpaca's). A
 * renderer is a long-lived object: each message is rendered at most once per renderer and each
 * frame assembled at most once per renderer, on first use, whoever of the frame's receivers asks.
 */
export interface MessageRenderer {
  /** The message's bytes in this format, or null when the format has no such message (it is left out). */
  message(message: OutboundMessage): Buffer | null;
}

/** A format whose frames carry several messages (Alpaca's market-data streams: an array per frame). */
export interface WireRenderer extends MessageRenderer {
  /** One frame holding these messages' bytes (one or more, in order). */
  frame(parts: readonly Buffer[]): Buffer;
}

/** A message to clients, serialized once and framed per transport on first use. */
export class OutboundMessage {
  private wsFrame: Buffer | undefined;
  private sseFrame: Buffer | undefined;
  /** Renderings in other wire formats (WireRenderer), built on first use. */
  private renderings: Map<MessageRenderer, Buffer | null> | undefined;

  constructor(
    readonly type: string,
    readonly json: string,
    /** What `json` was serialized from (read by other renderings, never changed). */
    readonly body: MessageBody,
    /** For data messages: the upstream message they carry, in the port's names. */
    readonly data?: FeedData,
  ) {}

  static of(message: MessageBody, data?: FeedData): OutboundMessage {
    return new OutboundMessage(message.type, JSON.stringify(message), message, data);
  }

  /** A WebSocket text frame: an array of this one message. */
  ws(): Buffer {
    return (this.wsFrame ??= Buffer.from(`[${this.json}]`, 'utf8'));
  }

  /** The JSON alone, as bytes (for frames of several messages). */
  bytes(): Buffer {
    // The single-message frame holds them already: `[` + json + `]`.
    return this.ws().subarray(1, -1);
  }

  /** A Server-Sent Event: `event:` the type, `data:` the JSON. */
  sse(): Buffer {
    return (this.sseFrame ??= Buffer.from(`event: ${this.type}\ndata: ${this.json}\n\n`, 'utf8'));
  }

  /** This message in the renderer's format (null: none there), rendered once per renderer. */
  renderedBy(renderer: MessageRenderer): Buffer | null {
    this.renderings ??= new Map();
    let out = this.renderings.get(renderer);
    if (out === undefined) {
      out = renderer.message(this);
      this.renderings.set(renderer, out);
    }
    return out;
  }
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * One WebSocket frame carrying several messages (`[m1,m2,…]`) from their serialized bytes: a client
 * gets one frame per upstream frame, not one per message, so a burst costs one send per client.
 */
function wsFrameOf(messages: readonly OutboundMessage[]): Buffer {
  if (messages.length === 1) return messages[0].ws();
  const parts: Buffer[] = [OPEN];
  for (const [i, m] of messages.entries()) {
    if (i > 0) parts.push(COMMA);
    parts.push(m.bytes());
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/** Server-Sent Events for several messages: one event each, written at once. */
function sseFrameOf(messages: readonly OutboundMessage[]): Buffer {
  return messages.length === 1 ? messages[0].sse() : Buffer.concat(messages.map((m) => m.sse()));
}

/**
 * What one client is sent at once: its messages of one upstream frame, or one control message.
 * Clients with the same subscription get the same OutboundFrame, so its bytes are built once per
 * transport (on first use) and every socket writes that one Buffer: no copy per client.
 */
export class OutboundFrame {
  /** Counted against each receiving client's queue bounds. */
  readonly count: number;
  readonly bytes: number;
  private wsFrame: Buffer | undefined;
  private sseFrame: Buffer | undefined;
  private renderings: Map<WireRenderer, Buffer | null> | undefined;

  constructor(readonly messages: readonly OutboundMessage[]) {
    this.count = messages.length;
    let bytes = 0;
    for (const m of messages) bytes += m.json.length;
    this.bytes = bytes;
  }

  static of(message: OutboundMessage): OutboundFrame {
    return new OutboundFrame([message]);
  }

  ws(): Buffer {
    return (this.wsFrame ??= wsFrameOf(this.messages));
  }

  sse(): Buffer {
    return (this.sseFrame ??= sseFrameOf(this.messages));
  }

  /**
   * The frame in the renderer's format (null when none of its messages has one there): assembled
   * once per renderer from its messages' renderings, so every session of a SubscriptionGroup on that
   * format writes the same Buffer, as with ws().
   */
  renderedBy(renderer: WireRenderer): Buffer | null {
    this.renderings ??= new Map();
    let out = this.renderings.get(renderer);
    if (out === undefined) {
      const parts: Buffer[] = [];
      for (const m of this.messages) {
        const part = m.renderedBy(renderer);
        if (part !== null) parts.push(part);
      }
      out = parts.length === 0 ? null : renderer.frame(parts);
      this.renderings.set(renderer, out);
    }
    return out;
  }
}

export function errorMessage(e: AppError): OutboundMessage {
  return OutboundMessage.of({ type: 'error', code: e.code, message: e.message, details: e.details });
}
