import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors/app-error.js';
import { canonicalJson } from '../../core/serialization/canonical-json.js';
import type { ReplaceOrderRequest, TradingObject } from '../../alpaca/trading/trading.models.js';
import {
  decimalPlaces,
  integerDigits,
  isPositiveDecimal,
  normalizeDecimal,
  sameDecimal,
} from '../../core/validation/decimal-string.js';
import type { ReplaceOrderDto } from '../dto/replace-order.dto.js';
import type { Problem } from './mleg-rules.js';
import { pricePlaces } from './order-rules.js';

/** TR-SPEC PatchOrderRequest `qty`: "You can only patch full shares for now". */
const WHOLE = /^[1-9]\d{0,8}$/;
const MAX_PRICE_DIGITS = 7;
const MAX_TRAIL_PLACES = 4;

function checkPrice(p: Problem[], field: string, raw: string | undefined, signed: boolean): void {
  if (raw === undefined) return;
  // A multi-leg order's net limit price may be negative (a credit); the gateway does not know the
  // order's class without a read, so the sign is Alpaca's to refuse on a single-leg order.
  const value = signed && raw.startsWith('-') ? raw.slice(1) : raw;
  if (!isPositiveDecimal(value))
    p.push({
      field,
      problems: [`${field} must be a ${signed ? 'non-zero' : 'positive'} decimal string such as "150.25"`],
    });
  else if (integerDigits(value) > MAX_PRICE_DIGITS)
    p.push({ field, problems: [`${field} allows at most ${MAX_PRICE_DIGITS} digits before the decimal point`] });
  else if (decimalPlaces(value) > pricePlaces(value))
    p.push({ field, problems: [`${field} allows at most ${pricePlaces(value)} decimal places for this value`] });
}

/** Validates a replacement and builds the exact PATCH body, the idempotency key as the new order's client_order_id. */
export function toReplaceRequest(dto: ReplaceOrderDto, clientOrderId: string): ReplaceOrderRequest {
  const p: Problem[] = [];
  if (dto.qty !== undefined && !WHOLE.test(dto.qty))
    p.push({
      field: 'qty',
      problems: ['qty must be a whole number of shares above zero (Alpaca patches full shares only)'],
    });
  checkPrice(p, 'limit_price', dto.limit_price, true);
  checkPrice(p, 'stop_price', dto.stop_price, false);
  if (
    dto.trail !== undefined &&
    (!isPositiveDecimal(dto.trail) ||
      decimalPlaces(dto.trail) > MAX_TRAIL_PLACES ||
      integerDigits(dto.trail) > MAX_PRICE_DIGITS)
  ) {
    p.push({
      field: 'trail',
      problems: [`trail must be a positive decimal string with at most ${MAX_TRAIL_PLACES} decimal places`],
    });
  }
  const changes = (['qty', 'limit_price', 'stop_price', 'trail', 'time_in_force'] as const).filter(
    (k) => dto[k] !== undefined,
  );
  if (changes.length === 0)
    p.push({ field: 'body', problems: ['name at least one of qty, limit_price, stop_price, trail, time_in_force'] });
  if (p.length > 0) {
    const first = p[0];
    throw new AppError('INVALID_PARAMETER', {
      message: first === undefined ? undefined : `${first.field}: ${first.problems.join('; ')}`,
      details: { fields: p },
    });
  }
  const request: ReplaceOrderRequest = { client_order_id: clientOrderId };
  for (const k of changes) Object.assign(request, { [k]: dto[k] });
  return request;
}

/**
 * What makes two replacements "the same": the order replaced and every field sent but the key,
 * amounts compared as amounts ("151.50" repeats "151.5").
 */
export function replaceFingerprint(orderId: string, request: ReplaceOrderRequest): string {
  const amount = (v: string | undefined): string | undefined => (v === undefined ? undefined : normalizeDecimal(v));
  const patch = {
    qty: amount(request.qty),
    limit_price: amount(request.limit_price),
    stop_price: amount(request.stop_price),
    trail: amount(request.trail),
    time_in_force: request.time_in_force,
  };
  return createHash('sha256')
    .update(canonicalJson({ order_id: orderId, patch }))
    .digest('hex');
}

/** Whether an order Alpaca holds under this key is the replacement now asked for (decimals compared as amounts). */
export function isThisReplacement(order: TradingObject, orderId: string, request: ReplaceOrderRequest): boolean {
  if (order['replaces'] !== orderId) return false;
  if (request.qty !== undefined && !sameDecimal(order['qty'], request.qty)) return false;
  if (request.limit_price !== undefined && !sameDecimal(order['limit_price'], request.limit_price)) return false;
  if (request.stop_price !== undefined && !sameDecimal(order['stop_price'], request.stop_price)) return false;
  if (
    request.trail !== undefined &&
    !sameDecimal(order['trail_price'], request.trail) &&
    !sameDecimal(order['trail_percent'], request.trail)
  )
    return false;
  return request.time_in_force === undefined || order['time_in_force'] === request.time_in_force;
}
