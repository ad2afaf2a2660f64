import { AlpacaEmulator } from '../alpaca-emulator.js';
import { authenticated, errorFrame, subscribe, waitUntil } from './stream-spec-helpers.js';

const emulator = new AlpacaEmulator();

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

const EMPTY_STOCK_SUBSCRIPTION = {
  trades: [],
  quotes: [],
  bars: [],
  updatedBars: [],
  dailyBars: [],
  statuses: [],
  lulds: [],
  corrections: [],
  cancelErrors: [],
};
const EMPTY_STOCK_ACK = { T: 'subscription', ...EMPTY_STOCK_SUBSCRIPTION };

describe('stock subscriptions', () => {
  it("answers §8's F4 with F5's exact bytes (every channel, corrections/cancelErrors mirroring trades)", async () => {
    const client = await authenticated(emulator, '/v2/iex');
    client.send({ action: 'subscribe', trades: ['AAPL'], quotes: ['AMD', 'CLDR'], bars: ['*'] });
    const frame = await client.next();
    expect(frame.raw.toString()).toBe(
      '[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]',
    );
  });

  it('subscribe adds, unsubscribe subtracts, and every ack lists the whole current set', async () => {
    const client = await authenticated(emulator, '/v2/sip');
    await subscribe(client, { trades: ['AAPL'], quotes: ['AMD'], dailyBars: ['VOO'], statuses: ['*'] });
    expect(await subscribe(client, { trades: ['MSFT', 'AAPL'], quotes: ['TSLA'] })).toEqual({
      ...EMPTY_STOCK_ACK,
      trades: ['AAPL', 'MSFT'],
      quotes: ['AMD', 'TSLA'],
      dailyBars: ['VOO'],
      statuses: ['*'],
      corrections: ['AAPL', 'MSFT'],
      cancelErrors: ['AAPL', 'MSFT'],
    });
    client.send({ action: 'unsubscribe', trades: ['AAPL', 'NVDA'], statuses: ['*'] });
    expect(await client.nextMessages()).toEqual([
      {
        ...EMPTY_STOCK_ACK,
        trades: ['MSFT'],
        quotes: ['AMD', 'TSLA'],
        dailyBars: ['VOO'],
        corrections: ['MSFT'],
        cancelErrors: ['MSFT'],
      },
    ]);
    client.send({ action: 'unsubscribe', trades: ['MSFT'], quotes: ['AMD', 'TSLA'], dailyBars: ['VOO'] });
    expect(await client.nextMessages()).toEqual([EMPTY_STOCK_ACK]);
  });

  it("accepts the unused channels SDKs send as [] or null (Go's 11 keys), and ignores requested corrections", async () => {
    const client = await authenticated(emulator, '/v2/iex', { msgpack: true });
    client.send({
      action: 'subscribe',
      trades: ['AAPL'],
      quotes: [],
      bars: null,
      updatedBars: null,
      dailyBars: [],
      statuses: null,
      imbalances: null,
      lulds: null,
      orderbooks: null,
      news: null,
      pricing: null,
      corrections: ['IBM'],
    });
    const frame = await client.next();
    expect(frame.binary).toBe(true);
    expect(frame.messages).toEqual([
      { ...EMPTY_STOCK_ACK, trades: ['AAPL'], corrections: ['AAPL'], cancelErrors: ['AAPL'] },
    ]);
  });

  it('shows imbalances in the ack only once subscribed (not in DOC-STK example)', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    expect(await subscribe(client, { imbalances: ['INAQU'] })).toEqual({ ...EMPTY_STOCK_ACK, imbalances: ['INAQU'] });
  });

  it('a channel the stock stream lacks → 410', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    expect(await subscribe(client, { news: ['*'] })).toEqual(
      errorFrame(410, 'invalid subscribe action for this feed')[0],
    );
  });
});

describe('symbol limit (405)', () => {
  it('rejects the whole request beyond the cap and keeps the subscription as it was; bars are not counted', async () => {
    emulator.streamSetSymbolLimit(2);
    const client = await authenticated(emulator, '/v2/iex');
    await subscribe(client, { trades: ['AAPL'], quotes: ['AAPL', 'MSFT'] });
    expect(await subscribe(client, { trades: ['IBM'], quotes: ['MSFT'] })).toEqual(
      errorFrame(405, 'symbol limit exceeded')[0],
    );
    const [open] = emulator.streamOpenConnections('/v2/iex');
    expect(open.subscription).toMatchObject({ trades: ['AAPL'], quotes: ['AAPL', 'MSFT'] });
    // `*` and bar channels do not count toward the cap.
    expect(await subscribe(client, { bars: ['IBM', 'TSLA', 'NVDA'], trades: ['*'] })).toMatchObject({
      trades: ['AAPL', '*'],
      bars: ['IBM', 'TSLA', 'NVDA'],
    });
    emulator.streamSetSymbolLimit(undefined);
    expect(await subscribe(client, { trades: ['IBM'] })).toMatchObject({ trades: ['AAPL', '*', 'IBM'] });
  });
});

describe('option subscriptions', () => {
  it('acks with trades and quotes only, as §3.2 shows', async () => {
    const client = await authenticated(emulator, '/v1beta1/opra', { msgpack: true });
    expect(await subscribe(client, { trades: ['SPXW240308P05120000'], quotes: ['SPXW240308P05075000'] })).toEqual({
      T: 'subscription',
      trades: ['SPXW240308P05120000'],
      quotes: ['SPXW240308P05075000'],
    });
    client.send({ action: 'unsubscribe', quotes: ['SPXW240308P05075000'] });
    expect(await client.nextMessages()).toEqual([{ T: 'subscription', trades: ['SPXW240308P05120000'], quotes: [] }]);
  });

  it('`*` for option quotes → 413; for option trades it is allowed', async () => {
    const client = await authenticated(emulator, '/v1beta1/indicative', { msgpack: true });
    expect(await subscribe(client, { quotes: ['*'] })).toEqual(
      errorFrame(413, 'star subscription is not allowed for option quotes')[0],
    );
    expect(await subscribe(client, { trades: ['*'] })).toEqual({ T: 'subscription', trades: ['*'], quotes: [] });
  });

  it('bars on the options stream → 410, nulls for the stock channels are fine', async () => {
    const client = await authenticated(emulator, '/v1beta1/indicative', { msgpack: true });
    expect(await subscribe(client, { bars: ['AAPL240426C00162500'] })).toEqual(
      errorFrame(410, 'invalid subscribe action for this feed')[0],
    );
    client.send({ action: 'subscribe', trades: ['AAPL240426C00162500'], quotes: null, bars: null, dailyBars: null });
    expect(await client.nextMessages()).toEqual([{ T: 'subscription', trades: ['AAPL240426C00162500'], quotes: [] }]);
  });
});

describe('observability', () => {
  it('open sockets per endpoint, each subscription, and every action frame in order', async () => {
    const first = await authenticated(emulator, '/v2/iex');
    const second = await authenticated(emulator, '/v1beta1/opra', { msgpack: true });
    await subscribe(first, { quotes: ['AAPL'] });
    await subscribe(second, { trades: ['AAPL240426C00162500'] });
    expect(emulator.streamOpenCount()).toBe(2);
    expect(emulator.streamOpenCount('/v2/iex')).toBe(1);
    expect(emulator.streamOpenCount('/v2/sip')).toBe(0);
    expect(emulator.streamOpenConnections()).toEqual([
      {
        id: 1,
        endpoint: '/v2/iex',
        authenticated: true,
        subscription: { ...EMPTY_STOCK_SUBSCRIPTION, quotes: ['AAPL'] },
      },
      {
        id: 2,
        endpoint: '/v1beta1/opra',
        authenticated: true,
        subscription: { trades: ['AAPL240426C00162500'], quotes: [] },
      },
    ]);
    expect(emulator.streamSubscription(2)).toEqual({ trades: ['AAPL240426C00162500'], quotes: [] });
    expect(emulator.streamActions.map((action) => [action.connectionId, action.frame])).toEqual([
      [1, { action: 'auth', key: emulator.keyId, secret: emulator.secretKey }],
      [2, { action: 'auth', key: emulator.keyId, secret: emulator.secretKey }],
      [1, { action: 'subscribe', quotes: ['AAPL'] }],
      [2, { action: 'subscribe', trades: ['AAPL240426C00162500'] }],
    ]);
    await first.close();
    await second.close();
    await waitUntil(() => emulator.streamOpenCount() === 0, 'the emulator to see both closes');
    expect(emulator.streamSubscription(1)).toBeUndefined();
    expect(emulator.streamConnections.map((record) => record.closeCode)).toEqual([1000, 1000]);
  });
});
