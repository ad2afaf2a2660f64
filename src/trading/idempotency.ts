import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../core/errors/app-error.js';
import { canonicalJson } from '../core/serialization/canonical-json.js';
import type { OrderRequest, TradingObject } from '../alpaca/trading.models.js';
import { normalizeDecimal } from './decimal.js';
import { CLIENT_ORDER_ID } from './dto/create-order.dto.js';

/**
 * The idempotency key: the Idempotency-Key header, else the body's client_order_id, else one we
 * generate (and return). Either way it becomes Alpaca's client_order_id, which Alpaca keeps
 * unique, so a repeat can never become a second order, on any number of gateway instances.
 */
export function resolveIdempotencyKey(header: string | undefined, bodyKey: string | undefined): { key: string; generated: boolean } {
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

/** What makes two submissions "the same order": every field we send but the key itself. */
export function orderFingerprint(request: OrderRequest): string {
  const rest: Partial<OrderRequest> = { ...request };
  delete rest.client_order_id;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

const COMPARED = ['symbol', 'side', 'type', 'time_in_force', 'qty', 'notional', 'limit_price', 'stop_price', 'trail_price', 'trail_percent'] as const;

/** Whether an order Alpaca already holds under this key is the one now requested (decimals compared as amounts). */
export function sameOrder(existing: TradingObject, request: OrderRequest): boolean {
  return COMPARED.every((field) => {
    const a = existing[field];
    const b = request[field];
    if (b === undefined) return a === null || a === undefined || a === '';
    if (typeof a !== 'string') return false;
    return field === 'symbol' || field === 'side' || field === 'type' || field === 'time_in_force' ? a === b : normalizeDecimal(a) === normalizeDecimal(b);
  });
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
  private readonly entries = new Map<string, Remembered>();

  get(key: string): Remembered | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && Date.now() - e.at > REMEMBER_MS) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, fingerprint: string, orderId: string): void {
    if (this.entries.size >= MAX_REMEMBERED) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { fingerprint, orderId, at: Date.now() });
  }
}
