import type { Bar, StockQuote, StockSnapshot, StockTrade } from '../../alpaca/market-data.models.js';
import type { DailyAuctions, StockAuction } from '../../alpaca/market-reference.models.js';
import { uint64 } from './raw-json.js';

/**
 * Our stock models back into Alpaca's wire objects: the inverse of the adapter's mappers (renames
 * only, every value as Alpaca sent it). An optional member the gateway holds as null (Alpaca sent
 * none) is left out, as Alpaca leaves it out.
 */
export type WireObject = Record<string, unknown>;

function withOptional(out: WireObject, name: string, value: unknown): WireObject {
  if (value !== null && value !== undefined) out[name] = value;
  return out;
}

export function wireQuote(q: StockQuote): WireObject {
  return withOptional({ t: q.timestamp, ax: q.ask_exchange, ap: q.ask_price, as: q.ask_size, bx: q.bid_exchange, bp: q.bid_price, bs: q.bid_size, c: q.conditions }, 'z', q.tape);
}

export function wireTrade(t: StockTrade): WireObject {
  const out = withOptional({ t: t.timestamp, x: t.exchange, p: t.price, s: t.size, c: t.conditions, i: uint64(t.trade_id) }, 'z', t.tape);
  return withOptional(out, 'u', t.update);
}

export function wireBar(b: Bar): WireObject {
  const out: WireObject = { t: b.timestamp, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume };
  withOptional(out, 'n', b.trade_count);
  return withOptional(out, 'vw', b.vwap);
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
