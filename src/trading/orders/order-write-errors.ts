/**
 * The errors an order write (a submission, a replacement) answers with when it places nothing, or
 * cannot tell whether it did: pure builders, so that the services read as the steps they take.
 */

import { AppError } from '../../core/errors/app-error.js';
import type { TradingObject } from '../../alpaca/trading/trading.models.js';
import type { UpstreamError } from '../../alpaca/http/upstream.error.js';

/** Alpaca's 422 when it already holds an order under this client_order_id. */
export const DUPLICATE_KEY = /client_order_id must be unique|duplicate/i;

export function submissionConflict(key: string, existing: TradingObject | null, existingId?: string): AppError {
  return new AppError('IDEMPOTENCY_CONFLICT', {
    details: {
      client_order_id: key,
      existing_order_id: existing === null ? (existingId ?? null) : (existing['id'] ?? null),
    },
  });
}

export function submissionRejected(key: string, e: UpstreamError): AppError {
  return new AppError('ORDER_REJECTED', {
    message: `Alpaca rejected the order: ${e.upstreamMessage ?? 'no reason given'}`,
    details: {
      client_order_id: key,
      upstream_status: e.upstreamStatus,
      upstream_code: e.upstreamCode,
      upstream_message: e.upstreamMessage,
    },
  });
}

export function submissionOutcomeUnknown(key: string, cause: UpstreamError): AppError {
  return new AppError('ORDER_OUTCOME_UNKNOWN', {
    message: 'Alpaca did not confirm the order and it could not be looked up; it may or may not exist.',
    details: {
      client_order_id: key,
      cause: cause.code,
      check: `GET /api/v1/orders?status=all, or resubmit with Idempotency-Key ${key} (never a new key)`,
    },
  });
}

export function orderNotPlaced(key: string, cause: UpstreamError): AppError {
  return new AppError('UPSTREAM_API_UNAVAILABLE', {
    message:
      'Alpaca failed and has no order with this client_order_id: no order was placed. Resubmitting with the same Idempotency-Key is safe.',
    retryAfter: cause.retryAfter ?? 1,
    details: { order_placed: false, client_order_id: key, cause: cause.code },
  });
}

export function replaceConflict(key: string, existingId: string | null): AppError {
  return new AppError('IDEMPOTENCY_CONFLICT', { details: { client_order_id: key, existing_order_id: existingId } });
}

export function replacementRejected(orderId: string, key: string, e: UpstreamError): AppError {
  return new AppError('ORDER_REJECTED', {
    message: `Alpaca refused the replacement: ${e.upstreamMessage ?? 'no reason given'}`,
    details: {
      order_id: orderId,
      client_order_id: key,
      upstream_status: e.upstreamStatus,
      upstream_code: e.upstreamCode,
      upstream_message: e.upstreamMessage,
    },
  });
}

export function replacementOutcomeUnknown(orderId: string, key: string, cause: UpstreamError): AppError {
  return new AppError('ORDER_OUTCOME_UNKNOWN', {
    message: 'Alpaca did not confirm the replacement and it could not be looked up; it may or may not have happened.',
    details: {
      order_id: orderId,
      client_order_id: key,
      cause: cause.code,
      check: `GET /api/v1/orders/${orderId} (replaced_by), or repeat with Idempotency-Key ${key} (never a new key)`,
    },
  });
}

export function orderNotReplaced(
  orderId: string,
  key: string,
  cause: UpstreamError,
  replacedBy: string | null,
): AppError {
  return new AppError('UPSTREAM_API_UNAVAILABLE', {
    message:
      replacedBy === null
        ? 'Alpaca failed and the order was not replaced. Repeating with the same Idempotency-Key is safe.'
        : 'Alpaca failed; the order was since replaced by another request (see replaced_by), not by this one.',
    retryAfter: cause.retryAfter ?? 1,
    details: {
      order_replaced: false,
      order_id: orderId,
      client_order_id: key,
      replaced_by: replacedBy,
      cause: cause.code,
    },
  });
}
