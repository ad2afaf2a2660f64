import type { CatalogEntry } from './catalog-entry.js';

/**
 * The catalog's second part: errors of orders (conflict, rejection, risk, halt), of limits and of
 * the gateway and Alpaca (409 and up). error-catalog.ts assembles the catalog in this order.
 */
export const SERVICE_ERRORS = {
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
