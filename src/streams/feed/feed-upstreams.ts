import { Injectable } from '@nestjs/common';
import {
  MarketStreamPort,
  type UpstreamStreamListener,
  type UpstreamStreamProblem,
} from '../../alpaca/stream/market-stream.port.js';
import { TradeUpdatesPort } from '../../alpaca/trading/trade-updates.port.js';
import {
  accountOfStream,
  isOrdersStream,
  type FeedData,
  type FeedStream,
  type FeedSubscription,
} from './stream-feed.js';
import { runOutsideScope } from '../../core/telemetry/request-scope.js';

/** What an upstream socket tells the feed that opened it. */
export interface FeedUpstreamListener {
  data(messages: readonly FeedData[], receivedAt: string): void;
  status: UpstreamStreamListener['status'];
  refused(problem: UpstreamStreamProblem): void;
}

/** One upstream socket as a feed holds it: told the whole wanted set, closed cleanly. */
export interface FeedUpstream {
  update(wanted: FeedSubscription): void;
  close(): Promise<void>;
}

/**
 * Opens the upstream of a feed stream through the right port: market data through
 * MarketStreamPort, an orders stream through TradeUpdatesPort with its account's keys (which has
 * nothing to subscribe to beyond `trade_updates`: its `update` is a no-op; the feed opens it while
 * the account is wanted).
 * A socket is shared and outlives whatever opened it (often an SSE request's subscribe): it is
 * opened outside any request's scope, else its handshakes, reconnects and their timers would carry
 * that request's id on every later log line.
 */
@Injectable()
export class FeedUpstreams {
  constructor(
    private readonly market: MarketStreamPort,
    private readonly tradeUpdates: TradeUpdatesPort,
  ) {}

  open(stream: FeedStream, listener: FeedUpstreamListener): FeedUpstream {
    return runOutsideScope(() => this.openUnscoped(stream, listener));
  }

  private openUnscoped(stream: FeedStream, listener: FeedUpstreamListener): FeedUpstream {
    if (!isOrdersStream(stream)) return this.market.open(stream, listener);
    const upstream = this.tradeUpdates.open(accountOfStream(stream), {
      data: (updates, receivedAt) =>
        listener.data(
          updates.map((data) => ({ type: 'order_update', symbol: data.symbol, data })),
          receivedAt,
        ),
      status: (status, info) => listener.status(status, info),
    });
    return { update: () => undefined, close: () => upstream.close() };
  }
}
