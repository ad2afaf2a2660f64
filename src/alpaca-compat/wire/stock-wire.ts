import { wireBar, wireStockQuote, wireStockTrade } from '../../alpaca/alpaca-wire.mapper.js';
import type { StockSnapshot, StockTrade } from '../../alpaca/stocks/market-data.models.js';
import type { DailyAuctions, StockAuction } from '../../alpaca/reference/market-reference.models.js';
import { uint64 } from './raw-json.js';

/**
 * Our stock models back into Alpaca's REST wire objects: the adapter's inverse mappers
 * (alpaca-wire.mapper.ts, shared with the stream face), composed into Alpaca's snapshot and auction
 * shapes. An optional member the gateway holds as null (Alpaca sent none) is left out, as Alpaca
 * leaves it out.
 */
export type WireObject = Record<string, unknown>;

function withOptional(out: WireObject, name: string, value: unknown): WireObject {
  if (value !== null && value !== undefined) out[name] = value;
  return out;
}

export const wireQuote = wireStockQuote;
export { wireBar };

/** `i` written into the JSON text with every digit (Express serializes with JSON.stringify, which refuses a bigint). */
export function wireTrade(t: StockTrade): WireObject {
  return { ...wireStockTrade(t), i: uint64(t.trade_id) };
}

export function wireSnapshot(s: StockSnapshot): WireObject {
  const out: WireObject = {};
  if (s.latest_trade !== null) out['latestTrade'] = wireTrade(s.latest_trade);
  if (s.latest_quote !== null) out['latestQuote'] = wireQuote(s.latest_quote);
  if (s.minute_bar !== null) out['minuteBar'] = wireBar(s.minute_bar);
  if (s.daily_bar !== null) out['dailyBar'] = wireBar(s.daily_bar);
  if (s.prev_daily_bar !== null) out['prevDailyBar'] = wireBar(s.prev_daily_bar);
  return out;
}

function wireAuction(a: StockAuction): WireObject {
  return withOptional({ t: a.timestamp, x: a.exchange, p: a.price, c: a.condition }, 's', a.size);
}

/** MD-SPEC `stock_daily_auctions`: `d` the day, `o` the opening and `c` the closing auctions. */
export function wireDailyAuctions(d: DailyAuctions): WireObject {
  return { d: d.date, o: d.opens.map(wireAuction), c: d.closes.map(wireAuction) };
}
