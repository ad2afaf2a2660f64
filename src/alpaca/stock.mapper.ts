import type { WireBar, WireClock, WireStockQuote, WireStockSnapshot, WireStockTrade } from './alpaca.types.js';
import type { Bar, MarketClock, StockQuote, StockSnapshot, StockTrade } from './market-data.models.js';

/** Pure wire → model mappers: renames only, no arithmetic on any value. */
export function toStockQuote(q: WireStockQuote): StockQuote {
  return {
    timestamp: q.t,
    bid_price: q.bp,
    bid_size: q.bs,
    bid_exchange: q.bx,
    ask_price: q.ap,
    ask_size: q.as,
    ask_exchange: q.ax,
    conditions: [...q.c],
    tape: q.z ?? null,
  };
}

export function toStockTrade(t: WireStockTrade): StockTrade {
  return {
    timestamp: t.t,
    price: t.p,
    size: t.s,
    exchange: t.x,
    conditions: [...t.c],
    tape: t.z ?? null,
    trade_id: String(t.i),
    update: t.u ?? null,
  };
}

export function toBar(b: WireBar): Bar {
  return {
    timestamp: b.t,
    open: b.o,
    high: b.h,
    low: b.l,
    close: b.c,
    volume: b.v,
    trade_count: b.n ?? null,
    vwap: b.vw ?? null,
  };
}

export function toStockSnapshot(s: WireStockSnapshot): StockSnapshot {
  const latestTrade = s.latestTrade ? toStockTrade(s.latestTrade) : null;
  const latestQuote = s.latestQuote ? toStockQuote(s.latestQuote) : null;
  const minuteBar = s.minuteBar ? toBar(s.minuteBar) : null;
  const dailyBar = s.dailyBar ? toBar(s.dailyBar) : null;
  const prevDailyBar = s.prevDailyBar ? toBar(s.prevDailyBar) : null;
  return {
    latest_trade: latestTrade,
    latest_quote: latestQuote,
    minute_bar: minuteBar,
    daily_bar: dailyBar,
    prev_daily_bar: prevDailyBar,
    availability: {
      latest_trade: latestTrade !== null,
      latest_quote: latestQuote !== null,
      minute_bar: minuteBar !== null,
      daily_bar: dailyBar !== null,
      prev_daily_bar: prevDailyBar !== null,
    },
  };
}

export function toMarketClock(c: WireClock): MarketClock {
  return { timestamp: c.timestamp, is_open: c.is_open, next_open: c.next_open, next_close: c.next_close };
}

/** Timestamps a snapshot carries, for `data_timestamp` (the newest one wins). */
export function snapshotTimestamps(s: StockSnapshot): string[] {
  return [s.latest_trade?.timestamp, s.latest_quote?.timestamp, s.minute_bar?.timestamp, s.daily_bar?.timestamp].filter(
    (t): t is string => t !== undefined,
  );
}
