/**
 * The market-data stream protocol: endpoints and their channels (§1, §3), error frames (§5) and
 * the parsing of client action frames.
 */
import type { StockRequestChannel, StreamChannel, StreamEndpoint } from './stream.types.js';

export type StreamKind = 'stocks' | 'options';

export interface EndpointSpec {
  path: StreamEndpoint;
  kind: StreamKind;
  /** Channels a client may request here. */
  channels: readonly StockRequestChannel[];
  /** Keys of the `subscription` ack, in Alpaca's order (DOC-STK transcript, §3.1/§3.2). */
  ackChannels: readonly StreamChannel[];
}

const STOCK_CHANNELS: readonly StockRequestChannel[] = [
  'trades',
  'quotes',
  'bars',
  'updatedBars',
  'dailyBars',
  'statuses',
  'lulds',
  'imbalances',
];
// F5's key order; `imbalances` is not in it and is appended only when non-empty (see Subscription).
const STOCK_ACK: readonly StreamChannel[] = [
  'trades',
  'quotes',
  'bars',
  'updatedBars',
  'dailyBars',
  'statuses',
  'lulds',
  'corrections',
  'cancelErrors',
];
const OPTION_CHANNELS: readonly StockRequestChannel[] = ['trades', 'quotes'];

function stocks(path: StreamEndpoint): EndpointSpec {
  return { path, kind: 'stocks', channels: STOCK_CHANNELS, ackChannels: STOCK_ACK };
}

function options(path: StreamEndpoint): EndpointSpec {
  return { path, kind: 'options', channels: OPTION_CHANNELS, ackChannels: OPTION_CHANNELS };
}

const ENDPOINTS: ReadonlyMap<string, EndpointSpec> = new Map(
  [
    stocks('/v2/iex'),
    stocks('/v2/sip'),
    stocks('/v2/delayed_sip'),
    stocks('/v2/test'),
    options('/v1beta1/indicative'),
    options('/v1beta1/opra'),
  ].map((spec) => [spec.path, spec]),
);

export const STREAM_ENDPOINTS: readonly StreamEndpoint[] = [...ENDPOINTS.keys()] as StreamEndpoint[];

export function endpointSpec(path: string): EndpointSpec | undefined {
  return ENDPOINTS.get(path);
}

/**
 * Keys an SDK may send in a (un)subscribe on any stream: Go sends all of them with nil or []
 * for the unused ones (GO `getSubChangeMessage`), so they are accepted when empty. A non-empty
 * list for a channel this stream lacks is 410; a key outside this set is 400 (§3 OBS).
 */
const KNOWN_KEYS: ReadonlySet<string> = new Set([
  ...STOCK_CHANNELS,
  'corrections',
  'cancelErrors',
  'news',
  'orderbooks',
  'pricing',
]);
/** Derived from `trades` (§3): accepted in a request, but the ack shows them as the trades list. */
const DERIVED_KEYS: ReadonlySet<string> = new Set(['corrections', 'cancelErrors']);

/** §5's table, as `{code, msg}` pairs. */
export const STREAM_ERRORS = {
  invalidSyntax: { code: 400, msg: 'invalid syntax' },
  notAuthenticated: { code: 401, msg: 'not authenticated' },
  authFailed: { code: 402, msg: 'auth failed' },
  alreadyAuthenticated: { code: 403, msg: 'already authenticated' },
  authTimeout: { code: 404, msg: 'auth timeout' },
  symbolLimitExceeded: { code: 405, msg: 'symbol limit exceeded' },
  connectionLimitExceeded: { code: 406, msg: 'connection limit exceeded' },
  slowClient: { code: 407, msg: 'slow client' },
  insufficientSubscription: { code: 409, msg: 'insufficient subscription' },
  invalidSubscribeAction: { code: 410, msg: 'invalid subscribe action for this feed' },
  insufficientScope: { code: 411, msg: 'insufficient scope' },
  msgpackOnly: { code: 412, msg: 'option messages are only available in MsgPack format' },
  starOptionQuotes: { code: 413, msg: 'star subscription is not allowed for option quotes' },
  internal: { code: 500, msg: 'internal error' },
} as const;

export type StreamError = (typeof STREAM_ERRORS)[keyof typeof STREAM_ERRORS];

export function errorMessage(error: StreamError): { T: 'error'; code: number; msg: string } {
  return { T: 'error', code: error.code, msg: error.msg };
}

/** channel → symbols named in one request (empty channels left out). */
export type ChannelRequest = Map<StockRequestChannel, string[]>;

export type ClientAction =
  | { kind: 'auth'; key: string; secret: string }
  | { kind: 'subscribe' | 'unsubscribe'; channels: ChannelRequest }
  | { kind: 'error'; error: StreamError };

const MAX_SYMBOL_LENGTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OBS: Alpaca does not check that a ticker exists, only that it is a plausible token. */
function isWellFormedSymbol(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_SYMBOL_LENGTH && !/\s/.test(value);
}

function invalid(error: StreamError): ClientAction {
  return { kind: 'error', error };
}

function parseChannels(
  frame: Record<string, unknown>,
  spec: EndpointSpec,
  kind: 'subscribe' | 'unsubscribe',
): ClientAction {
  const channels: ChannelRequest = new Map();
  let unsupported = false;
  for (const [key, value] of Object.entries(frame)) {
    if (key === 'action') continue;
    if (!KNOWN_KEYS.has(key)) return invalid(STREAM_ERRORS.invalidSyntax);
    if (value === null || value === undefined) continue; // msgpack nil from Go
    if (!Array.isArray(value) || !value.every(isWellFormedSymbol)) return invalid(STREAM_ERRORS.invalidSyntax);
    if (value.length === 0 || DERIVED_KEYS.has(key)) continue;
    const channel = spec.channels.find((name) => name === key);
    if (channel === undefined) unsupported = true;
    else channels.set(channel, [...new Set(value)]);
  }
  if (unsupported) return invalid(STREAM_ERRORS.invalidSubscribeAction);
  if (channels.size === 0) return invalid(STREAM_ERRORS.invalidSyntax); // OLD-DOCS: at least one channel
  if (kind === 'subscribe' && spec.kind === 'options' && channels.get('quotes')?.includes('*') === true) {
    return invalid(STREAM_ERRORS.starOptionQuotes);
  }
  return { kind, channels };
}

/** Turns a decoded client frame into an action, or the error frame Alpaca answers it with. */
export function parseClientAction(frame: unknown, spec: EndpointSpec): ClientAction {
  if (!isRecord(frame)) return invalid(STREAM_ERRORS.invalidSyntax);
  switch (frame.action) {
    case 'auth':
      if (typeof frame.key !== 'string' || typeof frame.secret !== 'string')
        return invalid(STREAM_ERRORS.invalidSyntax);
      return { kind: 'auth', key: frame.key, secret: frame.secret };
    case 'subscribe':
    case 'unsubscribe':
      return parseChannels(frame, spec, frame.action);
    default:
      // Includes the trading stream's `authenticate` (§3 OBS).
      return invalid(STREAM_ERRORS.invalidSyntax);
  }
}
