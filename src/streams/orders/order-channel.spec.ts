import type { AccountsConfig, AlpacaAccount } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Principal } from '../../core/identity/principal.js';
import { accountOfStream, feedStreams, isOrdersStream, ordersStream, type FeedData } from '../feed/stream-feed.js';
import { OutboundMessage, type OutboundFrame } from '../stream-protocol.js';
import { StreamSession, type StreamSink } from '../hub/stream-session.js';
import { OrderChannel } from './order-channel.js';

class Sink implements StreamSink {
  readonly transport = 'ws';
  readonly sent: Array<Record<string, unknown>> = [];

  send(frame: OutboundFrame, written: () => void): void {
    this.sent.push(...(JSON.parse(frame.ws().toString('utf8')) as Array<Record<string, unknown>>));
    written();
  }

  close(): void {}
}

const account = (name: string, tradingUrl = 'https://paper-api.alpaca.markets'): AlpacaAccount => ({
  name,
  keyId: `K-${name}`,
  secretKey: `S-${name}`,
  tradingUrl,
  tradingHost: new URL(tradingUrl).host,
  tradingMode: tradingUrl.includes('alpaca.markets') ? 'paper' : 'non_alpaca_host',
});
const paper = account('paper');
const live = account('live', 'http://127.0.0.1:9');
const ACCOUNTS: AccountsConfig = { list: [paper, live], data: paper, configured: true };

const principal = (accounts: string[] | null): Principal => ({
  kind: 'jwt',
  sub: 'trader-1',
  roles: ['trader'],
  keyId: null,
  ip: '127.0.0.1',
  accounts,
});

function session(accounts: readonly string[]): { session: StreamSession; sink: Sink } {
  const sink = new Sink();
  const s = new StreamSession(
    sink,
    '127.0.0.1',
    { messages: 100, bytes: 1_000_000, slowCloseMs: 1000 },
    () => 0,
    () => 0,
  );
  s.accounts = accounts;
  return { session: s, sink };
}

const fill = (orderId: string): FeedData => ({
  type: 'order_update',
  symbol: 'AAPL',
  data: { event: 'fill', order_id: orderId, symbol: 'AAPL', timestamp: null, order: { id: orderId } },
});

describe('orders streams per account', () => {
  it('the default account keeps `orders`; a named one is `orders:<name>`, and back', () => {
    expect(ordersStream('default')).toBe('orders');
    expect(ordersStream('paper')).toBe('orders:paper');
    expect(accountOfStream('orders')).toBe('default');
    expect(accountOfStream('orders:live')).toBe('live');
    expect(['stocks', 'options', 'orders', 'orders:paper'].map((s) => isOrdersStream(s as 'orders'))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(feedStreams(ACCOUNTS)).toEqual(['stocks', 'options', 'orders:paper', 'orders:live']);
  });
});

describe('OrderChannel', () => {
  const channel = (): OrderChannel => new OrderChannel(true, ACCOUNTS);

  it('a session follows every account its principal may use, or the one its header names', () => {
    const c = channel();
    expect(c.accountsFor(principal(['live', 'paper']), undefined, false)).toEqual(['live', 'paper']);
    expect(c.accountsFor(principal(null), undefined, false)).toEqual(['paper']);
    expect(c.accountsFor(principal(['paper', 'live']), 'live', false)).toEqual(['live']);
    // One account only (Alpaca's trading stream): the principal's first without a header.
    expect(c.accountsFor(principal(['live', 'paper']), undefined, true)).toEqual(['live']);
  });

  it('a header naming an account the principal may not use is ACCOUNT_NOT_ALLOWED', () => {
    let thrown: unknown;
    try {
      channel().accountsFor(principal(['paper']), 'live', false);
    } catch (e: unknown) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'ACCOUNT_NOT_ALLOWED', details: { account: 'live', allowed: ['paper'] } });
  });

  it('delivers an account’s events, naming it, to its followers only; its gaps and problems too', () => {
    const c = channel();
    const [onPaper, onLive, onBoth] = [session(['paper']), session(['live']), session(['paper', 'live'])];
    for (const s of [onPaper, onLive, onBoth]) c.add(s.session);

    expect(c.deliver('paper', [fill('p-1')], '2025-06-24T14:00:00.000Z')).toBe(2);
    expect(c.deliver('live', [fill('l-1')], '2025-06-24T14:00:01.000Z')).toBe(2);
    const ids = (s: { sink: Sink }): unknown[] => s.sink.sent.map((m) => [m['account'], m['order_id']]);
    expect(ids(onPaper)).toEqual([['paper', 'p-1']]);
    expect(ids(onLive)).toEqual([['live', 'l-1']]);
    expect(ids(onBoth)).toEqual([
      ['paper', 'p-1'],
      ['live', 'l-1'],
    ]);
    expect(onPaper.sink.sent[0]).toMatchObject({ type: 'order_update', provider: 'alpaca' });
    expect(onLive.sink.sent[0]).toMatchObject({ provider: 'non_alpaca_host' });

    c.broadcast('live', OutboundMessage.of({ type: 'gap', stream: 'orders', account: 'live' }));
    expect(onPaper.sink.sent).toHaveLength(1);
    expect(onLive.sink.sent.at(-1)).toEqual({ type: 'gap', stream: 'orders', account: 'live' });

    c.upstreamProblem('live', { code: 'UPSTREAM_STREAM_UNAVAILABLE', message: 'down', details: {} });
    const [laterPaper, laterLive] = [session(['paper']), session(['live'])];
    c.add(laterPaper.session);
    c.add(laterLive.session);
    expect(laterPaper.sink.sent).toEqual([]);
    expect(laterLive.sink.sent).toEqual([
      expect.objectContaining({
        type: 'error',
        code: 'UPSTREAM_STREAM_UNAVAILABLE',
        details: { stream: 'orders', account: 'live' },
      }),
    ]);
  });
});
