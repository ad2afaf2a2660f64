import type { UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import type { AppConfig } from '../../core/config/app-config.js';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { FeedUpstreams } from './feed-upstreams.js';
import type { FleetContinuity } from './fleet-continuity.js';
import { LocalStreamFeed } from './local-stream-feed.js';
import {
  feedStreams,
  type FeedListener,
  type FeedStream,
  type FeedSubscription,
  type StatusInfo,
} from './stream-feed.js';

/** STREAM_FALLBACK_LOCAL: this instance's own sockets while Redis is away (for FleetStreamFeed). */
export class FleetFallback {
  private fallback: LocalStreamFeed | null = null;

  constructor(
    private readonly upstreamsOf: FeedUpstreams,
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    private readonly continuity: FleetContinuity,
    private readonly listener: () => FeedListener | null,
    private readonly onLeaderStatus: (endpoint: FeedStream, status: UpstreamStreamStatus, info: StatusInfo) => void,
  ) {}

  get active(): boolean {
    return this.fallback !== null;
  }

  want(endpoint: FeedStream, wanted: FeedSubscription): void {
    this.fallback?.want(endpoint, wanted);
  }

  async close(): Promise<void> {
    await this.fallback?.close();
  }

  /** While Redis is away: this instance's own sockets, its clients' union only; a gap when data flows. */
  start(localOf: (endpoint: FeedStream) => FeedSubscription): void {
    const local = new LocalStreamFeed(this.upstreamsOf, this.config, this.logger);
    this.fallback = local;
    local.start({
      data: (endpoint, messages, receivedAt) => {
        if (this.fallback !== local) return;
        if (this.continuity.interrupted(endpoint)) this.onLeaderStatus(endpoint, 'live', {});
        this.continuity.dataAt(endpoint, receivedAt);
        this.listener()?.data(endpoint, messages, receivedAt);
      },
      read: (endpoint, messages, receivedAt) => {
        if (this.fallback === local) this.listener()?.read(endpoint, messages, receivedAt);
      },
      status: (endpoint, status, info) => {
        if (this.fallback === local) this.onLeaderStatus(endpoint, status, info);
      },
      refused: (endpoint, problem) => this.listener()?.refused(endpoint, problem),
      streamed: (endpoint, union) => this.listener()?.streamed(endpoint, union),
      leadership: () => undefined,
    });
    for (const endpoint of feedStreams(this.config.accounts)) local.want(endpoint, localOf(endpoint));
  }

  /** Redis is back: the local sockets (if any) close. */
  stop(): void {
    const fallback = this.fallback;
    if (fallback === null) return;
    // Back to the fleet's socket: what the local one delivered last is where continuity ends.
    this.fallback = null;
    for (const endpoint of feedStreams(this.config.accounts)) this.continuity.interrupt(endpoint, 'relay_restored');
    void fallback.close();
  }
}
