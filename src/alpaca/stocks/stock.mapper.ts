import type {
  WireBar,
  WireClock,
  WireLuld,
  WireStockQuote,
  WireStockSnapshot,
  WireStockTrade,
  WireTradeCancelError,
  WireTradeCorrection,
  WireTradingStatus,
} from './stock-wire.types.js';
import type {
  Bar,
  LuldBand,
  MarketClock,
  StockQuote,
  StockSnapshot,
  StockTrade,
  TradeCancelError,
  TradeCorrection,
  TradingStatus,
} from './market-data.models.js';

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

export function toTradingStatus(s: WireTradingStatus): TradingStatus {
  return {
    timestamp: s.t,
    status_code: s.sc,
    status_message: s.sm ?? null,
    reason_code: s.rc ?? null,
    reason_message: s.rm ?? null,
    tape: s.z ?? null,
  };
}

export function toLuldBand(l: WireLuld): LuldBand {
  return { timestamp: l.t, limit_up_price: l.u, limit_down_price: l.d, indicator: l.i ?? null, tape: l.z ?? null };
}

export function toTradeCorrection(c: WireTradeCorrection): TradeCorrection {
  return {
    timestamp: c.t,
    exchange: c.x,
    original_trade_id: String(c.oi),
    original_price: c.op,
    original_size: c.os,
    original_conditions: [...c.oc],
    corrected_trade_id: String(c.ci),
    corrected_price: c.cp,
    corrected_size: c.cs,
    corrected_conditions: [...c.cc],
    tape: c.z ?? null,
  };
}

export function toTradeCancelError(x: WireTradeCancelError): TradeCancelError {
  return {
    timestamp: x.t,
    trade_id: String(x.i),
    exchange: x.x,
    price: x.p,
    size: x.s,
    action: x.a,
    tape: x.z ?? null,
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
