import { ENDPOINT_CHANNELS, type StreamChannel } from './market-stream.port.js';
import { SubscriptionBook, type ChannelSets } from './stream-subscriptions.js';

const sets = (channels: Partial<Record<StreamChannel, string[]>>): ChannelSets =>
  new Map(Object.entries(channels).map(([channel, symbols]) => [channel as StreamChannel, new Set(symbols)]));
const want = (channels: Partial<Record<StreamChannel, string[]>>) =>
  Object.fromEntries(Object.entries(channels).map(([channel, symbols]) => [channel, new Set(symbols)]));
/** The whole acknowledged stock subscription: every other stock channel empty. */
const stockAck = (channels: Partial<Record<StreamChannel, string[]>>) =>
  want({ ...Object.fromEntries(ENDPOINT_CHANNELS.stocks.map((c) => [c, []])), ...channels });

describe('SubscriptionBook', () => {
  it('nothing wanted, nothing acknowledged: no change (never an empty message)', () => {
    const book = new SubscriptionBook(ENDPOINT_CHANNELS.stocks);
    expect(book.nextChange()).toBeUndefined();
    book.want({ quotes: new Set() });
    expect(book.nextChange()).toBeUndefined();
  });

  it('the first change is the whole set, symbols sorted, channels in port order', () => {
    const book = new SubscriptionBook(ENDPOINT_CHANNELS.stocks);
    book.want(want({ bars: ['SPY'], quotes: ['MSFT', 'AAPL'] }));
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { quotes: ['AAPL', 'MSFT'], bars: ['SPY'] } });
  });

  it('one change at a time; the next is computed from the ack, removals before additions', () => {
    const book = new SubscriptionBook(ENDPOINT_CHANNELS.stocks);
    book.want(want({ quotes: ['AAPL'] }));
    book.nextChange();
    book.want(want({ quotes: ['MSFT'], trades: ['TSLA'] }));
    expect(book.nextChange()).toBeUndefined();
    book.acknowledge(sets({ quotes: ['AAPL'] }));
    expect(book.nextChange()).toEqual({ action: 'unsubscribe', channels: { quotes: ['AAPL'] } });
    book.acknowledge(sets({}));
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { quotes: ['MSFT'], trades: ['TSLA'] } });
    book.acknowledge(sets({ quotes: ['MSFT'], trades: ['TSLA'], bars: [] }));
    expect(book.nextChange()).toBeUndefined();
    expect(book.acknowledged()).toEqual(stockAck({ quotes: ['MSFT'], trades: ['TSLA'], bars: [] }));
  });

  it("a refusal holds Alpaca's set as the target, across a reset, until the next want", () => {
    const book = new SubscriptionBook(ENDPOINT_CHANNELS.stocks);
    book.want(want({ quotes: ['AAPL'] }));
    book.nextChange();
    book.acknowledge(sets({ quotes: ['AAPL'] }));
    book.want(want({ quotes: ['AAPL', 'MSFT'] }));
    expect(book.refuse()).toBeUndefined();
    book.want(want({ quotes: ['AAPL', 'MSFT'] }));
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { quotes: ['MSFT'] } });
    expect(book.refuse()).toEqual({ action: 'subscribe', channels: { quotes: ['MSFT'] } });
    expect(book.nextChange()).toBeUndefined();
    book.reset();
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { quotes: ['AAPL'] } });
    book.acknowledge(sets({ quotes: ['AAPL'] }));
    book.want(want({ quotes: ['AAPL', 'IBM'] }));
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { quotes: ['IBM'] } });
  });

  it('channels the endpoint lacks are left out and named', () => {
    const book = new SubscriptionBook(ENDPOINT_CHANNELS.options);
    expect(book.want(want({ bars: ['X'], trades: ['C1'] }))).toEqual(['bars']);
    expect(book.nextChange()).toEqual({ action: 'subscribe', channels: { trades: ['C1'] } });
  });
});
