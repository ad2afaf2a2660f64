import { AppError } from '../../core/errors/app-error.js';
import type { Sourced } from '../../alpaca/stocks/market-data.port.js';
import type { TradingPort } from '../../alpaca/trading/trading.port.js';
import type { TradingObject, TradingValue } from '../../alpaca/trading/trading.models.js';

/** What Alpaca holds after a lost PATCH: the new order, or what the old order says replaced it (null: nothing). */
export type Settled = { found: Sourced<TradingObject> } | { replacedBy: string | null };

export function text(v: TradingValue | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * What Alpaca holds after a lost PATCH: the new order by our key; else the old order's
 * replaced_by (ours, or another request's); else, unless it is still pending_replace, nothing
 * was replaced. Null: not settled yet.
 */
export async function settleReplacement(gateway: TradingPort, orderId: string, key: string): Promise<Settled | null> {
  const byKey = await findByKey(gateway, key);
  if (byKey !== null) return { found: byKey };
  const old = await gateway.order(orderId);
  const replacedBy = text(old.value['replaced_by']);
  if (replacedBy !== null) {
    const newer = await gateway.order(replacedBy);
    return newer.value['client_order_id'] === key ? { found: newer } : { replacedBy };
  }
  return old.value['status'] === 'pending_replace' ? null : { replacedBy: null };
}

/** The order Alpaca holds under this client_order_id; null when it has none. */
export async function findByKey(gateway: TradingPort, key: string): Promise<Sourced<TradingObject> | null> {
  try {
    return await gateway.orderByClientId(key);
  } catch (e: unknown) {
    if (e instanceof AppError && e.code === 'ORDER_NOT_FOUND') return null;
    throw e;
  }
}
