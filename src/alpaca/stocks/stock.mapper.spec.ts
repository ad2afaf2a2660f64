import { toStockSnapshot, toStockTrade } from './stock.mapper.js';
import { parseBarsPage, parseLatestQuotes, parseStockSnapshots, WireFormatError } from './stock-wire-parsers.js';

/** Alpaca's example §7.4, verbatim (its quote lacks `z`; docs/alpaca-wire.md "Documented examples"). */
const SNAPSHOTS =
  JSON.parse(`{"AAPL":{"latestTrade":{"t":"2021-05-03T14:48:06.563Z","x":"D","p":133.4201,"s":145,"c":["@"],"i":62700,"z":"C"},
 "latestQuote":{"t":"2021-05-03T14:48:07.257820915Z","ax":"Q","ap":133.43,"as":7,"bx":"Q","bp":133.42,"bs":15,"c":["R"]},
 "minuteBar":{"t":"2021-05-03T14:47:00Z","o":133.4401,"h":133.48,"l":133.37,"c":133.42,"v":207020,"n":1234,"vw":133.3987},
 "dailyBar":{"t":"2021-05-03T04:00:00Z","o":132.04,"h":134.07,"l":131.83,"c":133.42,"v":25846800,"n":254678,"vw":132.568},
 "prevDailyBar":null},
 "INVALID":null}`) as unknown;

describe('stock wire parsing and mapping', () => {
  it('maps a snapshot without touching any value; a null member is null with its flag false', () => {
    const wire = parseStockSnapshots(SNAPSHOTS);
    expect(wire['INVALID']).toBeNull();
    const aapl = wire['AAPL'];
    if (aapl === null || aapl === undefined) throw new Error('AAPL missing');
    const s = toStockSnapshot(aapl);
    expect(s.latest_quote).toEqual({
      timestamp: '2021-05-03T14:48:07.257820915Z',
      bid_price: 133.42,
      bid_size: 15,
      bid_exchange: 'Q',
      ask_price: 133.43,
      ask_size: 7,
      ask_exchange: 'Q',
      conditions: ['R'],
      tape: null,
    });
    expect(s.latest_trade?.price).toBe(133.4201);
    expect(s.latest_trade?.trade_id).toBe('62700');
    expect(s.minute_bar).toEqual({
      timestamp: '2021-05-03T14:47:00Z',
      open: 133.4401,
      high: 133.48,
      low: 133.37,
      close: 133.42,
      volume: 207020,
      trade_count: 1234,
      vwap: 133.3987,
    });
    expect(s.prev_daily_bar).toBeNull();
    expect(s.availability).toEqual({
      latest_trade: true,
      latest_quote: true,
      minute_bar: true,
      daily_bar: true,
      prev_daily_bar: false,
    });
  });

  it('keeps every digit of a uint64 trade id', () => {
    const t = toStockTrade({
      t: '2021-10-11T23:42:47.895547Z',
      x: 'K',
      p: 142.2,
      s: 197,
      c: [' '],
      i: '18446744073709551615',
    });
    expect(t.trade_id).toBe('18446744073709551615');
  });

  it("refuses payloads that do not have Alpaca's shape", () => {
    expect(() => parseLatestQuotes({ quotes: { AAPL: { t: '2022-01-01T00:00:00Z', bp: '172.6' } } })).toThrow(
      WireFormatError,
    );
    expect(() => parseLatestQuotes({ quote: {} })).toThrow(WireFormatError);
    expect(() => parseLatestQuotes([])).toThrow(WireFormatError);
    expect(() => parseBarsPage({ bars: { AAPL: {} }, next_page_token: null })).toThrow(WireFormatError);
    expect(() => parseBarsPage({ bars: {}, next_page_token: 5 })).toThrow(WireFormatError);
  });

  it('reads an empty bars page and treats an empty token as the last page', () => {
    expect(parseBarsPage({ bars: {}, next_page_token: null })).toEqual({ bars: {}, next_page_token: null });
    expect(parseBarsPage({ bars: null, next_page_token: '' })).toEqual({ bars: {}, next_page_token: null });
  });
});
