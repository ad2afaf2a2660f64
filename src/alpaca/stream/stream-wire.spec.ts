import { encode, encodeTimeSpecToTimestamp, EXT_TIMESTAMP, ExtData } from '@msgpack/msgpack';
import { decodeFrame, encodeAction, formatTimeSpec, parseTimeSpec, readMessage } from './stream-wire.js';

const ts = (sec: number, nsec: number): ExtData => new ExtData(EXT_TIMESTAMP, encodeTimeSpecToTimestamp({ sec, nsec }));
const json = (text: string) => decodeFrame(Buffer.from(text), false);

describe('formatTimeSpec', () => {
  it('writes all nine fraction digits (GO client_test value)', () => {
    expect(formatTimeSpec({ sec: Date.parse('2024-03-08T11:41:24Z') / 1000, nsec: 727_071_744 })).toBe(
      '2024-03-08T11:41:24.727071744Z',
    );
    expect(formatTimeSpec({ sec: 0, nsec: 5 })).toBe('1970-01-01T00:00:00.000000005Z');
    expect(formatTimeSpec({ sec: -1, nsec: 999_999_999 })).toBe('1969-12-31T23:59:59.999999999Z');
  });

  it('agrees with Date on the whole seconds across leap years and centuries', () => {
    for (const at of [
      '1900-03-01T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '2024-12-31T12:00:01Z',
      '2100-03-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ]) {
      expect(formatTimeSpec({ sec: Date.parse(at) / 1000, nsec: 0 })).toBe(at.replace('Z', '.000000000Z'));
    }
  });

  it('refuses impossible values instead of writing a wrong date', () => {
    expect(() => formatTimeSpec({ sec: 0, nsec: 1_000_000_000 })).toThrow();
    expect(() => formatTimeSpec({ sec: 300_000_000_000, nsec: 0 })).toThrow();
  });
});

describe('parseTimeSpec', () => {
  it('is the exact inverse of formatTimeSpec, for any number of fraction digits and any offset', () => {
    const sec = Date.parse('2024-03-08T11:41:24Z') / 1000;
    expect(parseTimeSpec('2024-03-08T11:41:24.727071744Z')).toEqual({ sec, nsec: 727_071_744 });
    expect(parseTimeSpec('2024-03-08T11:41:24.83915973Z')).toEqual({ sec, nsec: 839_159_730 });
    expect(parseTimeSpec('2024-03-08T11:41:24Z')).toEqual({ sec, nsec: 0 });
    expect(parseTimeSpec('2024-03-08T06:41:24.5-05:00')).toEqual({ sec, nsec: 500_000_000 });
    expect(parseTimeSpec(formatTimeSpec({ sec: -1, nsec: 5 }))).toEqual({ sec: -1, nsec: 5 });
  });

  it('refuses what is not an RFC 3339 timestamp', () => {
    for (const bad of ['2024-03-08', '2024-03-08T11:41:24.1234567890Z', 'yesterday', '2024-13-08T11:41:24Z'])
      expect(parseTimeSpec(bad)).toBeNull();
  });
});

describe('decodeFrame', () => {
  it('JSON: trade ids above 2^53 keep every digit; text inside strings is left alone', () => {
    const frame = json(
      '[{"T":"t","S":"A","i":18446744073709551615,"x":"K","p":1,"s":1,"c":["{\\"i\\":12345678901234567}"],"t":"x"},{"T":"t","i":628}]',
    );
    expect(frame).toEqual({
      ok: true,
      messages: [
        { T: 't', S: 'A', i: '18446744073709551615', x: 'K', p: 1, s: 1, c: ['{"i":12345678901234567}'], t: 'x' },
        { T: 't', i: 628 },
      ],
    });
  });

  it('msgpack: the timestamp extension in all three sizes becomes an RFC 3339 string; uint64 ids become strings', () => {
    const sec = Date.parse('2024-03-08T11:41:24Z') / 1000;
    const bytes = encode(
      [{ T: 't', a: ts(sec, 0), b: ts(sec, 727_071_744), c: ts(-1, 5), i: 18446744073709551615n, s: 2n ** 40n }],
      {
        useBigInt64: true,
      },
    );
    // 32-bit (d6 ff), 64-bit (d7 ff) and 96-bit (c7 0c ff) forms are all in the frame.
    for (const marker of [
      [0xd6, 0xff],
      [0xd7, 0xff],
      [0xc7, 0x0c, 0xff],
    ])
      expect(Buffer.from(bytes).includes(Buffer.from(marker))).toBe(true);
    expect(decodeFrame(Buffer.from(bytes), true)).toEqual({
      ok: true,
      messages: [
        {
          T: 't',
          a: '2024-03-08T11:41:24.000000000Z',
          b: '2024-03-08T11:41:24.727071744Z',
          c: '1969-12-31T23:59:59.000000005Z',
          i: '18446744073709551615',
          s: 2 ** 40,
        },
      ],
    });
  });

  it('reports undecodable frames and frames that are not arrays, never throws', () => {
    expect(json('[{"T":')).toMatchObject({ ok: false, kind: 'undecodable_frame' });
    expect(decodeFrame(Buffer.from([0xc1]), true)).toMatchObject({ ok: false, kind: 'undecodable_frame' });
    expect(json('{"T":"success","msg":"connected"}')).toMatchObject({ ok: false, kind: 'not_an_array' });
  });
});

describe('readMessage', () => {
  it('control messages: success, error, and the ack with a missing key as an empty channel', () => {
    expect(readMessage({ T: 'success', msg: 'connected' }, 'stocks')).toEqual({ kind: 'success', msg: 'connected' });
    expect(readMessage({ T: 'error', code: 405, msg: 'symbol limit exceeded' }, 'stocks')).toEqual({
      kind: 'error',
      code: 405,
      msg: 'symbol limit exceeded',
    });
    const ack = readMessage(
      { T: 'subscription', trades: ['AAPL'], quotes: null, dailyBars: ['VOO'], statuses: ['*'], corrections: ['AAPL'] },
      'stocks',
    );
    expect(ack).toEqual({
      kind: 'subscription',
      channels: new Map([
        ['quotes', new Set()],
        ['trades', new Set(['AAPL'])],
        ['bars', new Set()],
        ['updatedBars', new Set()],
        ['dailyBars', new Set(['VOO'])],
        ['statuses', new Set(['*'])],
        ['lulds', new Set()],
      ]),
    });
    // The options stream has no such channels: its ack is read for trades and quotes only.
    expect(readMessage({ T: 'subscription', quotes: ['X'], statuses: ['X'] }, 'options')).toEqual({
      kind: 'subscription',
      channels: new Map([
        ['quotes', new Set(['X'])],
        ['trades', new Set()],
      ]),
    });
    expect(readMessage({ T: 'subscription', trades: 'AAPL' }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_subscription',
    });
  });

  it('types the gateway does not carry are ignored, per endpoint (bars, statuses, … exist on stocks only)', () => {
    expect(readMessage({ T: 'i', S: 'INAQU', p: 9.12, z: 'C', t: '2024-12-13T19:58:09.242138635Z' }, 'stocks')).toEqual(
      {
        kind: 'ignored',
        type: 'i',
      },
    );
    expect(readMessage({ T: 'b', S: 'AAPL' }, 'options')).toEqual({ kind: 'ignored', type: 'b' });
    for (const T of ['u', 'd', 's', 'l', 'c', 'x'])
      expect(readMessage({ T, S: 'AAPL' }, 'options')).toEqual({ kind: 'ignored', type: T });
    expect(readMessage({ T: 'constructor', S: 'AAPL' }, 'stocks')).toEqual({ kind: 'ignored', type: 'constructor' });
  });

  it('a data message without Alpaca shape is malformed, labelled by its T (or just "message")', () => {
    expect(readMessage({ T: 'q', S: 'AAPL', bp: 1 }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_q',
      reason: '$.q.t: expected a string',
    });
    expect(
      readMessage({ T: 'q', bx: 'C', bp: 1, bs: 1, ax: 'C', ap: 1, as: 1, c: 'A', t: 'x' }, 'options'),
    ).toMatchObject({
      kind: 'malformed',
      what: 'message_q',
    });
    expect(readMessage('hello', 'stocks')).toMatchObject({ kind: 'malformed', what: 'message' });
    expect(readMessage({ T: 42 }, 'stocks')).toMatchObject({ kind: 'malformed', what: 'message' });
  });

  it('the other stock channels in our names, values and timestamps untouched; members Alpaca left out are null', () => {
    const t = '2023-04-06T13:34:45.565004401Z';
    const bar = { o: 1.5, h: 2, l: 1, c: 1.75, v: 10, n: 3, vw: 1.6, t };
    const barModel = { timestamp: t, open: 1.5, high: 2, low: 1, close: 1.75, volume: 10, trade_count: 3, vwap: 1.6 };
    expect(readMessage({ T: 'u', S: 'A', ...bar }, 'stocks')).toEqual({
      kind: 'data',
      data: { type: 'updated_bar', symbol: 'A', data: barModel },
    });
    expect(readMessage({ T: 'd', S: 'A', ...bar }, 'stocks')).toEqual({
      kind: 'data',
      data: { type: 'daily_bar', symbol: 'A', data: barModel },
    });
    expect(
      readMessage({ T: 's', S: 'A', sc: 'H', sm: 'Trading Halt', rc: 'T12', rm: 'News pending', t, z: 'C' }, 'stocks'),
    ).toEqual({
      kind: 'data',
      data: {
        type: 'status',
        symbol: 'A',
        data: {
          timestamp: t,
          status_code: 'H',
          status_message: 'Trading Halt',
          reason_code: 'T12',
          reason_message: 'News pending',
          tape: 'C',
        },
      },
    });
    expect(readMessage({ T: 's', S: 'A', sc: 'H', t }, 'stocks')).toMatchObject({
      data: { data: { status_message: null, reason_code: null, reason_message: null, tape: null } },
    });
    expect(readMessage({ T: 'l', S: 'A', u: 3.24, d: 2.65, i: 'B', t, z: 'C' }, 'stocks')).toEqual({
      kind: 'data',
      data: {
        type: 'luld',
        symbol: 'A',
        data: { timestamp: t, limit_up_price: 3.24, limit_down_price: 2.65, indicator: 'B', tape: 'C' },
      },
    });
    expect(
      readMessage(
        {
          T: 'c',
          S: 'A',
          x: 'M',
          oi: 5,
          op: 39.1582,
          os: 440000,
          oc: [' ', '7'],
          ci: 6,
          cp: 39.1809,
          cs: 440000,
          cc: ['7'],
          z: 'B',
          t,
        },
        'stocks',
      ),
    ).toEqual({
      kind: 'data',
      data: {
        type: 'correction',
        symbol: 'A',
        data: {
          timestamp: t,
          exchange: 'M',
          original_trade_id: '5',
          original_price: 39.1582,
          original_size: 440000,
          original_conditions: [' ', '7'],
          corrected_trade_id: '6',
          corrected_price: 39.1809,
          corrected_size: 440000,
          corrected_conditions: ['7'],
          tape: 'B',
        },
      },
    });
    expect(readMessage({ T: 'x', S: 'A', i: 465, x: 'D', p: 105.31, s: 300, a: 'C', z: 'C', t }, 'stocks')).toEqual({
      kind: 'data',
      data: {
        type: 'cancel_error',
        symbol: 'A',
        data: { timestamp: t, trade_id: '465', exchange: 'D', price: 105.31, size: 300, action: 'C', tape: 'C' },
      },
    });
  });

  it('JSON: correction ids above 2^53 keep every digit', () => {
    const frame = json(
      '[{"T":"c","S":"A","x":"M","oi":18446744073709551615,"op":1,"os":1,"oc":[],"ci":12345678901234567,"cp":1,"cs":1,"cc":[],"t":"x"}]',
    );
    expect(frame).toMatchObject({ ok: true, messages: [{ oi: '18446744073709551615', ci: '12345678901234567' }] });
  });

  it('the other stock channels without Alpaca shape are malformed, labelled by their T', () => {
    const t = '2023-04-06T13:34:45Z';
    expect(readMessage({ T: 's', S: 'A', sm: 'Trading Halt', t }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_s',
      reason: '$.s.sc: expected a string',
    });
    expect(readMessage({ T: 'l', S: 'A', u: '3.24', d: 2.65, t }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_l',
      reason: '$.l.u: expected a number',
    });
    expect(readMessage({ T: 'd', S: 'A', o: 1, h: 1, l: 1, c: 1, t }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_d',
      reason: '$.d.v: expected a number',
    });
    expect(readMessage({ T: 'x', S: 'A', i: 1.5, x: 'D', p: 1, s: 1, a: 'C', t }, 'stocks')).toMatchObject({
      kind: 'malformed',
      what: 'message_x',
    });
  });

  it('option trades keep `c` as one string and have no trade id', () => {
    expect(
      readMessage({ T: 't', S: 'X', t: '2024-03-11T13:35:35.133122560Z', p: 2.84, s: 1, x: 'N', c: 'S' }, 'options'),
    ).toEqual({
      kind: 'data',
      data: {
        type: 'option_trade',
        symbol: 'X',
        data: { timestamp: '2024-03-11T13:35:35.133122560Z', price: 2.84, size: 1, exchange: 'N', condition: 'S' },
      },
    });
  });
});

describe('encodeAction', () => {
  it('JSON text for stocks, a msgpack map for options', () => {
    const action = { action: 'subscribe', quotes: ['AAPL'] };
    expect(encodeAction(action, 'json')).toBe('{"action":"subscribe","quotes":["AAPL"]}');
    expect(Buffer.from(encodeAction(action, 'msgpack'))).toEqual(Buffer.from(encode(action)));
  });
});
