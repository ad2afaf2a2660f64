import { WireFormatError } from './wire-parsers.js';
import type { TradingObject, TradingValue } from './trading.models.js';

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
export function pickFields(v: unknown, fields: readonly string[], required: readonly string[], path: string): TradingObject {
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

export function pickList(v: unknown, fields: readonly string[], required: readonly string[], path: string): TradingObject[] {
  if (!Array.isArray(v)) throw new WireFormatError(path, 'an array');
  return v.map((item, i) => pickFields(item, fields, required, `${path}[${i}]`));
}
