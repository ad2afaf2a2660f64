import type {
  Bar,
  LuldBand,
  StockQuote,
  StockTrade,
  TradeCancelError,
  TradeCorrection,
  TradingStatus,
} from './stocks/market-data.models.js';
import type { StreamData } from './stream/market-stream.port.js';
import type { OptionQuote, OptionTrade } from './options/options.models.js';

/**
 * One market-data stream message in Alpaca's names (docs/alpaca-wire.md "Market-data stream messages"): `T` first (Go's decoder
 * needs it there), `S` the symbol, then the members in the order Alpaca writes them; `t` is the
 * RFC 3339 text (JSON writes it as it is, msgpack as the timestamp extension).
 */
export type AlpacaStreamMessage = { T: string; S: string } & Record<string, unknown>;

/**
 * Alpaca's uint64 trade id back from our decimal string: a number while exact, else a bigint, so
 * that no digit is lost on the way back either (JSON writes it bare, msgpack as uint64).
 */
export function wireTradeId(id: string): number | bigint {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : BigInt(id);
}

/*
 * The inverses of stock.mapper.ts and option.mapper.ts, as the parsers apply those (wire schemas,
 * stream-wire.ts): renames only, no value touched, members in the order Alpaca writes them. A member
 * our model holds as null because Alpaca left it out (tape, trade update flag, bar count and VWAP)
 * is left out again. The stream's messages are these objects after `T` and `S`; the
 * Alpaca-compatible REST face answers them as they are.
 */

/** An Alpaca wire object (a quote, a trade, a bar, …) without the stream's `T` and `S`. */
export type AlpacaWireObject = Record<string, unknown>;

export function wireStockQuote(q: StockQuote): AlpacaWireObject {
  const m: AlpacaWireObject = {
    bx: q.bid_exchange,
    bp: q.bid_price,
    bs: q.bid_size,
    ax: q.ask_exchange,
    ap: q.ask_price,
    as: q.ask_size,
    c: q.conditions,
  };
  if (q.tape !== null) m['z'] = q.tape;
  m['t'] = q.timestamp;
  return m;
}

/** `i` as a number while exact, else a bigint (see wireTradeId). */
export function wireStockTrade(t: StockTrade): AlpacaWireObject {
  const m: AlpacaWireObject = { i: wireTradeId(t.trade_id), x: t.exchange, p: t.price, s: t.size, c: t.conditions };
  if (t.tape !== null) m['z'] = t.tape;
  m['t'] = t.timestamp;
  if (t.update !== null) m['u'] = t.update;
  return m;
}

export function wireBar(b: Bar): AlpacaWireObject {
  const m: AlpacaWireObject = { o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume };
  if (b.trade_count !== null) m['n'] = b.trade_count;
  if (b.vwap !== null) m['vw'] = b.vwap;
  m['t'] = b.timestamp;
  return m;
}

/*
 * Stream-only stock messages, in the order of Alpaca's own examples (docs/alpaca-wire.md "Market-data stream messages"):
 * statuses and LULD bands end `t z`, corrections and cancel/errors `z t`.
 */

export function wireTradingStatus(s: TradingStatus): AlpacaWireObject {
  const m: AlpacaWireObject = { sc: s.status_code };
  if (s.status_message !== null) m['sm'] = s.status_message;
  if (s.reason_code !== null) m['rc'] = s.reason_code;
  if (s.reason_message !== null) m['rm'] = s.reason_message;
  m['t'] = s.timestamp;
  if (s.tape !== null) m['z'] = s.tape;
  return m;
}

export function wireLuldBand(l: LuldBand): AlpacaWireObject {
  const m: AlpacaWireObject = { u: l.limit_up_price, d: l.limit_down_price };
  if (l.indicator !== null) m['i'] = l.indicator;
  m['t'] = l.timestamp;
  if (l.tape !== null) m['z'] = l.tape;
  return m;
}

/** `oi` and `ci` as numbers while exact, else bigints (see wireTradeId). */
export function wireTradeCorrection(c: TradeCorrection): AlpacaWireObject {
  const m: AlpacaWireObject = {
    x: c.exchange,
    oi: wireTradeId(c.original_trade_id),
    op: c.original_price,
    os: c.original_size,
    oc: c.original_conditions,
    ci: wireTradeId(c.corrected_trade_id),
    cp: c.corrected_price,
    cs: c.corrected_size,
    cc: c.corrected_conditions,
  };
  if (c.tape !== null) m['z'] = c.tape;
  m['t'] = c.timestamp;
  return m;
}

export function wireTradeCancelError(x: TradeCancelError): AlpacaWireObject {
  const m: AlpacaWireObject = { i: wireTradeId(x.trade_id), x: x.exchange, p: x.price, s: x.size, a: x.action };
  if (x.tape !== null) m['z'] = x.tape;
  m['t'] = x.timestamp;
  return m;
}

/** Options: `c` is one condition string; no `z`, no trade id. */
export function wireOptionQuote(q: OptionQuote): AlpacaWireObject {
  return {
    t: q.timestamp,
    bx: q.bid_exchange,
    bp: q.bid_price,
    bs: q.bid_size,
    ax: q.ask_exchange,
    ap: q.ask_price,
    as: q.ask_size,
    c: q.condition,
  };
}

export function wireOptionTrade(t: OptionTrade): AlpacaWireObject {
  return { t: t.timestamp, p: t.price, s: t.size, x: t.exchange, c: t.condition };
}

/** A data message of the stream port as Alpaca sent it (the members the gateway reads; see wire schemas). */
export function alpacaStreamMessage(m: StreamData): AlpacaStreamMessage {
  switch (m.type) {
    case 'quote':
      return { T: 'q', S: m.symbol, ...wireStockQuote(m.data) };
    case 'trade':
      return { T: 't', S: m.symbol, ...wireStockTrade(m.data) };
    case 'bar':
      return { T: 'b', S: m.symbol, ...wireBar(m.data) };
    case 'updated_bar':
      return { T: 'u', S: m.symbol, ...wireBar(m.data) };
    case 'daily_bar':
      return { T: 'd', S: m.symbol, ...wireBar(m.data) };
    case 'status':
      return { T: 's', S: m.symbol, ...wireTradingStatus(m.data) };
    case 'luld':
      return { T: 'l', S: m.symbol, ...wireLuldBand(m.data) };
    case 'correction':
      return { T: 'c', S: m.symbol, ...wireTradeCorrection(m.data) };
    case 'cancel_error':
      return { T: 'x', S: m.symbol, ...wireTradeCancelError(m.data) };
    case 'option_quote':
      return { T: 'q', S: m.symbol, ...wireOptionQuote(m.data) };
    case 'option_trade':
      return { T: 't', S: m.symbol, ...wireOptionTrade(m.data) };
  }
}
