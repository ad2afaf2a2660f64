import type { Redis } from 'ioredis';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import { fleetKeys, parseRelay, type Relay } from './fleet-wire.js';
import type { FeedStream } from './stream-feed.js';

/**
 * The leader publishes every upstream frame once on a Redis pub/sub channel per stream, and every
 * instance, the leader included, receives it on its own subscriber connection. Pub/sub rather
 * than Redis streams: a tick is worth nothing late, a missed interval is reported as a `gap`
 * (clients refetch a REST snapshot), and pub/sub adds no storage or trimming.
 */
export class FleetRelay {
  private subscriber: Redis | null = null;

  constructor(
    private readonly redis: () => Redis,
    private readonly logger: WinstonLogger,
    /** Every stream of the feed (the configured accounts' orders streams among them). */
    private readonly streams: readonly FeedStream[],
  ) {}

  /** Subscribes to every stream's channel; `failed` hears a subscribe that did not go through. */
  start(received: (endpoint: FeedStream, relay: Relay) => void, failed: (e: unknown) => void): void {
    const sub = this.redis().duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
    this.subscriber = sub;
    sub.on('error', (e: Error) => this.logger.event('debug', 'stream_relay_redis_error', { error: e.message }));
    sub.on('message', (channel: string, text: string) => this.receive(channel, text, received));
    // Queued until connected; ioredis subscribes again by itself after every reconnect.
    sub.subscribe(...this.streams.map(fleetKeys.channel)).catch(failed);
  }

  publish(endpoint: FeedStream, relay: Relay): Promise<unknown> {
    return this.redis().publish(fleetKeys.channel(endpoint), JSON.stringify(relay));
  }

  close(): void {
    this.subscriber?.disconnect();
  }

  private receive(channel: string, text: string, received: (endpoint: FeedStream, relay: Relay) => void): void {
    const endpoint = this.streams.find((e) => fleetKeys.channel(e) === channel);
    if (endpoint === undefined) return;
    const relay = parseRelay(text);
    if (relay === null) {
      this.logger.event('warn', 'stream_relay_unreadable', { length: text.length });
      return;
    }
    received(endpoint, relay);
  }
}
