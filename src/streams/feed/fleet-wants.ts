import type { Redis } from 'ioredis';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type { Clock } from '../../core/time/clock.js';
import { fleetKeys, parseWantsEntry, type Wanted, type WantsEntry } from './fleet-wire.js';
import { channelsOf, isEmpty, PerStream, type FeedStream, type FeedSubscription } from './stream-feed.js';

/** An instance's wanted symbols expire unless re-published within this long (its heartbeat). */
const WANTS_TTL_MS = 6000;

function toWanted(s: FeedSubscription): Wanted {
  const out: Wanted = {};
  for (const [channel, set] of Object.entries(s)) if (set !== undefined && set.size > 0) out[channel] = [...set];
  return out;
}

/**
 * Which symbols each instance wants, per stream: a Redis hash of instance → its clients' union
 * with a timestamp (its heartbeat, every RENEW_MS); entries older than WANTS_TTL_MS (an instance
 * that died) are ignored and removed. The leader subscribes upstream to the union of the live
 * entries.
 */
export class FleetWants {
  /** This instance's own union, per stream. */
  private readonly local = new PerStream<FeedSubscription>(() => ({}));
  /** Every live instance's union, as last read from Redis (this one's included). */
  private readonly fleet = new PerStream<Map<string, Wanted>>(() => new Map());
  /** Entries found unreadable (stream and instance), logged once until they read again. */
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly redis: () => Redis,
    private readonly instanceId: string,
    private readonly maxSymbols: number,
    private readonly clock: Clock,
    private readonly logger: WinstonLogger,
  ) {}

  localOf(endpoint: FeedStream): FeedSubscription {
    return this.local.of(endpoint);
  }

  /** This instance's union changed (the fleet's copy of it too, before Redis is told). */
  setLocal(endpoint: FeedStream, wanted: FeedSubscription): void {
    this.local.set(endpoint, wanted);
    this.fleet.of(endpoint).set(this.instanceId, toWanted(wanted));
  }

  /** Rewrites this instance's entry (the heartbeat). */
  async publish(endpoint: FeedStream): Promise<void> {
    const local = this.local.of(endpoint);
    const entry: WantsEntry = { at: this.clock.now(), wanted: toWanted(local) };
    if (isEmpty(local)) await this.redis().hdel(fleetKeys.wants(endpoint), this.instanceId);
    else await this.redis().hset(fleetKeys.wants(endpoint), this.instanceId, JSON.stringify(entry));
  }

  /** The fleet's entries read again; while `tidy()` (the leader), the expired ones are deleted. */
  async read(endpoint: FeedStream, tidy: () => boolean): Promise<void> {
    const all = await this.redis().hgetall(fleetKeys.wants(endpoint));
    const now = this.clock.now();
    const fleet = new Map<string, Wanted>();
    const expired: string[] = [];
    for (const [id, text] of Object.entries(all)) {
      const entry = this.readable(endpoint, id, text);
      if (entry === null) continue;
      if (now - entry.at > WANTS_TTL_MS) expired.push(id);
      else fleet.set(id, entry.wanted);
    }
    const local = this.local.of(endpoint);
    if (!isEmpty(local)) fleet.set(this.instanceId, toWanted(local));
    // A dead instance's symbols leave the union (only the leader tidies, so one writer deletes).
    if (expired.length > 0 && tidy()) await this.redis().hdel(fleetKeys.wants(endpoint), ...expired);
    this.fleet.set(endpoint, fleet);
  }

  /** Shutdown: this instance's entry goes. */
  async remove(endpoint: FeedStream): Promise<void> {
    await this.redis().hdel(fleetKeys.wants(endpoint), this.instanceId);
  }

  /** The fleet union, capped at the plan's symbol limit (instances refuse beyond it; a race may still pass it). */
  union(endpoint: FeedStream): FeedSubscription {
    const out: Partial<Record<string, Set<string>>> = {};
    const counted = new Set<string>();
    const max = this.maxSymbols;
    const entries = [...this.fleet.of(endpoint).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const channel of channelsOf(endpoint)) {
      for (const [, wanted] of entries) {
        for (const symbol of wanted[channel] ?? []) {
          if (!counted.has(symbol) && counted.size >= max) continue;
          counted.add(symbol);
          (out[channel] ??= new Set()).add(symbol);
        }
      }
    }
    return out;
  }

  otherSymbols(endpoint: FeedStream): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [id, wanted] of this.fleet.of(endpoint)) {
      if (id === this.instanceId) continue;
      for (const list of Object.values(wanted)) for (const s of list ?? []) out.add(s);
    }
    return out;
  }

  /** The entry, or null (dropped, logged the first time) when it is not one. */
  private readable(endpoint: FeedStream, id: string, text: string): WantsEntry | null {
    const entry = parseWantsEntry(text);
    const key = `${endpoint} ${id}`;
    if (entry !== null) {
      this.unreadable.delete(key);
      return entry;
    }
    if (!this.unreadable.has(key)) {
      this.unreadable.add(key);
      this.logger.event('warn', 'stream_relay_unreadable', { length: text.length, stream: endpoint, wants_of: id });
    }
    return null;
  }
}
