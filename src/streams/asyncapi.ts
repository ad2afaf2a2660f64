import { CLIENT_CHANNELS, CLOSE_CODES } from './stream-protocol.js';

/** Served at ASYNCAPI_PATH and linked from the Swagger page. */
export const ASYNCAPI_PATH = '/asyncapi.json';

type Schema = Record<string, unknown>;

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const symbolList = { type: 'array', items: str } as const;

/** Fields every data message carries besides its own. */
const provenance: Record<string, Schema> = {
  symbol: str,
  timestamp: { type: 'string', description: "Alpaca's timestamp, verbatim (RFC 3339, nanoseconds)." },
  received_at: { type: 'string', format: 'date-time', description: 'When the gateway read the upstream frame.' },
  feed: { type: 'string', description: 'iex, sip, … for stocks; indicative or opra for options.' },
  provider: { type: 'string', enum: ['alpaca', 'non_alpaca_host'] },
  data_quality: {
    type: 'object',
    description:
      'What the gateway noticed about the values (crossed_quote, locked_quote, non_positive_price, non_positive_size, future_timestamp); information, the values are untouched. ' +
      'Bars of every kind get the bar check, a correction the trade check of its corrected trade, a LULD band its prices and timestamp, a status or a cancel_error its timestamp only.',
    properties: { checked: { type: 'boolean', const: true }, flags: { type: 'array', items: str } },
  },
};

function message(name: string, summary: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return {
    name,
    summary,
    payload: {
      type: 'object',
      required: ['type', ...required],
      properties: { type: { type: 'string', const: name }, ...properties },
    },
  };
}

function data(name: string, summary: string, fields: Record<string, Schema>): Schema {
  return message(name, summary, { ...provenance, ...fields }, [
    'symbol',
    'timestamp',
    'received_at',
    'feed',
    'provider',
  ]);
}

const quoteFields = {
  bid_price: num,
  bid_size: num,
  bid_exchange: str,
  ask_price: num,
  ask_size: num,
  ask_exchange: str,
};
const barFields = {
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
  trade_count: { type: ['integer', 'null'] },
  vwap: { type: ['number', 'null'] },
};
const nullableStr = { type: ['string', 'null'] } as const;
const tradeId = (what: string): Schema => ({
  type: 'string',
  description: `${what} (Alpaca's uint64 trade id as a decimal string).`,
});
const subscriptionLists = Object.fromEntries(CLIENT_CHANNELS.map((c) => [c, symbolList]));

const serverMessages: Record<string, Schema> = {
  connected: message('connected', 'First message of every connection.', {}),
  authenticated: message(
    'authenticated',
    'Credentials accepted.',
    { subject: str, roles: { type: 'array', items: str } },
    ['subject', 'roles'],
  ),
  subscription: message('subscription', "The client's whole subscription, after every change.", {
    ...subscriptionLists,
    orders: { type: 'boolean' },
  }),
  quote: data('quote', 'Stock quote (channel quotes).', {
    ...quoteFields,
    conditions: symbolList,
    tape: { type: ['string', 'null'] },
  }),
  trade: data('trade', 'Stock trade (channel trades).', {
    price: num,
    size: num,
    exchange: str,
    conditions: symbolList,
    tape: { type: ['string', 'null'] },
    trade_id: { type: 'string', description: "Alpaca's uint64 trade id as a decimal string." },
    update: { type: ['string', 'null'] },
  }),
  bar: data('bar', 'Minute bar (channel bars).', barFields),
  updated_bar: data(
    'updated_bar',
    'A minute bar sent again because late trades changed it, with the timestamp of the bar it replaces (channel updated_bars).',
    barFields,
  ),
  daily_bar: data(
    'daily_bar',
    "The day's bar so far, sent after each minute while the market is open (channel daily_bars).",
    barFields,
  ),
  status: data(
    'status',
    "A trading status change: halt, resumption, … (channel statuses). Codes as Alpaca sent them (Alpaca's CTA and UTP tables).",
    {
      status_code: str,
      status_message: nullableStr,
      reason_code: nullableStr,
      reason_message: nullableStr,
      tape: nullableStr,
    },
  ),
  luld: data('luld', 'A limit up-limit down price band (channel lulds).', {
    limit_up_price: num,
    limit_down_price: num,
    indicator: nullableStr,
    tape: nullableStr,
  }),
  correction: data(
    'correction',
    'A correction of an earlier trade (with channel trades: Alpaca sends it for every trades symbol).',
    {
      exchange: str,
      original_trade_id: tradeId('The trade corrected'),
      original_price: num,
      original_size: num,
      original_conditions: symbolList,
      corrected_trade_id: tradeId('The corrected trade'),
      corrected_price: num,
      corrected_size: num,
      corrected_conditions: symbolList,
      tape: nullableStr,
    },
  ),
  cancel_error: data('cancel_error', 'An earlier trade canceled or flagged as an error (with channel trades).', {
    trade_id: tradeId('The trade'),
    exchange: str,
    price: num,
    size: num,
    action: { type: 'string', description: "Alpaca's C (cancel) or E (error)." },
    tape: nullableStr,
  }),
  option_quote: data('option_quote', 'Option quote (channel option_quotes).', { ...quoteFields, condition: str }),
  option_trade: data('option_trade', 'Option trade (channel option_trades).', {
    price: num,
    size: num,
    exchange: str,
    condition: str,
  }),
  order_update: message(
    'order_update',
    "An order event of one of the gateway's Alpaca accounts (channel orders: trader, admin; the accounts the credential may use, or the one X-Alpaca-Account named on the upgrade), from that account's trade_updates; also written once to the audit trail when it is a fill, partial_fill, canceled, expired, replaced or rejected.",
    {
      event: {
        type: 'string',
        description:
          "Alpaca's event name: new, fill, partial_fill, canceled, expired, done_for_day, replaced, rejected, pending_new, … (unknown names are passed on).",
      },
      order_id: { type: 'string', description: 'order.id, repeated.' },
      symbol: { type: ['string', 'null'], description: 'order.symbol, repeated.' },
      timestamp: {
        type: ['string', 'null'],
        description: "Alpaca's event timestamp, verbatim; null when Alpaca sent none (e.g. new).",
      },
      execution_id: { type: 'string', description: 'Fills only.' },
      price: { type: 'string', description: 'Fills only: decimal string as Alpaca sent it.' },
      qty: { type: 'string', description: 'Fills only: decimal string as Alpaca sent it.' },
      position_qty: {
        type: 'string',
        description: 'Fills only: the position after the fill (signed), as Alpaca sent it.',
      },
      order: { type: 'object', description: 'The Order object exactly as Alpaca sent it (decimals as strings).' },
      account: {
        type: 'string',
        description: "The gateway's name of the Alpaca account (default without ALPACA_ACCOUNTS).",
      },
      received_at: provenance['received_at'],
      provider: provenance['provider'],
    },
    ['event', 'order_id', 'symbol', 'timestamp', 'order', 'account', 'received_at', 'provider'],
  ),
  gap: message(
    'gap',
    'The upstream stream was interrupted; data between from and to may be missing (refetch a REST snapshot).',
    {
      stream: { type: 'string', enum: ['stocks', 'options', 'orders'] },
      account: { type: 'string', description: 'orders only: the account whose trading stream was interrupted.' },
      from: str,
      to: str,
      reason: str,
    },
    ['stream', 'from', 'to', 'reason'],
  ),
  dropped: message('dropped', "Messages dropped because the client's queue was full.", { count: int }, ['count']),
  error: message(
    'error',
    'A catalog error; the connection stays open unless the close code says otherwise.',
    { code: str, message: str, details: { type: 'object' } },
    ['code', 'message'],
  ),
};

const channelArrays = Object.fromEntries(
  CLIENT_CHANNELS.map((c) => [
    c,
    { ...symbolList, description: c.startsWith('option_') ? 'OCC option symbols (premium).' : 'Tickers (viewer).' },
  ]),
);
const clientMessages: Record<string, Schema> = {
  auth: {
    name: 'auth',
    summary: 'Browsers: credentials as the first frame.',
    payload: {
      type: 'object',
      required: ['action'],
      properties: { action: { const: 'auth' }, token: str, api_key: str },
    },
  },
  subscribe: {
    name: 'subscribe',
    summary: 'Adds symbols to channels.',
    payload: {
      type: 'object',
      required: ['action'],
      properties: {
        action: { const: 'subscribe' },
        ...channelArrays,
        orders: { type: 'boolean', description: 'true: also the order_update events (trader, admin).' },
      },
    },
  },
  unsubscribe: {
    name: 'unsubscribe',
    summary: 'Removes symbols from channels.',
    payload: {
      type: 'object',
      required: ['action'],
      properties: { action: { const: 'unsubscribe' }, ...channelArrays, orders: { type: 'boolean' } },
    },
  },
};

/** The AsyncAPI 3 document of the client stream (docs/contract.md "Streams"). */
export function asyncApiDocument(): Schema {
  const ref = (name: string): Schema => ({ $ref: `#/channels/stream/messages/${name}` });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'opitios-alpaca client stream',
      version: '1',
      description:
        "Alpaca's market-data streams and the account's order events (trade_updates), one upstream socket per stream, fanned out. Server frames are JSON arrays of messages; " +
        'client frames are single JSON objects, a member name at most once (else INVALID_PARAMETER), at most STREAM_CLIENT_FRAMES_PER_SECOND per principal ' +
        '(bursts of twice that; past it RATE_LIMIT_EXCEEDED). ' +
        `Close codes: ${CLOSE_CODES.authentication} authentication (none in time, refused, token expired, key revoked), ` +
        `${CLOSE_CODES.slowConsumer} slow consumer (stays behind, or leaves its replies unread past twice the queue), ` +
        `${CLOSE_CODES.rateLimited} frames refused for their rate more than 10 times without a second's pause, ` +
        `${CLOSE_CODES.policy} too many connections (per principal, or unauthenticated per address), ${CLOSE_CODES.shutdown} shutdown. ` +
        'An upgrade whose Origin is not in CORS_ORIGINS (when set) is refused with HTTP 403. The same messages are served as Server-Sent Events at ' +
        'GET /api/v1/stream/events?quotes=AAPL,TSLA&option_quotes=…&orders=true (event: type, data: JSON).',
    },
    servers: {
      gateway: {
        host: 'localhost:3000',
        protocol: 'ws',
        description:
          'The gateway itself; credentials on the upgrade (Authorization: Bearer, X-API-Key) or an auth frame.',
      },
    },
    channels: {
      stream: {
        address: '/api/v1/stream',
        messages: { ...serverMessages, ...clientMessages },
      },
    },
    operations: {
      receive: {
        action: 'receive',
        channel: { $ref: '#/channels/stream' },
        messages: Object.keys(serverMessages).map(ref),
      },
      send: { action: 'send', channel: { $ref: '#/channels/stream' }, messages: Object.keys(clientMessages).map(ref) },
    },
  };
}
