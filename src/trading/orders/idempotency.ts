import { createHash, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { AppError } from '../../core/errors/app-error.js';
import { canonicalJson } from '../../core/serialization/canonical-json.js';
import type { Clock } from '../../core/time/clock.js';
import type { OrderRequest, TradingObject, TradingValue } from '../../alpaca/trading/trading.models.js';
import { normalizeDecimal, sameDecimal } from '../../core/validation/decimal-string.js';
import { CLIENT_ORDER_ID } from '../dto/create-order.dto.js';

/**
 * The idempotency key: the Idempotency-Key header, else the body's client_order_id, else one we
 * generate (and return). Either way it becomes Alpaca's client_order_id, which Alpaca keeps
 * unique, so a repeat can never become a second order, on any number of gateway instances.
 */
export function resolveIdempotencyKey(
  header: string | undefined,
  bodyKey: string | undefined,
): { key: string; generated: boolean } {
  if (header !== undefined && !CLIENT_ORDER_ID.test(header)) {
    throw new AppError('INVALID_PARAMETER', {
      message: 'Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -',
      details: { fields: [{ field: 'Idempotency-Key', problems: ['invalid format'] }] },
    });
  }
  if (header !== undefined && bodyKey !== undefined && header !== bodyKey) {
    throw new AppError('INVALID_PARAMETER', {
      message: 'Idempotency-Key and client_order_id differ; send one, or the same value in both.',
      details: { fields: [{ field: 'client_order_id', problems: ['differs from Idempotency-Key'] }] },
    });
  }
  const given = header ?? bodyKey;
  return given === undefined ? { key: `oa-${randomUUID()}`, generated: true } : { key: given, generated: false };
}

const DECIMAL_FIELDS = ['qty', 'notional', 'limit_price', 'stop_price', 'trail_price', 'trail_percent'] as const;

/**
 * The whole validated body in one canonical form: every field we send but the key itself, nested
 * legs and bracket exits included, amounts normalised, and Alpaca's defaults spelled one way
 * (`extended_hours: false` is no extended hours, `order_class: simple` no class).
 */
export function canonicalOrder(request: OrderRequest): Record<string, unknown> {
  const c: Record<string, unknown> = { ...request };
  delete c['client_order_id'];
  for (const f of DECIMAL_FIELDS) if (request[f] !== undefined) c[f] = normalizeDecimal(request[f]);
  if (request.extended_hours !== true) delete c['extended_hours'];
  if (request.order_class === 'simple') delete c['order_class'];
  if (request.take_profit !== undefined)
    c['take_profit'] = { limit_price: normalizeDecimal(request.take_profit.limit_price) };
  if (request.stop_loss !== undefined) {
    const { stop_price, limit_price } = request.stop_loss;
    c['stop_loss'] = {
      stop_price: normalizeDecimal(stop_price),
      ...(limit_price === undefined ? {} : { limit_price: normalizeDecimal(limit_price) }),
    };
  }
  if (request.legs !== undefined)
    c['legs'] = request.legs.map((l) => ({ ...l, ratio_qty: normalizeDecimal(l.ratio_qty) }));
  return c;
}

/** What makes two submissions "the same order": a hash of the canonical form of the whole body. */
export function orderFingerprint(request: OrderRequest): string {
  return createHash('sha256')
    .update(canonicalJson(canonicalOrder(request)))
    .digest('hex');
}

const SCALARS = ['symbol', 'side', 'type', 'time_in_force'] as const;

/** Alpaca's way of leaving a field unset: null (or absent, or empty). */
function absent(v: TradingValue | undefined): boolean {
  return v === null || v === undefined || v === '';
}

function legsOf(order: TradingObject): TradingObject[] | null {
  const legs = order['legs'];
  if (!Array.isArray(legs)) return null;
  return legs.filter((l): l is TradingObject => typeof l === 'object' && l !== null && !Array.isArray(l));
}

/** Bracket, OCO and OTO exits as Alpaca holds them: its child orders (OCO: the parent is the take-profit). */
function sameExits(existing: TradingObject, request: OrderRequest): boolean {
  if (request.take_profit === undefined && request.stop_loss === undefined) return true;
  const legs = legsOf(existing);
  // Alpaca answered without the child orders: the exits cannot be shown equal, so they are not.
  if (legs === null) return false;
  const candidates = request.order_class === 'oco' ? [existing, ...legs] : legs;
  const tp = request.take_profit;
  if (
    tp !== undefined &&
    !candidates.some((l) => l['type'] === 'limit' && sameDecimal(l['limit_price'], tp.limit_price))
  )
    return false;
  const sl = request.stop_loss;
  if (sl === undefined) return true;
  return candidates.some(
    (l) =>
      sameDecimal(l['stop_price'], sl.stop_price) &&
      (sl.limit_price === undefined ? l['type'] === 'stop' : sameDecimal(l['limit_price'], sl.limit_price)),
  );
}

function sameLegs(existing: TradingObject, request: OrderRequest): boolean {
  if (request.legs === undefined) return true;
  const legs = legsOf(existing);
  if (legs === null || legs.length !== request.legs.length) return false;
  return request.legs.every((want, i) => {
    const have = legs[i];
    if (have === undefined || have['symbol'] !== want.symbol || !sameDecimal(have['ratio_qty'], want.ratio_qty))
      return false;
    if (want.side !== undefined && have['side'] !== want.side) return false;
    return want.position_intent === undefined || have['position_intent'] === want.position_intent;
  });
}

/**
 * Whether an order Alpaca already holds under this key is the one now requested, judged from
 * Alpaca's copy alone (no instance remembers the first body): every field we sent, nested legs
 * and bracket exits included. Where Alpaca's copy cannot show a field equal (exits without child
 * orders), it is not the same order: a 409 is recoverable, a false replay is not.
 */
export function sameOrder(existing: TradingObject, request: OrderRequest): boolean {
  for (const field of SCALARS) {
    const want = request[field];
    const have = existing[field];
    if (want === undefined ? !absent(have) : have !== want) return false;
  }
  for (const field of DECIMAL_FIELDS) {
    const want = request[field];
    const have = existing[field];
    if (want === undefined ? !absent(have) : !sameDecimal(have, want)) return false;
  }
  if ((existing['extended_hours'] === true) !== (request.extended_hours === true)) return false;
  const classOf = (v: TradingValue | undefined): string =>
    absent(v) ? 'simple' : typeof v === 'string' ? v : JSON.stringify(v);
  if (classOf(existing['order_class']) !== classOf(request.order_class)) return false;
  if (request.position_intent !== undefined && existing['position_intent'] !== request.position_intent) return false;
  return sameLegs(existing, request) && sameExits(existing, request);
}

interface Remembered {
  fingerprint: string;
  orderId: string;
  at: number;
}

const REMEMBER_MS = 24 * 3_600_000;
const MAX_REMEMBERED = 10_000;

/**
 * Keys this instance has seen, so a repeat is answered (or refused with 409) without asking
 * Alpaca to create anything. Only an optimisation: Alpaca's uniqueness is the guarantee.
 */
export class IdempotencyMemory {
  private readonly entries = new LRUCache<string, Remembered>({ max: MAX_REMEMBERED });

  constructor(private readonly clock: Clock) {}

  get(key: string): Remembered | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && this.clock.now() - e.at > REMEMBER_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, fingerprint: string, orderId: string): void {
    this.entries.set(key, { fingerprint, orderId, at: this.clock.now() });
  }
}
