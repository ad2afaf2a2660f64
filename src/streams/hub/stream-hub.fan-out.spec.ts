import { Writable } from 'node:stream';
import { Test } from '@nestjs/testing';
import type { StockQuote } from '../../alpaca/stocks/market-data.models.js';
import { MarketCache } from '../../core/cache/market-cache.js';
import { AppConfig } from '../../core/config/app-config.js';
import { validateConfig } from '../../core/config/validate-config.js';
import type { Principal } from '../../core/identity/principal.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { GatewayMetrics } from '../../core/metrics/gateway-metrics.js';
import { DataQualityService } from '../../core/quality/data-quality.service.js';
import { RedisService } from '../../core/redis/redis.service.js';
import { Tracing } from '../../core/telemetry/tracing.js';
import { Clock, SystemClock } from '../../core/time/clock.js';
import { OrderEventAudit } from '../orders/order-event-audit.js';
import {
  StreamFeed,
  type FeedData,
  type FeedListener,
  type FeedStream,
  type FeedSubscription,
} from '../feed/stream-feed.js';
import { FanOut } from './stream-fan-out.js';
import { StreamHub } from './stream-hub.service.js';
import { StreamMetrics } from '../stream-metrics.js';
import type { OutboundFrame } from '../stream-protocol.js';
import type { StreamSession, StreamSink } from './stream-session.js';

/** The upstream as the test drives it: it records what the hub wants and hands data to the hub's listener. */
class FakeFeed extends StreamFeed {
  listener: FeedListener | null = null;
  readonly wanted = new Map<FeedStream, FeedSubscription>();

  start(listener: FeedListener): void {
    this.listener = listener;
  }

  want(stream: FeedStream, wanted: FeedSubscription): void {
    this.wanted.set(stream, wanted);
  }

  otherSymbols(): ReadonlySet<string> {
    return new Set();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  push(messages: readonly FeedData[]): void {
    this.listener?.data('stocks', messages, '2026-01-02T15:00:00.000Z');
  }
}

class ManualClock extends Clock {
  at = 1_000_000;
  now(): number {
    return this.at;
  }
}

/** Slices run when the test says so (no timers): `step()` runs the next deferred slice. */
class ManualDefer {
  readonly queued: Array<() => void> = [];
  readonly defer = (run: () => void): void => void this.queued.push(run);

  step(): void {
    this.queued.shift()?.();
  }

  drain(): void {
    while (this.queued.length > 0) this.step();
  }
}

/** A client that reads (writes complete at once) unless held, and keeps each frame object it was sent. */
class RecordingSink implements StreamSink {
  readonly transport = 'ws';
  readonly frames: OutboundFrame[] = [];
  hold = false;
  readonly pending: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;

  send(frame: OutboundFrame, written: () => void): void {
    this.frames.push(frame);
    if (this.hold) this.pending.push(written);
    else written();
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  /** The data frames' texts (acks and other control frames left out). */
  data(): string[] {
    return this.frames.map((f) => f.ws().toString('utf8')).filter((t) => t.startsWith('[{"type":"quote"'));
  }
}

const SLICE = 2;
const config = validateConfig({
  APCA_API_KEY_ID: 'PKTESTKEYID0123456789',
  APCA_API_SECRET_KEY: 'sk-test-secret-abcdefghijklmnopqrstuvwxyz',
  JWT_SECRET: 'jwt-test-secret-0123456789-abcdefghijklmnop',
  ALPACA_TRADE_UPDATES: 'false',
  STREAM_CLIENT_QUEUE_MESSAGES: '4',
  STREAM_SLOW_CLIENT_CLOSE_MS: '1000',
});
const viewer: Principal = { kind: 'jwt', sub: 'fan-out-spec', roles: ['viewer'], keyId: null, ip: '127.0.0.1' };

const quote = (symbol: string, n: number): FeedData => {
  const data: StockQuote = {
    timestamp: `2026-01-02T15:00:0${n}.000000000Z`,
    bid_price: 100,
    bid_size: 1,
    bid_exchange: 'V',
    ask_price: 100.01,
    ask_size: 1,
    ask_exchange: 'V',
    conditions: ['R'],
    tape: 'C',
  };
  return { type: 'quote', symbol, data };
};

describe('StreamHub fan-out: shared frames per subscription, in slices', () => {
  let hub: StreamHub;
  let feed: FakeFeed;
  let slices: ManualDefer;
  let clock: ManualClock;

  beforeEach(async () => {
    const quiet = new WinstonLogger(config, new Writable({ write: (_c, _e, done) => done() }));
    const metrics = new GatewayMetrics();
    feed = new FakeFeed();
    slices = new ManualDefer();
    clock = new ManualClock();
    const noAudit: Pick<OrderEventAudit, 'record'> = { record: () => undefined };
    const moduleRef = await Test.createTestingModule({
      providers: [
        StreamHub,
        { provide: StreamFeed, useValue: feed },
        { provide: AppConfig, useValue: config },
        {
          provide: MarketCache,
          useValue: new MarketCache(
            config,
            new RedisService(config, quiet, new Tracing(config.telemetry)),
            quiet,
            metrics,
            new SystemClock(),
          ),
        },
        { provide: StreamMetrics, useValue: new StreamMetrics(metrics, new SystemClock(), config) },
        { provide: WinstonLogger, useValue: quiet },
        { provide: OrderEventAudit, useValue: noAudit },
        { provide: DataQualityService, useValue: new DataQualityService(config, new SystemClock(), metrics) },
        { provide: Clock, useValue: clock },
        { provide: FanOut, useValue: new FanOut(SLICE, slices.defer) },
      ],
    }).compile();
    // Init: the hub starts listening to its feed there, not in its constructor.
    await moduleRef.init();
    hub = moduleRef.get(StreamHub);
  });

  const client = (symbols: string[]): { session: StreamSession; sink: RecordingSink } => {
    const sink = new RecordingSink();
    const session = hub.open(sink, '127.0.0.1');
    hub.authenticate(session, viewer, null);
    hub.subscribe(session, { quotes: symbols });
    return { session, sink };
  };

  it('clients with the same subscription get the very same frame object and Buffer; another subscription gets its own', () => {
    const a = client(['AAPL', 'MSFT']);
    const b = client(['MSFT', 'AAPL']);
    const c = client(['AAPL']);
    expect(hub.groupOf(a.session)).toBe(hub.groupOf(b.session));
    expect(hub.groupOf(c.session)).not.toBe(hub.groupOf(a.session));
    feed.push([quote('AAPL', 1), quote('MSFT', 1)]);
    slices.drain();
    const [fa, fb, fc] = [a.sink.frames.at(-1), b.sink.frames.at(-1), c.sink.frames.at(-1)];
    expect(fa).toBe(fb);
    expect(fa?.ws()).toBe(fb?.ws());
    expect(fc).not.toBe(fa);
    expect(fa?.count).toBe(2);
    expect(fc?.count).toBe(1);
    // Every per-message duty still holds: the client's symbols only, received_at, feed, data_quality.
    const [message] = JSON.parse(c.sink.data()[0] ?? '[]') as Array<Record<string, unknown>>;
    expect(message).toMatchObject({
      type: 'quote',
      symbol: 'AAPL',
      received_at: '2026-01-02T15:00:00.000Z',
      feed: 'iex',
      data_quality: { checked: true },
    });
  });

  it('a client that changes its subscription moves groups, and its old group goes when empty', () => {
    const a = client(['AAPL']);
    const b = client(['AAPL']);
    const shared = hub.groupOf(a.session);
    hub.subscribe(b.session, { quotes: ['MSFT'] });
    expect(hub.groupOf(b.session)).not.toBe(shared);
    expect(hub.groupOf(a.session)).toBe(shared);
    hub.unsubscribe(b.session, { quotes: ['MSFT'] });
    expect(hub.groupOf(b.session)).toBe(shared);
    expect(hub.held().groups).toBe(1);
    hub.unsubscribe(a.session, { quotes: ['AAPL'] });
    hub.unsubscribe(b.session, { quotes: ['AAPL'] });
    expect(hub.groupOf(a.session)).toBeUndefined();
    expect(hub.held()).toMatchObject({ groups: 0, groupedSessions: 0, groupIndex: 0, subscriptions: 0 });
    feed.push([quote('AAPL', 1)]);
    slices.drain();
    expect(a.sink.data()).toEqual([]);
  });

  it('slices hand out frames in order: frame N+1 never overtakes N for any client', () => {
    const clients = Array.from({ length: 5 }, () => client(['AAPL']));
    feed.push([quote('AAPL', 1)]);
    // One slice went out at once; the rest wait for the event loop.
    expect(clients.map((c) => c.sink.data().length)).toEqual([1, 1, 0, 0, 0]);
    feed.push([quote('AAPL', 2)]);
    expect(clients.map((c) => c.sink.data().length)).toEqual([1, 1, 0, 0, 0]);
    slices.step();
    expect(clients.map((c) => c.sink.data().length)).toEqual([1, 1, 1, 1, 0]);
    slices.drain();
    for (const c of clients) {
      expect(c.sink.data().map((t) => (JSON.parse(t) as Array<{ timestamp: string }>)[0]?.timestamp)).toEqual([
        '2026-01-02T15:00:01.000000000Z',
        '2026-01-02T15:00:02.000000000Z',
      ]);
    }
  });

  it('a subscription change delivers what was queued first: no ack ahead of older data', () => {
    const clients = Array.from({ length: 4 }, () => client(['AAPL']));
    feed.push([quote('AAPL', 1)]);
    const last = clients[3];
    if (last === undefined) throw new Error('four clients');
    expect(last.sink.data()).toHaveLength(0);
    hub.unsubscribe(last.session, { quotes: ['AAPL'] });
    // The gateway acks after the hub call returns: the queued data is already out by then.
    last.session.control(last.session.subscriptionMessage());
    const types = last.sink.frames.map((f) => f.messages[0]?.type);
    expect(types.slice(-2)).toEqual(['quote', 'subscription']);
    slices.drain();
    expect(last.sink.data()).toHaveLength(1);
  });

  it('a slow client in a shared group drops and is closed alone; the others get every frame', () => {
    const slow = client(['AAPL']);
    const fast = client(['AAPL']);
    expect(hub.groupOf(slow.session)).toBe(hub.groupOf(fast.session));
    slow.sink.hold = true;
    for (let n = 1; n <= 6; n += 1) {
      feed.push([quote('AAPL', n)]);
      slices.drain();
    }
    // Its queue holds 4 messages: frames 5 and 6 are dropped (counted), the frame object shared all along.
    expect(slow.sink.data()).toHaveLength(4);
    expect(slow.sink.frames.at(-1)).toBe(fast.sink.frames.at(-3));
    expect(slow.sink.closed).toBeNull();
    // Still behind past STREAM_SLOW_CLIENT_CLOSE_MS: closed 4408, alone.
    clock.at += 1001;
    feed.push([quote('AAPL', 7)]);
    slices.drain();
    expect(slow.sink.closed).toEqual({ code: 4408, reason: 'slow consumer: stayed behind' });
    expect(fast.sink.closed).toBeNull();
    expect(fast.sink.data()).toHaveLength(7);
  });

  it('nothing is held for a client once it is gone: sessions, groups, index, principals, queued deliveries', () => {
    const clients = Array.from({ length: 5 }, (_, i) => client(i % 2 === 0 ? ['AAPL', 'MSFT'] : ['TSLA']));
    feed.push([quote('AAPL', 1), quote('TSLA', 1)]);
    expect(hub.held().pendingDeliveries).toBeGreaterThan(0);
    for (const c of clients) hub.close(c.session);
    expect(hub.held()).toEqual({
      sessions: 0,
      groups: 0,
      groupedSessions: 0,
      groupIndex: 0,
      subscriptions: 0,
      principals: 0,
      pendingDeliveries: 0,
    });
    expect(feed.wanted.get('stocks')).toEqual({});
  });
});
