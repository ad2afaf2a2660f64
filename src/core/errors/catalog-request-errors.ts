import type { CatalogEntry } from './catalog-entry.js';

/**
 * The catalog's first part: errors of the request itself (validation, credentials, permissions, a
 * missing symbol, order or route), 400 to 405. error-catalog.ts assembles the catalog in this order.
 */
export const REQUEST_ERRORS = {
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
  ACCOUNT_NOT_ALLOWED: {
    status: 403,
    type: 'authorization_error',
    severity: 'warning',
    message: 'This credential may not use the Alpaca account the request names.',
    suggestedActions: [
      'Send X-Alpaca-Account with one of the accounts named in details.allowed, or none for the first.',
      'Ask an administrator to bind the key to the account (apikey accounts ID NAME[,NAME]).',
    ],
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
} as const satisfies Record<string, CatalogEntry>;
