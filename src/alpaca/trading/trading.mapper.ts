import { WireFormatError } from '../stocks/stock-wire-parsers.js';
import {
  ACTIVITY_FIELDS,
  LEG_FIELDS,
  ORDER_FIELDS,
  PORTFOLIO_HISTORY_FIELDS,
  type TradingObject,
  type TradingValue,
} from './trading.models.js';

function isTradingValue(v: unknown): v is TradingValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isTradingValue);
  if (typeof v === 'object') return Object.values(v).every(isTradingValue);
  return false;
}

/**
 * Copies the named fields (absent → null), requiring the ones Alpaca always sends. Values are
 * untouched: decimal strings stay strings.
 */
export function pickFields(
  v: unknown,
  fields: readonly string[],
  required: readonly string[],
  path: string,
): TradingObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireFormatError(path, 'an object');
  const o = v as Record<string, unknown>;
  const out: TradingObject = {};
  for (const f of fields) {
    const value = o[f] ?? null;
    if (!isTradingValue(value)) throw new WireFormatError(`${path}.${f}`, 'a JSON value');
    out[f] = value;
  }
  for (const f of required) {
    if (typeof out[f] !== 'string' || out[f] === '') throw new WireFormatError(`${path}.${f}`, 'a non-empty string');
  }
  return out;
}

export function pickList(
  v: unknown,
  fields: readonly string[],
  required: readonly string[],
  path: string,
): TradingObject[] {
  if (!Array.isArray(v)) throw new WireFormatError(path, 'an array');
  return v.map((item, i) => pickFields(item, fields, required, `${path}[${i}]`));
}

/** Copies only the named fields Alpaca sent (absent stays absent, null stays null). */
export function pickPresent(v: unknown, fields: readonly string[], path: string): TradingObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireFormatError(path, 'an object');
  const o = v as Record<string, unknown>;
  const out: TradingObject = {};
  for (const f of fields) {
    if (!(f in o)) continue;
    const value = o[f];
    if (!isTradingValue(value)) throw new WireFormatError(`${path}.${f}`, 'a JSON value');
    out[f] = value;
  }
  return out;
}

const ORDER_REQUIRED = ['id', 'client_order_id', 'status', 'symbol'] as const;
/** A multi-leg order's own symbol is "" (TR-SPEC MultilegOptionsOrderResponse): only the legs name contracts. */
const MLEG_REQUIRED = ['id', 'client_order_id', 'status'] as const;
const LEG_REQUIRED = ['id', 'symbol'] as const;

/** An Order: documented fields only; its legs (mleg, bracket...) mapped the same way, with their ratio. */
export function parseOrder(v: unknown, path = '$'): TradingObject {
  const mleg = v !== null && typeof v === 'object' && (v as Record<string, unknown>)['order_class'] === 'mleg';
  const order = pickFields(v, ORDER_FIELDS, mleg ? MLEG_REQUIRED : ORDER_REQUIRED, path);
  const legs = order['legs'];
  if (legs !== null) order['legs'] = pickList(legs, LEG_FIELDS, LEG_REQUIRED, `${path}.legs`);
  return order;
}

export function parseOrderList(v: unknown): TradingObject[] {
  if (!Array.isArray(v)) throw new WireFormatError('$', 'an array');
  return v.map((item, i) => parseOrder(item, `$[${i}]`));
}

/** Alpaca's error body inside a 207 entry (docs/alpaca-wire.md "REST refusals"): `{code, message}` plus the context some carry. */
const ERROR_BODY_FIELDS = [
  'code',
  'message',
  'symbol',
  'available',
  'existing_qty',
  'held_for_orders',
  'buying_power',
  'cost_basis',
] as const;

function outcomeBody(status: number, body: unknown, path: string): TradingValue {
  if (body === undefined || body === null) return null;
  return status >= 200 && status < 300 ? parseOrder(body, path) : pickPresent(body, ERROR_BODY_FIELDS, path);
}

/**
 * A 207 Multi-Status list (DELETE /v2/orders: `{id, status, body?}`; DELETE /v2/positions:
 * `{symbol, status, body}`): each entry as Alpaca reported it; `status` is that attempt's HTTP status.
 */
export function parseMultiStatus(v: unknown, keyField: 'id' | 'symbol'): TradingObject[] {
  if (!Array.isArray(v)) throw new WireFormatError('$', 'an array');
  return v.map((item: unknown, i) => {
    const path = `$[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new WireFormatError(path, 'an object');
    const o = item as Record<string, unknown>;
    const key = o[keyField];
    const status = o['status'];
    if (typeof key !== 'string' || key === '') throw new WireFormatError(`${path}.${keyField}`, 'a non-empty string');
    if (typeof status !== 'number' || !Number.isInteger(status))
      throw new WireFormatError(`${path}.status`, 'an HTTP status');
    return { [keyField]: key, status, body: outcomeBody(status, o['body'], `${path}.body`) };
  });
}

export function parseActivities(v: unknown): TradingObject[] {
  if (!Array.isArray(v)) throw new WireFormatError('$', 'an array');
  return v.map((item: unknown, i) => {
    const activity = pickPresent(item, ACTIVITY_FIELDS, `$[${i}]`);
    // The id is the paging token (TR-SPEC): without it the next page cannot be asked for.
    if (typeof activity['id'] !== 'string' || activity['id'] === '')
      throw new WireFormatError(`$[${i}].id`, 'a non-empty string');
    return activity;
  });
}

export function parsePortfolioHistory(v: unknown): TradingObject {
  const history = pickPresent(v, PORTFOLIO_HISTORY_FIELDS, '$');
  for (const series of ['timestamp', 'equity', 'profit_loss', 'profit_loss_pct'] as const) {
    const values = history[series];
    if (!Array.isArray(values) || !values.every((x) => x === null || typeof x === 'number'))
      throw new WireFormatError(`$.${series}`, 'an array of numbers');
  }
  return history;
}
