import { decode } from '@msgpack/msgpack';
import type { StreamEndpoint } from '../../alpaca/stream/market-stream.port.js';
import type { AppError } from '../../core/errors/app-error.js';
import { OutboundMessage, type ClientChannel } from '../../streams/stream-protocol.js';
import { isRecord } from '../../core/validation/is-record.js';

/**
 * Alpaca's market-data stream protocol as the face speaks it (docs/alpaca-compat-streams.md):
 * client frames are one object with an `action`, server frames an array of messages keyed by `T`.
 */

/** Alpaca's error frames (`[{"T":"error","code":N,"msg":"…"}]`), with Alpaca's own texts. */
export const ALPACA_ERRORS = {
  invalidSyntax: { code: 400, msg: 'invalid syntax' },
  notAuthenticated: { code: 401, msg: 'not authenticated' },
  authFailed: { code: 402, msg: 'auth failed' },
  alreadyAuthenticated: { code: 403, msg: 'already authenticated' },
  authTimeout: { code: 404, msg: 'auth timeout' },
  symbolLimit: { code: 405, msg: 'symbol limit exceeded' },
  connectionLimit: { code: 406, msg: 'connection limit exceeded' },
  slowClient: { code: 407, msg: 'slow client' },
  insufficientSubscription: { code: 409, msg: 'insufficient subscription' },
  invalidSubscribeAction: { code: 410, msg: 'invalid subscribe action for this feed' },
  msgpackOnly: { code: 412, msg: 'option messages are only available in MsgPack format' },
  starOptionQuotes: { code: 413, msg: 'star subscription is not allowed for option quotes' },
  /** Not Alpaca's: a frame past STREAM_CLIENT_FRAMES_PER_SECOND (Alpaca has no such limit on its socket). */
  rateLimited: { code: 429, msg: 'rate limit exceeded' },
  internal: { code: 500, msg: 'internal error' },
} as const;

export type AlpacaError = (typeof ALPACA_ERRORS)[keyof typeof ALPACA_ERRORS];

/** The type of the face's own messages on the hub's queue: `body.message` is the Alpaca message, rendered as it is. */
export const ALPACA_MESSAGE = 'alpaca';

/** A message of the face in Alpaca's words, queued through the session like the hub's (bounded, in order). */
export function alpacaMessage(message: Record<string, unknown>): OutboundMessage {
  return OutboundMessage.of({ type: ALPACA_MESSAGE, message });
}

export function alpacaError(error: AlpacaError): OutboundMessage {
  return alpacaMessage({ T: 'error', code: error.code, msg: error.msg });
}

export const CONNECTED = alpacaMessage({ T: 'success', msg: 'connected' });
export const AUTHENTICATED = alpacaMessage({ T: 'success', msg: 'authenticated' });

/**
 * Catalog errors (the hub's, StreamAccess'; a string: the code as a message body carries it) as Alpaca's codes: a role without the channel's
 * permission is 410 (not 409, which Go and Python treat as fatal for the whole stream); the symbol
 * limits are 405; the per-principal connection cap 406; a bad or revoked credential 402; a bad
 * symbol 400; anything else (an upstream that cannot serve, an internal fault) 500.
 */
export function alpacaErrorOf(code: string, details: Readonly<Record<string, unknown>> = {}): AlpacaError {
  switch (code) {
    case 'INSUFFICIENT_PERMISSIONS':
      return ALPACA_ERRORS.invalidSubscribeAction;
    case 'STREAM_SYMBOL_LIMIT':
      return ALPACA_ERRORS.symbolLimit;
    case 'INVALID_SYMBOL_FORMAT':
    case 'INVALID_OPTION_SYMBOL':
    case 'INVALID_PARAMETER':
      return ALPACA_ERRORS.invalidSyntax;
    case 'AUTHENTICATION_REQUIRED':
    case 'INVALID_API_KEY':
    case 'INVALID_TOKEN':
      return ALPACA_ERRORS.authFailed;
    case 'RATE_LIMIT_EXCEEDED':
      // The per-principal connection cap, else an auth lockout (refused credentials, as Alpaca would say).
      return details['reason'] === 'stream_connections' ? ALPACA_ERRORS.connectionLimit : ALPACA_ERRORS.authFailed;
    default:
      return ALPACA_ERRORS.internal;
  }
}

export function alpacaErrorOfAppError(e: AppError): AlpacaError {
  return alpacaErrorOf(e.code, e.details);
}

/**
 * Every channel name Alpaca's market-data streams know (any stream: SDKs send unused ones as `[]`
 * or nil). A key outside this set is 400 (as Alpaca answers; docs/alpaca-wire.md "Subscribing").
 */
const KNOWN_CHANNELS: ReadonlySet<string> = new Set([
  'trades',
  'quotes',
  'bars',
  'updatedBars',
  'dailyBars',
  'statuses',
  'lulds',
  'imbalances',
  'corrections',
  'cancelErrors',
  'news',
  'orderbooks',
  'pricing',
]);
/**
 * Implied by `trades` at Alpaca (every trades symbol brings its corrections and cancel/errors, and
 * the ack lists the trades symbols under them): accepted in a request and otherwise ignored.
 */
const DERIVED_CHANNELS: Readonly<Record<string, string>> = { corrections: 'trades', cancelErrors: 'trades' };

/**
 * Per endpoint: the Alpaca channels the hub serves, as its client channels; the ack's keys in
 * Alpaca's order. Not served, so refused with 410: imbalances, news, order books, pricing (and on
 * options everything but trades and quotes).
 */
export const FACE_ENDPOINTS: Readonly<
  Record<StreamEndpoint, { channels: Readonly<Record<string, ClientChannel>>; ack: readonly string[] }>
> = {
  stocks: {
    channels: {
      trades: 'trades',
      quotes: 'quotes',
      bars: 'bars',
      updatedBars: 'updated_bars',
      dailyBars: 'daily_bars',
      statuses: 'statuses',
      lulds: 'lulds',
    },
    // Alpaca's ack (docs/alpaca-wire.md "Subscribing"): every stock channel, `[]` when empty.
    ack: ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'corrections', 'cancelErrors'],
  },
  options: { channels: { trades: 'option_trades', quotes: 'option_quotes' }, ack: ['trades', 'quotes'] },
};

export const WILDCARD = '*';

export type FaceAction =
  | { action: 'auth'; key: string; secret: string }
  | { action: 'subscribe' | 'unsubscribe'; lists: Partial<Record<ClientChannel, string[]>> }
  | { action: 'error'; error: AlpacaError };

function refused(error: AlpacaError): FaceAction {
  return { action: 'error', error };
}

/** A client frame: JSON text, or msgpack when binary (what the SDKs send on msgpack sockets). */
export function decodeClientFrame(bytes: Buffer, isBinary: boolean): unknown {
  try {
    return isBinary ? decode(bytes) : (JSON.parse(bytes.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

function parseLists(
  frame: Record<string, unknown>,
  endpoint: StreamEndpoint,
  action: 'subscribe' | 'unsubscribe',
): FaceAction {
  const served = FACE_ENDPOINTS[endpoint].channels;
  const lists: Partial<Record<ClientChannel, string[]>> = {};
  let unserved = false;
  let named = false;
  for (const [key, value] of Object.entries(frame)) {
    if (key === 'action') continue;
    if (!KNOWN_CHANNELS.has(key)) return refused(ALPACA_ERRORS.invalidSyntax);
    // Go sends every channel, the unused ones as nil.
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string' && s.length > 0))
      return refused(ALPACA_ERRORS.invalidSyntax);
    if (value.length === 0 || Object.hasOwn(DERIVED_CHANNELS, key)) continue;
    named = true;
    const channel = Object.hasOwn(served, key) ? served[key] : undefined;
    if (channel === undefined) {
      unserved = true;
      continue;
    }
    if (value.includes(WILDCARD)) {
      // Every symbol: Alpaca refuses it for option quotes (413); the gateway, held to the plan's symbol limit, for all (405).
      if (action === 'subscribe')
        return refused(channel === 'option_quotes' ? ALPACA_ERRORS.starOptionQuotes : ALPACA_ERRORS.symbolLimit);
      // Nobody holds `*` here: unsubscribing it removes nothing.
      const rest = value.filter((s) => s !== WILDCARD);
      if (rest.length > 0) lists[channel] = rest;
      continue;
    }
    lists[channel] = value;
  }
  if (unserved) return refused(ALPACA_ERRORS.invalidSubscribeAction);
  // Alpaca wants at least one channel with symbols.
  if (!named) return refused(ALPACA_ERRORS.invalidSyntax);
  return { action, lists };
}

/** Reads one decoded client frame of a market-data stream; Alpaca's error for anything it would refuse. */
export function parseFaceFrame(frame: unknown, endpoint: StreamEndpoint): FaceAction {
  if (!isRecord(frame)) return refused(ALPACA_ERRORS.invalidSyntax);
  switch (frame['action']) {
    case 'auth': {
      const { key, secret } = frame;
      if (typeof key !== 'string' || typeof secret !== 'string') return refused(ALPACA_ERRORS.invalidSyntax);
      return { action: 'auth', key, secret };
    }
    case 'subscribe':
    case 'unsubscribe':
      return parseLists(frame, endpoint, frame['action']);
    default:
      // The trading stream's `authenticate` included (Alpaca answers it 400 here too).
      return refused(ALPACA_ERRORS.invalidSyntax);
  }
}

/**
 * The `subscription` ack: this session's own symbols on every channel of the endpoint, `[]` when
 * empty; `corrections` and `cancelErrors` list its trades symbols, as Alpaca's do.
 */
export function subscriptionAck(
  endpoint: StreamEndpoint,
  subscription: Readonly<Record<ClientChannel, ReadonlySet<string>>>,
): OutboundMessage {
  const { channels, ack } = FACE_ENDPOINTS[endpoint];
  const message: Record<string, unknown> = { T: 'subscription' };
  for (const key of ack) {
    const served = Object.hasOwn(DERIVED_CHANNELS, key) ? DERIVED_CHANNELS[key] : key;
    const channel = served !== undefined && Object.hasOwn(channels, served) ? channels[served] : undefined;
    message[key] = channel === undefined ? [] : [...subscription[channel]];
  }
  return alpacaMessage(message);
}
