import type {
  WireBar,
  WireBarsPage,
  WireClock,
  WireLatestQuotes,
  WireLatestTrades,
  WireStockQuote,
  WireStockSnapshots,
  WireStockTrade,
  WireLuld,
  WireTradeCancelError,
  WireTradeCorrection,
  WireTradingStatus,
} from './stock-wire.types.js';
import {
  barSchema,
  barsPageSchema,
  clockSchema,
  latestQuotesSchema,
  latestTradesSchema,
  stockQuoteSchema,
  stockSnapshotsSchema,
  stockTradeSchema,
  luldSchema,
  tradeCancelErrorSchema,
  tradeCorrectionSchema,
  tradingStatusSchema,
} from './stock-wire-schemas.js';
import { pageToken, parseWire, WireFormatError } from '../http/wire-schema.js';

export { WireFormatError } from '../http/wire-schema.js';

/*
 * Stock payloads are checked by the zod schemas in stock-wire-schemas.ts. The small helpers below
 * remain for the hand-written readers that are not schemas (trading pass-through objects, the
 * stream control messages).
 */

export type Obj = Record<string, unknown>;

export function object(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new WireFormatError(path, 'an object');
  return v as Obj;
}
export function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new WireFormatError(`${path}.${key}`, 'a string');
  return v;
}

export function parseStockQuote(v: unknown, path: string): WireStockQuote {
  return parseWire(stockQuoteSchema, v, path);
}

export function parseStockTrade(v: unknown, path: string): WireStockTrade {
  return parseWire(stockTradeSchema, v, path);
}

export function parseBar(v: unknown, path: string): WireBar {
  return parseWire(barSchema, v, path);
}

export function parseTradingStatus(v: unknown, path: string): WireTradingStatus {
  return parseWire(tradingStatusSchema, v, path);
}

export function parseLuld(v: unknown, path: string): WireLuld {
  return parseWire(luldSchema, v, path);
}

export function parseTradeCorrection(v: unknown, path: string): WireTradeCorrection {
  return parseWire(tradeCorrectionSchema, v, path);
}

export function parseTradeCancelError(v: unknown, path: string): WireTradeCancelError {
  return parseWire(tradeCancelErrorSchema, v, path);
}

export function parseLatestQuotes(v: unknown): WireLatestQuotes {
  return parseWire(latestQuotesSchema, v, '$');
}

export function parseLatestTrades(v: unknown): WireLatestTrades {
  return parseWire(latestTradesSchema, v, '$');
}

export function parseStockSnapshots(v: unknown): WireStockSnapshots {
  return parseWire(stockSnapshotsSchema, v, '$');
}

export function parseBarsPage(v: unknown): WireBarsPage {
  const page = parseWire(barsPageSchema, v, '$');
  return { bars: page.bars ?? {}, next_page_token: pageToken(page.next_page_token) };
}

export function parseClock(v: unknown): WireClock {
  return parseWire(clockSchema, v, '$');
}
