import { encode, encodeTimeSpecToTimestamp, EXT_TIMESTAMP, ExtData } from '@msgpack/msgpack';
import { alpacaStreamMessage, wireTradeId } from './alpaca-wire.mapper.js';
import type { StreamEndpoint } from './stream/market-stream.port.js';
import { decodeFrame, parseTimeSpec, readMessage } from './stream/stream-wire.js';

/** What the gateway's stream parser makes of one JSON frame's first message, mapped back. */
function roundTrip(endpoint: StreamEndpoint, frame: Buffer, isBinary: boolean): unknown {
  const decoded = decodeFrame(frame, isBinary);
  if (!decoded.ok) throw new Error(decoded.reason);
  const read = readMessage(decoded.messages[0], endpoint);
  if (read.kind !== 'data') throw new Error(`not data: ${JSON.stringify(read)}`);
  return alpacaStreamMessage(read.data);
}

/** Key order matters too (Go needs `T` first; the face's msgpack bytes follow Alpaca's order): compare the JSON text. */
const text = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

describe('alpacaStreamMessage: the inverse of the stream parser, member for member', () => {
  // Alpaca's JSON stock messages (docs/alpaca-wire.md "Market-data stream messages") and a quote without a tape.
  it.each([
    {
      T: 't',
      S: 'AAPL',
      i: 1465,
      x: 'P',
      p: 162.91,
      s: 71,
      c: ['@', 'F', 'T', 'I'],
      z: 'C',
      t: '2023-04-06T11:54:26.83915973Z',
    },
    {
      T: 'q',
      S: 'AMD',
      bx: 'K',
      bp: 91.95,
      bs: 2,
      ax: 'Q',
      ap: 91.98,
      as: 1,
      c: ['R'],
      z: 'C',
      t: '2023-04-06T11:54:21.670905508Z',
    },
    { T: 'q', S: 'AMD', bx: 'K', bp: 91.95, bs: 2, ax: 'Q', ap: 91.98, as: 1, c: [], t: '2023-04-06T11:54:21Z' },
    {
      T: 'b',
      S: 'SPY',
      o: 388.985,
      h: 389.13,
      l: 388.975,
      c: 389.12,
      v: 49378,
      n: 461,
      vw: 389.062639,
      t: '2021-02-22T19:15:00Z',
    },
    { T: 'b', S: 'SPY', o: 1, h: 2, l: 0.5, c: 1.5, v: 10, t: '2021-02-22T19:15:00Z' },
  ])('stocks JSON %#: what Alpaca sent comes back', (message) => {
    expect(text(roundTrip('stocks', Buffer.from(JSON.stringify([message])), false))).toBe(text(message));
  });

  // The other stock channels: updated and daily bars, statuses (F9), LULD bands (F10), corrections and cancel/errors (F11),
  // each also with the members Alpaca may leave out left out.
  it.each([
    {
      T: 'u',
      S: 'SPY',
      o: 388.985,
      h: 389.13,
      l: 388.975,
      c: 389.12,
      v: 49378,
      n: 461,
      vw: 389.062639,
      t: '2021-02-22T19:15:00Z',
    },
    {
      T: 'd',
      S: 'VOO',
      o: 350.1,
      h: 352.25,
      l: 349.9,
      c: 351.07,
      v: 1234567,
      n: 8910,
      vw: 351.002,
      t: '2021-02-22T05:00:00Z',
    },
    {
      T: 's',
      S: 'AAPL',
      sc: 'H',
      sm: 'Trading Halt',
      rc: 'T12',
      rm: 'Trading Halted; For information requested by NASDAQ',
      t: '2021-02-22T19:15:00Z',
      z: 'C',
    },
    { T: 's', S: 'AAPL', sc: 'T', sm: 'Resume', rc: '', rm: '', t: '2021-02-22T19:20:00.000000001Z', z: 'C' },
    { T: 's', S: 'AAPL', sc: 'H', t: '2021-02-22T19:15:00Z' },
    { T: 'l', S: 'IONM', u: 3.24, d: 2.65, i: 'B', t: '2023-04-06T13:34:45.565004401Z', z: 'C' },
    { T: 'l', S: 'IONM', u: 3.24, d: 2.65, t: '2023-04-06T13:34:45.565004401Z' },
    {
      T: 'c',
      S: 'EEM',
      x: 'M',
      oi: 52983525033527,
      op: 39.1582,
      os: 440000,
      oc: [' ', '7'],
      ci: 52983525034326,
      cp: 39.1809,
      cs: 440000,
      cc: [' ', '7'],
      z: 'B',
      t: '2023-04-06T14:25:06.542305024Z',
    },
    { T: 'x', S: 'GOOGL', i: 465, x: 'D', p: 105.31, s: 300, a: 'C', z: 'C', t: '2023-04-06T13:15:42.83540958Z' },
    { T: 'x', S: 'GOOGL', i: 466, x: 'D', p: 105.31, s: 300, a: 'E', t: '2023-04-06T13:15:42Z' },
  ])('stocks JSON, other channels %#: the text Alpaca sent comes back byte for byte', (message) => {
    const sent = JSON.stringify([message]);
    expect(`[${text(roundTrip('stocks', Buffer.from(sent), false))}]`).toBe(sent);
  });

  it('corrections keep ids above 2^53 on both sides (original and corrected)', () => {
    const frame = Buffer.from(
      '[{"T":"c","S":"EEM","x":"M","oi":18446744073709551615,"op":1,"os":1,"oc":[],"ci":9007199254740993,"cp":2,"cs":1,"cc":["7"],"t":"2023-04-06T14:25:06Z"}]',
    );
    expect(roundTrip('stocks', frame, false)).toMatchObject({ oi: 18446744073709551615n, ci: 9007199254740993n });
  });

  it('a trade id above 2^53 keeps every digit (a bigint, written bare)', () => {
    const frame = Buffer.from(
      '[{"T":"t","S":"A","i":18446744073709551615,"x":"K","p":1,"s":1,"c":[],"z":"C","t":"2024-01-02T03:04:05.000000001Z"}]',
    );
    expect(roundTrip('stocks', frame, false)).toMatchObject({ i: 18446744073709551615n });
    expect(wireTradeId('628')).toBe(628);
  });

  it('options from msgpack (F16, F17): the timestamp extension comes back as the RFC 3339 text with all nine digits', () => {
    const ts = (iso: string): ExtData => {
      const spec = parseTimeSpec(iso);
      if (spec === null) throw new Error(iso);
      return new ExtData(EXT_TIMESTAMP, encodeTimeSpecToTimestamp(spec));
    };
    const trade = {
      T: 't',
      S: 'AAPL240315C00172500',
      t: '2024-03-11T13:35:35.133122560Z',
      p: 2.84,
      s: 1,
      x: 'N',
      c: 'S',
    };
    const quote = {
      T: 'q',
      S: 'SPXW240327P04925000',
      t: '2024-03-12T11:59:38.897261568Z',
      bx: 'C',
      bp: 9.46,
      bs: 53,
      ax: 'C',
      ap: 9.66,
      as: 38,
      c: 'A',
    };
    for (const m of [trade, quote]) {
      const frame = Buffer.from(encode([{ ...m, t: ts(m.t) }]));
      expect(text(roundTrip('options', frame, true))).toBe(text(m));
    }
  });
});
