import type { Bar, StockQuote, StockTrade } from './market-data.models.js';
import type { StreamData } from './market-stream.port.js';
import type { OptionQuote, OptionTrade } from './options.models.js';

/**
 * One market-data stream message in Alpaca's names (alpaca-streams.md §4): `T` first (Go's decoder
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
 * The inverses of stock.mapper.ts and option.mapper.ts, as the stream's parsers apply those
 * (stream-wire.ts): renames only, no value touched. A member our model holds as null because
 * Alpaca left it out (tape, trade update flag, bar count and VWAP) is left out again.
 */

function stockQuote(symbol: string, q: StockQuote): AlpacaStreamMessage {
  const m: AlpacaStreamMessage = { T: 'q', S: symbol, bx: q.bid_exchange, bp: q.bid_price, bs: q.bid_size, ax: q.ask_exchange, ap: q.ask_price, as: q.ask_size, c: q.conditions };
  if (q.tape !== null) m['z'] = q.tape;
  m['t'] = q.timestamp;
  return m;
}

function stockTrade(symbol: string, t: StockTrade): AlpacaStreamMessage {
  const m: AlpacaStreamMessage = { T: 't', S: symbol, i: wireTradeId(t.trade_id), x: t.exchange, p: t.price, s: t.size, c: t.conditions };
  if (t.tape !== null) m['z'] = t.tape;
  m['t'] = t.timestamp;
  if (t.update !== null) m['u'] = t.update;
  return m;
}

function bar(symbol: string, b: Bar): AlpacaStreamMessage {
  const m: AlpacaStreamMessage = { T: 'b', S: symbol, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume };
  if (b.trade_count !== null) m['n'] = b.trade_count;
  if (b.vwap !== null) m['vw'] = b.vwap;
  m['t'] = b.timestamp;
  return m;
}

function optionQuote(symbol: string, q: OptionQuote): AlpacaStreamMessage {
  return { T: 'q', S: symbol, t: q.timestamp, bx: q.bid_exchange, bp: q.bid_price, bs: q.bid_size, ax: q.ask_exchange, ap: q.ask_price, as: q.ask_size, c: q.condition };
}

function optionTrade(symbol: string, t: OptionTrade): AlpacaStreamMessage {
  return { T: 't', S: symbol, t: t.timestamp, p: t.price, s: t.size, x: t.exchange, c: t.condition };
}

/** A data message of the stream port as Alpaca sent it (the members the gateway reads; see wire schemas). */
export function alpacaStreamMessage(m: StreamData): AlpacaStreamMessage {
  switch (m.type) {
    case 'quote':
      return stockQuote(m.symbol, m.data);
    case 'trade':
      return stockTrade(m.symbol, m.data);
    case 'bar':
      return bar(m.symbol, m.data);
    case 'option_quote':
      return optionQuote(m.symbol, m.data);
    case 'option_trade':
      return optionTrade(m.symbol, m.data);
  }
}
