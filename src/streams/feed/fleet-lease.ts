import type { Redis } from 'ioredis';
import { fleetKeys } from './fleet-wire.js';
import type { FeedStream } from './stream-feed.js';

/** The leader renews every RENEW_MS a lease of LEASE_MS; followers try to take it every RENEW_MS. */
const LEASE_MS = 5000;
export const RENEW_MS = 1000;

/** Renew only our own lease (compare-and-expire); release only our own lease (compare-and-delete). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Which instance holds each stream's upstream socket: a lease per stream in Redis (SET NX PX,
 * renewed by compare-and-expire well before it lapses, released on shutdown). What this instance
 * does on taking or losing it (opening, closing the socket) is the feed's.
 */
export class FleetLease {
  private readonly held = new Set<FeedStream>();

  constructor(
    private readonly redis: () => Redis,
    private readonly instanceId: string,
  ) {}

  /** Whether this instance holds the stream's lease, as far as it knows. */
  holds(endpoint: FeedStream): boolean {
    return this.held.has(endpoint);
  }

  /** Extends our own lease; false when it is no longer ours (it lapsed, or another instance took it). */
  async renew(endpoint: FeedStream): Promise<boolean> {
    const renewed = (await this.redis().eval(
      RENEW,
      1,
      fleetKeys.lease(endpoint),
      this.instanceId,
      String(LEASE_MS),
    )) as number;
    return renewed === 1;
  }

  /** Takes the lease if nobody holds it. */
  async take(endpoint: FeedStream): Promise<boolean> {
    const taken = await this.redis().set(fleetKeys.lease(endpoint), this.instanceId, 'PX', LEASE_MS, 'NX');
    if (taken !== 'OK') return false;
    this.held.add(endpoint);
    return true;
  }

  /** The instance holding the lease (none: null). */
  holder(endpoint: FeedStream): Promise<string | null> {
    return this.redis().get(fleetKeys.lease(endpoint));
  }

  /** This instance no longer counts itself the holder (Redis is not told: the lease lapses, or was lost). */
  drop(endpoint: FeedStream): void {
    this.held.delete(endpoint);
  }

  /** Shutdown: our own lease deleted, so another instance takes the stream at once. */
  async release(endpoint: FeedStream): Promise<void> {
    if (this.held.has(endpoint)) await this.redis().eval(RELEASE, 1, fleetKeys.lease(endpoint), this.instanceId);
  }
}
