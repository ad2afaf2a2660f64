/** Broad family of an error, so clients can branch without knowing every code. */
export type ErrorType =
  | 'validation_error'
  | 'authentication_error'
  | 'authorization_error'
  | 'data_unavailable'
  | 'not_found'
  | 'conflict'
  | 'order_rejected'
  | 'rate_limit'
  | 'internal_error'
  | 'upstream_error';

export type ErrorSeverity = 'info' | 'warning' | 'error' | 'critical';

export interface CatalogEntry {
  status: number;
  type: ErrorType;
  severity: ErrorSeverity;
  /** Default human message; a thrower may give a more specific one. */
  message: string;
  suggestedActions: readonly string[];
}

/**
 * The one error catalog (docs/contract.md "The error envelope and catalog"). Every error a client sees is one
 * of these codes; the global filter renders them and nothing else builds error bodies.
 */
export const ERROR_CATALOG = {
  INVALID_SYMBOL_FORMAT: {
    status: 400,
    type: 'validation_error',
    severity: 'info',
    message: 'The symbol is not a valid ticker.',
    // Worded like STOCK_SYMBOL_RULE (core/validation/stock-symbol.ts), which imports this module.
    suggestedActions: [
      'Send 1-5 letters such as AAPL, or a class share such as BRK.B (BRK-B and BRK/B are accepted too); lower case is accepted and upper-cased.',
    ],
  },
  INVALID_OPTION_SYMBOL: {
    status: 400,
    type: 'validation_error',
    severity: 'info',
    message: 'The option symbol is not a valid OCC symbol.',
    suggestedActions: ['Use ROOT + YYMMDD + C|P + strike x1000 in 8 digits, e.g. AAPL250620C00100000.'],
  },
  INVALID_DATE_RANGE: {
    status: 400,
    type: 'validation_error',
    severity: 'info',
    message: 'The date range is invalid.',
    suggestedActions: ['Send start and end as RFC-3339 timestamps or YYYY-MM-DD dates, with start not after end.'],
  },
  INVALID_PARAMETER: {
    status: 400,
    type: 'validation_error',
    severity: 'info',
    message: 'A request parameter is invalid.',
    suggestedActions: ['Correct the parameters listed in details and retry.', 'See /docs for the accepted values.'],
  },
  /**
   * A bulk write (close every position, cancel every order) asked without `confirm=true`: the
   * one guard against a client that reaches the bulk route by building a path with an empty part.
   */
  CONFIRMATION_REQUIRED: {
    status: 400,
    type: 'validation_error',
    severity: 'warning',
    message: 'This request acts on every position or order of the account and needs confirm=true.',
    suggestedActions: [
      'Repeat the request with the query parameter confirm=true if you mean every position or order.',
      'To act on one, put its symbol or id in the path.',
    ],
  },
  REQUEST_SIZE_EXCEEDED: {
    status: 400,
    type: 'validation_error',
    severity: 'info',
    message: 'The request asks for more items than allowed.',
    suggestedActions: ['Split the request into smaller batches (see details.max).'],
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    type: 'validation_error',
    severity: 'info',
    message: 'The request body is larger than the gateway accepts.',
    suggestedActions: ['Send a smaller body (see details.limit_bytes), e.g. split a batch.'],
  },
  AUTHENTICATION_REQUIRED: {
    status: 401,
    type: 'authentication_error',
    severity: 'warning',
    message: 'Authentication is required.',
    suggestedActions: ['Send Authorization: Bearer <token> or X-API-Key.'],
  },
  INVALID_TOKEN: {
    status: 401,
    type: 'authentication_error',
    severity: 'warning',
    message: 'The bearer token is invalid or expired.',
    suggestedActions: ['Obtain a new token from POST /api/v1/auth/token.'],
  },
  INVALID_API_KEY: {
    status: 401,
    type: 'authentication_error',
    severity: 'warning',
    message: 'The API key is invalid or revoked.',
    suggestedActions: ['Check the key, or ask an administrator for a new one.'],
  },
  INSUFFICIENT_PERMISSIONS: {
    status: 403,
    type: 'authorization_error',
    severity: 'warning',
    message: 'Your role does not allow this operation.',
    suggestedActions: ['Ask an administrator for a role with the permission named in details.'],
  },
  UPSTREAM_SUBSCRIPTION_REQUIRED: {
    status: 403,
    type: 'authorization_error',
    severity: 'warning',
    message: "The gateway's Alpaca subscription does not cover this data.",
    suggestedActions: [
      'Use the IEX feed or a range older than 15 minutes.',
      'Ask the operators about the Alpaca plan.',
    ],
  },
  SYMBOL_NOT_FOUND: {
    status: 404,
    type: 'data_unavailable',
    severity: 'warning',
    message: 'Alpaca returned no data for this symbol.',
    suggestedActions: ['Check the symbol is listed and traded on the configured feed.'],
  },
  OPTION_DATA_UNAVAILABLE: {
    status: 404,
    type: 'data_unavailable',
    severity: 'warning',
    message: 'Alpaca returned no data for this option contract.',
    suggestedActions: ['Check the contract exists with GET /api/v1/options/contracts.'],
  },
  OPTIONS_CHAIN_UNAVAILABLE: {
    status: 404,
    type: 'data_unavailable',
    severity: 'warning',
    message: 'Alpaca returned no option contracts for this underlying and filters.',
    suggestedActions: ['Widen the filters (expiration, strike range) or check the underlying has listed options.'],
  },
  HISTORICAL_DATA_UNAVAILABLE: {
    status: 404,
    type: 'data_unavailable',
    severity: 'warning',
    message: 'Alpaca returned no historical data for this request.',
    suggestedActions: ['Widen the date range; markets are closed on weekends and holidays.'],
  },
  ORDER_NOT_FOUND: {
    status: 404,
    type: 'not_found',
    severity: 'info',
    message: 'No such order.',
    suggestedActions: ['Check the order id with GET /api/v1/orders.'],
  },
  POSITION_NOT_FOUND: {
    status: 404,
    type: 'not_found',
    severity: 'info',
    message: 'No open position for this symbol.',
    suggestedActions: ['List open positions with GET /api/v1/positions.'],
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    type: 'not_found',
    severity: 'info',
    message: 'No such route.',
    suggestedActions: ['See /docs for the available routes (all under /api/v1).'],
  },
  /**
   * The path exists but not under this method; the Allow header (and details.allowed) lists the
   * methods it accepts. Answered before authentication: it reveals only what /docs-json publishes.
   */
  METHOD_NOT_ALLOWED: {
    status: 405,
    type: 'validation_error',
    severity: 'info',
    message: 'This path does not accept this HTTP method.',
    suggestedActions: [
      'Use one of the methods in the Allow header (also in details.allowed).',
      'See /docs for the methods of each route.',
    ],
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    type: 'conflict',
    severity: 'warning',
    message: 'This idempotency key was already used with a different request body.',
    suggestedActions: ['Use a new Idempotency-Key for a different order.'],
  },
  ORDER_REJECTED: {
    status: 422,
    type: 'order_rejected',
    severity: 'warning',
    message: 'Alpaca rejected the order.',
    suggestedActions: ['Read details.upstream_message and correct the order.'],
  },
  /**
   * The pre-trade risk gate (RISK_POLICY_FILE) refused an order write before anything was sent:
   * details `{rule, limit, requested}` (and `reason` when the rule could not be checked, e.g. no
   * fresh quote). Audited as `order_refused`.
   */
  RISK_LIMIT_EXCEEDED: {
    status: 422,
    type: 'order_rejected',
    severity: 'warning',
    message: 'The order breaks a pre-trade risk limit; nothing was sent to Alpaca.',
    suggestedActions: [
      'Read details.rule, details.limit and details.requested, and change the order to stay within the limit.',
      'If details.reason says a price or position could not be had, retry once it can (a fresh quote, Alpaca reachable).',
      "Ask an operator about your key's risk policy if the limit itself is wrong.",
    ],
  },
  /**
   * An admin halted trading for every principal (`scope: all`) or for the caller's API key
   * (`scope: key:<id>`): new orders, replacements and exercises are refused before anything is
   * sent; cancels, position closes and reads still work. details: {scope, reason, since}.
   */
  TRADING_HALTED: {
    status: 423,
    type: 'order_rejected',
    severity: 'warning',
    message: 'Trading is halted: no new order, replacement or exercise is sent.',
    suggestedActions: [
      'Nothing was sent to Alpaca. Wait for an administrator to resume trading (details.scope, details.reason, details.since say which halt).',
      'Cancels, position closes and reads still work.',
      'A repeat of an order already answered before the halt (same Idempotency-Key and body) still returns that order.',
    ],
  },
  RATE_LIMIT_EXCEEDED: {
    status: 429,
    type: 'rate_limit',
    severity: 'warning',
    message: 'You have sent too many requests.',
    suggestedActions: ['Wait for Retry-After seconds before retrying.'],
  },
  INTERNAL_SERVICE_ERROR: {
    status: 500,
    type: 'internal_error',
    severity: 'critical',
    message: 'The gateway failed unexpectedly.',
    suggestedActions: ['Retry later; report the request_id if it persists.'],
  },
  UPSTREAM_INVALID_RESPONSE: {
    status: 502,
    type: 'upstream_error',
    severity: 'error',
    message: 'Alpaca returned a response the gateway could not read.',
    suggestedActions: ['Retry shortly; report the request_id if it persists.'],
  },
  UPSTREAM_API_UNAVAILABLE: {
    status: 503,
    type: 'upstream_error',
    severity: 'error',
    message: 'Alpaca is unavailable.',
    suggestedActions: ['Retry after a short wait.'],
  },
  UPSTREAM_RATE_LIMITED: {
    status: 503,
    type: 'upstream_error',
    severity: 'warning',
    message: "The gateway's shared Alpaca quota is exhausted.",
    suggestedActions: ['Retry after Retry-After seconds.', 'Batch symbols into one request to save quota.'],
  },
  UPSTREAM_AUTHENTICATION_FAILED: {
    status: 503,
    type: 'upstream_error',
    severity: 'critical',
    message: "Alpaca refused the gateway's credentials.",
    suggestedActions: ['Nothing to change on your side; the operators have to fix the Alpaca keys.'],
  },
  UPSTREAM_STREAM_UNAVAILABLE: {
    status: 503,
    type: 'upstream_error',
    severity: 'error',
    message: "Alpaca's stream for this data is not available right now.",
    suggestedActions: ['Stay connected: a gap message follows when data flows again; meanwhile read REST snapshots.'],
  },
  /** Streams only: the subscription would pass the plan's (or the caller's) symbol limit; nothing was changed. */
  STREAM_SYMBOL_LIMIT: {
    status: 429,
    type: 'rate_limit',
    severity: 'warning',
    message: 'The subscription would exceed the symbol limit; nothing was changed.',
    suggestedActions: ['Unsubscribe symbols you no longer need, or poll REST for the rest.'],
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    type: 'internal_error',
    severity: 'critical',
    message: 'The audit trail cannot be written, so no order is sent.',
    suggestedActions: ['Retry after Retry-After seconds; nothing was sent to Alpaca.'],
  },
  /**
   * A bearer token must be checked against the configured identity provider's keys (JWT_JWKS_URL)
   * and its JWKS cannot be had (refused, timed out, a non-200 or an unreadable set). Not the
   * client's fault, so never counted as a failed credential; the same token may pass a moment later.
   */
  IDENTITY_PROVIDER_UNAVAILABLE: {
    status: 503,
    type: 'upstream_error',
    severity: 'error',
    message: "The identity provider's signing keys cannot be fetched, so the token cannot be checked right now.",
    suggestedActions: [
      'Retry the same token after Retry-After seconds.',
      'If it persists, ask the operators to check the identity provider (its JWKS URL).',
    ],
  },
  CIRCUIT_OPEN: {
    status: 503,
    type: 'upstream_error',
    severity: 'error',
    message: 'Alpaca has been failing; the gateway is pausing calls to it.',
    suggestedActions: ['Retry after Retry-After seconds.'],
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    type: 'upstream_error',
    severity: 'error',
    message: 'Alpaca did not answer in time.',
    suggestedActions: ['Retry shortly.'],
  },
  ORDER_OUTCOME_UNKNOWN: {
    status: 504,
    type: 'upstream_error',
    severity: 'critical',
    message: 'The order may or may not have been placed.',
    suggestedActions: ['Look the order up by details.client_order_id before sending it again.'],
  },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function catalogEntry(code: ErrorCode): CatalogEntry {
  return ERROR_CATALOG[code];
}
