import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { FeedUpstreams, type FeedUpstream } from './feed-upstreams.js';
import { isEmpty, StreamFeed, type FeedListener, type FeedStream, type FeedSubscription } from './stream-feed.js';

interface Upstream {
  stream: FeedUpstream;
  linger: NodeJS.Timeout | null;
}

const NO_SYMBOLS: ReadonlySet<string> = new Set();

/**
 * This instance's own Alpaca sockets: at most one per stream (stocks, options, orders), opened on the first wanted symbol,
 * told the whole union on every change (the stream client sends Alpaca only the differences),
 * closed STREAM_UPSTREAM_LINGER_MS after the union empties.
 */
@Injectable()
export class LocalStreamFeed extends StreamFeed {
  private readonly upstreams = new Map<FeedStream, Upstream>();
  private listener: FeedListener | null = null;
  private closed = false;

  constructor(
    private readonly upstreamsOf: FeedUpstreams,
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
  ) {
    super();
  }

  start(listener: FeedListener): void {
    this.listener = listener;
  }

  want(endpoint: FeedStream, wanted: FeedSubscription): void {
    this.listener?.streamed(endpoint, wanted);
    let up = this.upstreams.get(endpoint);
    if (isEmpty(wanted)) {
      if (up !== undefined) {
        up.stream.update(wanted);
        this.scheduleClose(endpoint, up);
      }
      return;
    }
    if (up === undefined) {
      if (this.closed) return;
      up = { stream: this.open(endpoint), linger: null };
      this.upstreams.set(endpoint, up);
      this.listener?.status(endpoint, 'connecting', {});
    }
    if (up.linger !== null) {
      clearTimeout(up.linger);
      up.linger = null;
    }
    up.stream.update(wanted);
  }

  otherSymbols(): ReadonlySet<string> {
    return NO_SYMBOLS;
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing: Array<Promise<void>> = [];
    for (const up of this.upstreams.values()) {
      if (up.linger !== null) clearTimeout(up.linger);
      closing.push(up.stream.close());
    }
    this.upstreams.clear();
    await Promise.all(closing);
  }

  private scheduleClose(endpoint: FeedStream, up: Upstream): void {
    if (up.linger !== null) return;
    up.linger = setTimeout(() => {
      up.linger = null;
      this.upstreams.delete(endpoint);
      this.listener?.status(endpoint, 'closed', {});
      void up.stream.close();
    }, this.config.stream.upstreamLingerMs);
    up.linger.unref();
  }

  private open(endpoint: FeedStream): FeedUpstream {
    this.logger.event('info', 'stream_upstream_open', { stream: endpoint });
    return this.upstreamsOf.open(endpoint, {
      data: (messages, receivedAt) => {
        // This instance read them itself: it does the once-per-message work too.
        this.listener?.read(endpoint, messages, receivedAt);
        this.listener?.data(endpoint, messages, receivedAt);
      },
      status: (status, info) => this.listener?.status(endpoint, status, info),
      refused: (problem) => this.listener?.refused(endpoint, problem),
    });
  }
}
