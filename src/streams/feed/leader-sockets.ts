import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { FeedUpstream } from './feed-upstreams.js';
import { isEmpty, PerStream, type FeedStream, type FeedSubscription } from './stream-feed.js';

/** The leader's upstream socket for a stream, and its linger after the fleet's union empties. */
interface Endpoint {
  upstream: FeedUpstream | null;
  linger: NodeJS.Timeout | null;
}

/**
 * The upstream sockets this instance holds as the fleet's leader: opened on the first wanted
 * symbol, told the fleet's whole union, closed STREAM_UPSTREAM_LINGER_MS after it empties, or at
 * once when the lease goes.
 */
export class LeaderSockets {
  private readonly endpoints = new PerStream<Endpoint>(() => ({ upstream: null, linger: null }));

  constructor(
    private readonly open: (endpoint: FeedStream) => FeedUpstream,
    private readonly lingerMs: number,
    private readonly logger: WinstonLogger,
  ) {}

  /** The fleet's union applied upstream (the socket opened, updated, or set to close). */
  apply(endpoint: FeedStream, union: FeedSubscription): void {
    const e = this.endpoints.of(endpoint);
    if (isEmpty(union)) {
      if (e.upstream !== null && e.linger === null) {
        e.upstream.update(union);
        e.linger = setTimeout(() => {
          e.linger = null;
          void this.stepDown(endpoint, 'unused');
        }, this.lingerMs);
        e.linger.unref();
      }
      return;
    }
    if (e.linger !== null) {
      clearTimeout(e.linger);
      e.linger = null;
    }
    e.upstream ??= this.open(endpoint);
    e.upstream.update(union);
  }

  async stepDown(endpoint: FeedStream, why: string): Promise<void> {
    const e = this.endpoints.of(endpoint);
    if (e.linger !== null) {
      clearTimeout(e.linger);
      e.linger = null;
    }
    const upstream = e.upstream;
    e.upstream = null;
    if (upstream !== null) {
      this.logger.event('info', 'stream_upstream_close', { stream: endpoint, why });
      await upstream.close();
    }
  }
}
