import { decode } from '@msgpack/msgpack';
import type { StreamData } from '../../alpaca/stream/market-stream.port.js';
import type { FeedData } from '../../streams/feed/stream-feed.js';
import { OutboundFrame, OutboundMessage, type WireRenderer } from '../../streams/stream-protocol.js';
import { alpacaMessage } from './alpaca-stream-protocol.js';
import { ALPACA_JSON, ALPACA_MSGPACK, TRADE_UPDATES_JSON } from './alpaca-stream-render.js';

const QUOTE: StreamData = {
  type: 'quote',
  symbol: 'AAPL',
  data: {
    timestamp: '2026-11-27T15:30:00.123456789Z',
    bid_price: 172.6,
    bid_size: 3,
    bid_exchange: 'V',
    ask_price: 172.61,
    ask_size: 1,
    ask_exchange: 'Q',
    conditions: ['R'],
    tape: 'C',
  },
};

/** As the hub builds it: our names plus provenance, and the upstream message kept beside. */
function hubMessage(m: FeedData): OutboundMessage {
  return OutboundMessage.of(
    {
      type: m.type,
      symbol: m.symbol,
      ...m.data,
      received_at: '2026-11-27T15:30:00.2Z',
      feed: 'iex',
      provider: 'alpaca',
      data_quality: { checked: true, flags: [] },
    },
    m,
  );
}

/** Counts how often the wrapped renderer is asked. */
function counting(inner: WireRenderer): { renderer: WireRenderer; messages: number; frames: number } {
  const counts = { messages: 0, frames: 0 };
  const renderer: WireRenderer = {
    message: (m) => {
      counts.messages += 1;
      return inner.message(m);
    },
    frame: (parts) => {
      counts.frames += 1;
      return inner.frame(parts);
    },
  };
  return Object.assign(counts, { renderer });
}

describe("the Alpaca rendering of the hub's frames", () => {
  it('is built once per frame and format, and the same Buffer for every receiver; messages shared by frames render once', () => {
    const c = counting(ALPACA_JSON);
    const shared = hubMessage(QUOTE);
    const a = new OutboundFrame([shared]);
    const b = new OutboundFrame([shared, hubMessage({ ...QUOTE, symbol: 'MSFT' })]);
    const first = a.renderedBy(c.renderer);
    expect(a.renderedBy(c.renderer)).toBe(first);
    b.renderedBy(c.renderer);
    b.renderedBy(c.renderer);
    expect({ messages: c.messages, frames: c.frames }).toEqual({ messages: 2, frames: 2 });
    expect(first?.toString('utf8')).toBe(
      '[{"T":"q","S":"AAPL","bx":"V","bp":172.6,"bs":3,"ax":"Q","ap":172.61,"as":1,"c":["R"],"z":"C","t":"2026-11-27T15:30:00.123456789Z"}]',
    );
  });

  it("leaves out what has no Alpaca equivalent (gap), maps errors and drops to Alpaca's codes", () => {
    const gap = OutboundMessage.of({ type: 'gap', stream: 'stocks', from: 'a', to: 'b', reason: 'x' });
    expect(new OutboundFrame([gap]).renderedBy(ALPACA_JSON)).toBeNull();
    expect(new OutboundFrame([gap, hubMessage(QUOTE)]).renderedBy(ALPACA_JSON)?.toString('utf8')).toMatch(
      /^\[\{"T":"q"/,
    );
    const error = OutboundMessage.of({ type: 'error', code: 'STREAM_SYMBOL_LIMIT', message: 'm', details: {} });
    expect(OutboundFrame.of(error).renderedBy(ALPACA_JSON)?.toString('utf8')).toBe(
      '[{"T":"error","code":405,"msg":"symbol limit exceeded"}]',
    );
    expect(
      OutboundFrame.of(OutboundMessage.of({ type: 'dropped', count: 3 }))
        .renderedBy(ALPACA_JSON)
        ?.toString('utf8'),
    ).toBe('[{"T":"error","code":407,"msg":"slow client"}]');
  });

  it('JSON writes a trade id past 2^53 as bare digits', () => {
    const trade: StreamData = {
      type: 'trade',
      symbol: 'A"B',
      data: {
        timestamp: '2026-11-27T15:30:00Z',
        price: 1,
        size: 1,
        exchange: 'K',
        conditions: [],
        tape: null,
        trade_id: '18446744073709551615',
        update: null,
      },
    };
    expect(OutboundFrame.of(hubMessage(trade)).renderedBy(ALPACA_JSON)?.toString('utf8')).toBe(
      '[{"T":"t","S":"A\\"B","i":18446744073709551615,"x":"K","p":1,"s":1,"c":[],"t":"2026-11-27T15:30:00Z"}]',
    );
  });

  it("the other stock channels, JSON: statuses, LULD bands, updated and daily bars, corrections and cancel/errors in Alpaca's members and order", () => {
    const t = '2026-11-27T15:30:00.000000001Z';
    const bar = { timestamp: t, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, trade_count: null, vwap: null };
    const messages: StreamData[] = [
      { type: 'updated_bar', symbol: 'A', data: bar },
      { type: 'daily_bar', symbol: 'A', data: { ...bar, trade_count: 3, vwap: 1.2 } },
      {
        type: 'status',
        symbol: 'A',
        data: {
          timestamp: t,
          status_code: 'H',
          status_message: 'Trading Halt',
          reason_code: 'T1',
          reason_message: null,
          tape: 'C',
        },
      },
      {
        type: 'luld',
        symbol: 'A',
        data: { timestamp: t, limit_up_price: 3.24, limit_down_price: 2.65, indicator: 'B', tape: null },
      },
      {
        type: 'cancel_error',
        symbol: 'A',
        data: { timestamp: t, trade_id: '465', exchange: 'D', price: 105.31, size: 300, action: 'C', tape: 'C' },
      },
    ];
    expect(new OutboundFrame(messages.map(hubMessage)).renderedBy(ALPACA_JSON)?.toString('utf8')).toBe(
      `[{"T":"u","S":"A","o":1,"h":2,"l":0.5,"c":1.5,"v":10,"t":"${t}"},` +
        `{"T":"d","S":"A","o":1,"h":2,"l":0.5,"c":1.5,"v":10,"n":3,"vw":1.2,"t":"${t}"},` +
        `{"T":"s","S":"A","sc":"H","sm":"Trading Halt","rc":"T1","t":"${t}","z":"C"},` +
        `{"T":"l","S":"A","u":3.24,"d":2.65,"i":"B","t":"${t}"},` +
        `{"T":"x","S":"A","i":465,"x":"D","p":105.31,"s":300,"a":"C","z":"C","t":"${t}"}]`,
    );
  });

  it('a correction with an id past 2^53: bare digits in JSON, both ids uint64 in msgpack', () => {
    const correction: StreamData = {
      type: 'correction',
      symbol: 'EEM',
      data: {
        timestamp: '2026-11-27T15:30:00Z',
        exchange: 'M',
        original_trade_id: '18446744073709551615',
        original_price: 39.1582,
        original_size: 440000,
        original_conditions: [' ', '7'],
        corrected_trade_id: '52983525034326',
        corrected_price: 39.1809,
        corrected_size: 440000,
        corrected_conditions: ['7'],
        tape: 'B',
      },
    };
    const m = hubMessage(correction);
    expect(m.renderedBy(ALPACA_JSON)?.toString('utf8')).toBe(
      '{"T":"c","S":"EEM","x":"M","oi":18446744073709551615,"op":39.1582,"os":440000,"oc":[" ","7"],"ci":52983525034326,"cp":39.1809,"cs":440000,"cc":["7"],"z":"B","t":"2026-11-27T15:30:00Z"}',
    );
    const bytes = m.renderedBy(ALPACA_MSGPACK) ?? Buffer.alloc(0);
    // Both ids as uint64 (0xcf), as Alpaca writes them: the small one is not turned into a float64 by the big one.
    expect(bytes.includes(Buffer.from([0xa2, 0x6f, 0x69, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(
      true,
    );
    expect(
      bytes.includes(Buffer.concat([Buffer.from([0xa2, 0x63, 0x69, 0xcf]), Buffer.from('0000303030304956', 'hex')])),
    ).toBe(true);
    expect(decode(bytes, { useBigInt64: true })).toMatchObject({
      T: 'c',
      oi: 18446744073709551615n,
      ci: 52983525034326n,
      os: 440000,
    });
  });

  it('msgpack: an array of maps (array 16 past 15 messages), `T` first, `t` the timestamp extension', () => {
    const many = Array.from({ length: 17 }, () => hubMessage(QUOTE));
    const bytes = new OutboundFrame(many).renderedBy(ALPACA_MSGPACK);
    expect(bytes?.subarray(0, 3)).toEqual(Buffer.from([0xdc, 0x00, 17]));
    const decoded = decode(bytes ?? new Uint8Array()) as Array<Record<string, unknown>>;
    expect(decoded).toHaveLength(17);
    expect(Object.keys(decoded[0] ?? {})[0]).toBe('T');
    // The default decoder turns the extension into a Date (milliseconds): the type is what is checked here; e2e checks the nanoseconds.
    expect(decoded[0]?.['t']).toEqual(new Date('2026-11-27T15:30:00.123Z'));
    const control = OutboundFrame.of(alpacaMessage({ T: 'success', msg: 'connected' })).renderedBy(ALPACA_MSGPACK);
    expect(decode(control ?? new Uint8Array())).toEqual([{ T: 'success', msg: 'connected' }]);
  });

  it("trade updates: Alpaca's trade_updates object, our own members left out, nothing for a gap", () => {
    const order = { id: 'o1', symbol: 'AAPL', qty: '2' };
    const update: FeedData = {
      type: 'order_update',
      symbol: 'AAPL',
      data: {
        event: 'fill',
        order_id: 'o1',
        symbol: 'AAPL',
        timestamp: '2026-11-27T15:30:00.5Z',
        price: '1.5',
        qty: '2',
        position_qty: '2',
        execution_id: 'e1',
        order,
      },
    };
    const m = OutboundMessage.of(
      { type: 'order_update', ...update.data, received_at: 'x', provider: 'alpaca' },
      update,
    );
    expect(JSON.parse(m.renderedBy(TRADE_UPDATES_JSON)?.toString('utf8') ?? '')).toEqual({
      stream: 'trade_updates',
      data: {
        event: 'fill',
        execution_id: 'e1',
        order,
        position_qty: '2',
        price: '1.5',
        qty: '2',
        timestamp: '2026-11-27T15:30:00.5Z',
      },
    });
    const created: FeedData = {
      type: 'order_update',
      symbol: 'AAPL',
      data: { event: 'new', order_id: 'o1', symbol: 'AAPL', timestamp: null, order },
    };
    expect(
      JSON.parse(
        OutboundMessage.of({ type: 'order_update' }, created).renderedBy(TRADE_UPDATES_JSON)?.toString('utf8') ?? '',
      ),
    ).toEqual({ stream: 'trade_updates', data: { event: 'new', order } });
    expect(OutboundMessage.of({ type: 'gap', stream: 'orders' }).renderedBy(TRADE_UPDATES_JSON)).toBeNull();
    expect(
      OutboundMessage.of({ type: 'error', code: 'INVALID_API_KEY' }).renderedBy(TRADE_UPDATES_JSON)?.toString('utf8'),
    ).toBe('{"stream":"authorization","data":{"status":"unauthorized","action":"authenticate"}}');
  });
});
