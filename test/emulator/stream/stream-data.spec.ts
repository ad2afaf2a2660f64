import { decode } from '@msgpack/msgpack';
import { AlpacaEmulator, ManualClock } from '../alpaca-emulator.js';
import { parseRfc3339Nanos } from '../market/wire-time.js';
import { authenticated, subscribe, type Message, type StreamClient } from './stream-spec-helpers.js';

// 2024-03-08 is on New York standard time (DST began 2024-03-10): daily bars stamp 05:00Z.
const START = Date.parse('2024-03-08T16:41:24.727Z');
const RFC3339_NANOS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
// A fresh emulator and clock per test, so every test starts at START whatever ran before.
let clock: ManualClock;
let emulator: AlpacaEmulator;

beforeEach(async () => {
  clock = new ManualClock(START);
  emulator = new AlpacaEmulator({ streamClock: clock, streamConnectionLimit: 2 });
  await emulator.start();
});
afterEach(() => emulator.stop());

/** Milliseconds of a JSON `t`, checking it has all nine fraction digits. */
function millis(t: unknown): number {
  expect(t).toMatch(RFC3339_NANOS);
  return Number((parseRfc3339Nanos(String(t)) ?? 0n) / 1_000_000n);
}

async function tickFrame(client: StreamClient): Promise<Message[]> {
  expect(emulator.streamTick()).toBeGreaterThan(0);
  return client.nextMessages('a tick');
}

describe('stock data (JSON)', () => {
  it('one tick: t, q, b, d for AAPL from its fixtures, with Alpaca keys in order and current timestamps', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { trades: ['AAPL'], quotes: ['AAPL'], bars: ['AAPL'], dailyBars: ['AAPL'] });
    const frame = await tickFrame(client);
    expect(frame.map((message) => Object.keys(message))).toEqual([
      ['T', 'S', 'i', 'x', 'p', 's', 'c', 'z', 't'],
      ['T', 'S', 'bx', 'bp', 'bs', 'ax', 'ap', 'as', 'c', 'z', 't'],
      ['T', 'S', 'o', 'h', 'l', 'c', 'v', 'n', 'vw', 't'],
      ['T', 'S', 'o', 'h', 'l', 'c', 'v', 'n', 'vw', 't'],
    ]);
    const [trade, quote, bar, daily] = frame;
    // Fixture AAPL trade p 172.6 / quote 172.6×172.7, moved one cent on the first round.
    expect(trade).toEqual({ T: 't', S: 'AAPL', i: 690, x: 'P', p: 172.61, s: 100, c: ['@', 'T'], z: 'C', t: trade.t });
    expect(quote).toEqual({
      T: 'q',
      S: 'AAPL',
      bx: 'Q',
      bp: 172.61,
      bs: 2,
      ax: 'Q',
      ap: 172.71,
      as: 1,
      c: ['R'],
      z: 'C',
      t: quote.t,
    });
    expect(bar).toEqual({
      T: 'b',
      S: 'AAPL',
      o: 172.6,
      h: 172.62,
      l: 172.59,
      c: 172.61,
      v: 200,
      n: 2,
      vw: 172.605,
      t: '2024-03-08T16:40:00Z',
    });
    expect(daily).toEqual({
      T: 'd',
      S: 'AAPL',
      o: 172.6,
      h: 172.63,
      l: 172.57,
      c: 172.61,
      v: 200,
      n: 2,
      vw: 172.6,
      t: '2024-03-08T05:00:00Z',
    });
    expect(millis(trade.t)).toBe(START);
    expect(millis(quote.t)).toBe(START);
  });

  it('prices move a little from round to round and timestamps follow the clock', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { quotes: ['MSFT'] });
    const bids: unknown[] = [];
    for (let round = 0; round < 4; round += 1) {
      clock.advance(1_000);
      const [quote] = await tickFrame(client);
      bids.push(quote.bp);
      expect(millis(quote.t)).toBe(clock.now());
    }
    expect(bids).toEqual([291.61, 291.62, 291.63, 291.62]);
  });

  it('with the system clock, `t` is the current time', async () => {
    const live = new AlpacaEmulator();
    await live.start();
    try {
      const client = await authenticated(live, '/v2/iex');
      await subscribe(client, { trades: ['TSLA'] });
      const before = Date.now();
      live.streamTick();
      const [trade] = await client.nextMessages();
      expect(millis(trade.t)).toBeGreaterThanOrEqual(before);
      expect(millis(trade.t)).toBeLessThanOrEqual(Date.now());
    } finally {
      await live.stop();
    }
  });

  it('sends only the subscribed channels and symbols; a symbol without fixtures still gets a sane quote', async () => {
    const client = await authenticated(emulator, '/v2/sip');
    await subscribe(client, { quotes: ['ZZZZ', 'IBM'], statuses: ['IBM'], updatedBars: ['IBM'] });
    const frame = await tickFrame(client);
    expect(frame.map((message) => [message.T, message.S])).toEqual([
      ['q', 'ZZZZ'],
      ['q', 'IBM'],
    ]);
    const [unknown] = frame;
    expect(typeof unknown.bp === 'number' && typeof unknown.ap === 'number' && unknown.bp < unknown.ap).toBe(true);
  });

  it('`*` expands to every fixture symbol; on /v2/test to FAKEPACA with F13 prices', async () => {
    const iex = await authenticated(emulator, '/v2/iex');
    await subscribe(iex, { trades: ['*'] });
    const test = await authenticated(emulator, '/v2/test');
    await subscribe(test, { quotes: ['*'] });
    emulator.streamTick();
    expect((await iex.nextMessages()).map((message) => message.S).sort()).toEqual([
      'AAPL',
      'BRK.B',
      'IBM',
      'MSFT',
      'TSLA',
    ]);
    const [fake] = await test.nextMessages();
    expect(fake).toMatchObject({
      T: 'q',
      S: 'FAKEPACA',
      bx: 'O',
      bp: 133.86,
      bs: 4,
      ax: 'R',
      ap: 135.78,
      as: 5,
      c: ['R'],
      z: 'A',
    });
  });

  it('every socket on an endpoint sees the same messages in a round', async () => {
    const first = await authenticated(emulator, '/v2/iex');
    const second = await authenticated(emulator, '/v2/iex');
    await subscribe(first, { quotes: ['AAPL'], trades: ['TSLA'] });
    await subscribe(second, { quotes: ['AAPL'] });
    expect(emulator.streamTick()).toBe(3);
    const [, firstQuote] = await first.nextMessages();
    expect(await second.nextMessages()).toEqual([firstQuote]);
  });

  it('stocks over msgpack when the upgrade asks for it: binary frames, `t` as a timestamp', async () => {
    const client = await authenticated(emulator, '/v2/iex', { msgpack: true });
    await subscribe(client, { trades: ['AAPL'] });
    emulator.streamTick();
    const frame = await client.next();
    expect(frame.binary).toBe(true);
    expect(frame.messages[0]).toMatchObject({ T: 't', S: 'AAPL', p: 172.61, t: { sec: Math.floor(START / 1000) } });
  });
});

describe('streamPublish', () => {
  it('passes a message through byte for byte to the subscribers of its symbol only', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { quotes: ['AMD'] });
    const f7 = {
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
    };
    expect(emulator.streamPublish('/v2/iex', { ...f7, S: 'NVDA' })).toBe(0);
    expect(emulator.streamPublish('/v2/sip', f7)).toBe(0);
    expect(emulator.streamPublish('/v2/iex', f7)).toBe(1);
    expect((await client.next()).raw.toString()).toBe(JSON.stringify([f7]));
  });

  it('routes corrections and cancel errors to trades subscribers, batched as given', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { trades: ['EEM', 'GOOGL'] });
    const f11 = [
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
      {
        T: 'q',
        S: 'GOOGL',
        bx: 'K',
        bp: 1,
        bs: 1,
        ax: 'K',
        ap: 2,
        as: 1,
        c: ['R'],
        z: 'C',
        t: '2023-04-06T13:15:42.83540958Z',
      },
    ];
    emulator.streamPublish('/v2/iex', f11);
    expect((await client.next()).raw.toString()).toBe(JSON.stringify(f11.slice(0, 2)));
  });
});

describe('option data (msgpack)', () => {
  const CONTRACT = 'AAPL240426C00162500';

  it('t and q from the option fixtures: T first, the DOC-OPT keys, `c` a single string, no `z`', async () => {
    const client = await authenticated(emulator, '/v1beta1/indicative', { msgpack: true });
    await subscribe(client, { trades: [CONTRACT], quotes: [CONTRACT] });
    emulator.streamTick();
    const frame = await client.next();
    expect(frame.binary).toBe(true);
    const [trade, quote] = frame.messages;
    expect(Object.keys(trade)).toEqual(['T', 'S', 't', 'p', 's', 'x', 'c']);
    expect(Object.keys(quote)).toEqual(['T', 'S', 't', 'bx', 'bp', 'bs', 'ax', 'ap', 'as', 'c']);
    const t = { sec: Math.floor(START / 1000), nsec: expect.any(Number) as number };
    expect(trade).toEqual({ T: 't', S: CONTRACT, t, p: 4.11, s: 1, x: 'A', c: 'I' });
    expect(quote).toEqual({ T: 'q', S: CONTRACT, t, bx: 'C', bp: 4.16, bs: 16, ax: 'B', ap: 4.31, as: 91, c: 'A' });
    expect(Math.floor((trade.t as { nsec: number }).nsec / 1_000_000)).toBe(START % 1000);
  });

  it('`t` is msgpack ext -1, which @msgpack/msgpack decodes by default to a millisecond Date', async () => {
    const client = await authenticated(emulator, '/v1beta1/opra', { msgpack: true });
    await subscribe(client, { trades: [CONTRACT] });
    emulator.streamTick();
    const { raw } = await client.next();
    // timestamp 64 (d7 ff) or 96 (c7 0c ff): both are type -1.
    expect(raw.includes(Buffer.from([0xd7, 0xff])) || raw.includes(Buffer.from([0xc7, 0x0c, 0xff]))).toBe(true);
    const [trade] = decode(raw) as Array<{ t: unknown }>;
    expect(trade.t).toBeInstanceOf(Date);
    expect((trade.t as Date).getTime()).toBe(START);
  });

  it("streamPublish: F16's string timestamp goes out as a timestamp with all nanoseconds", async () => {
    const client = await authenticated(emulator, '/v1beta1/opra', { msgpack: true });
    await subscribe(client, { trades: ['AAPL240315C00172500'] });
    const f16 = { S: 'AAPL240315C00172500', t: '2024-03-11T13:35:35.13312256Z', p: 2.84, s: 1, x: 'N', c: 'S', T: 't' };
    expect(emulator.streamPublish('/v1beta1/opra', f16)).toBe(1);
    const [message] = (await client.next()).messages;
    expect(Object.keys(message)[0]).toBe('T'); // moved first, as Go's decoder requires
    expect(message).toEqual({ ...f16, t: { sec: Date.parse('2024-03-11T13:35:35Z') / 1000, nsec: 133122560 } });
  });
});

describe('auto-tick', () => {
  it('streamTickMs ticks on the stream clock', async () => {
    const autoClock = new ManualClock(START);
    const auto = new AlpacaEmulator({ streamClock: autoClock, streamTickMs: 1_000 });
    await auto.start();
    try {
      const client = await authenticated(auto, '/v2/iex');
      await subscribe(client, { quotes: ['AAPL'] });
      autoClock.advance(3_000);
      const bids = [];
      for (let round = 0; round < 3; round += 1) bids.push((await client.nextMessages())[0].bp);
      expect(bids).toEqual([172.61, 172.62, 172.63]);
    } finally {
      await auto.stop();
    }
    expect(autoClock.pending).toBe(0);
  });
});
