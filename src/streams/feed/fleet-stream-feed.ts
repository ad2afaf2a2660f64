import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { UpstreamStreamProblem, UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import { AppConfig } from '../../core/config/app-config.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { RedisService } from '../../core/redis/redis.service.js';
import { FeedUpstreams, type FeedUpstream } from './feed-upstreams.js';
import { LocalStreamFeed } from './local-stream-feed.js';
import { FEED_CHANNELS, FEED_STREAMS, isEmpty, StreamFeed, type FeedData, type FeedListener, type FeedStream, type FeedSubscription, type StatusInfo } from './stream-feed.js';
import { StreamMetrics } from '../stream-metrics.js';

const ENDPOINTS = FEED_STREAMS;
const PREFIX = 'opitios:stream:';
/** The leader renews every RENEW_MS a lease of LEASE_MS; followers try to take it every RENEW_MS. */
export const LEASE_MS = 5000;
const RENEW_MS = 1000;
/** An instance's wanted symbols expire unless re-published within this long (its heartbeat). */
const WANTS_TTL_MS = 6000;
/**
 * Heartbeat work failing for less than this since the last good heartbeat is a blip (a command
 * past its 250 ms timeout, a stalled event loop): the next heartbeat tries again. Longer, the relay
 * is down. A leader then lets its socket go at most RELAY_GRACE_MS + RENEW_MS after its last
 * renewal, well inside its lease (LEASE_MS), so two sockets still never overlap; and one slow
 * command no longer turns the whole fleet's streams over (a gap for every client, sockets closed
 * and reopened). A relayed frame that could not be published is never a blip: it is data lost.
 */
const RELAY_GRACE_MS = 2000;

/** Renew only our own lease (compare-and-expire); release only our own lease (compare-and-delete). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

type Wanted = Partial<Record<string, string[]>>;
interface WantsEntry {
  at: number;
  wanted: Wanted;
}
type Relay =
  | { kind: 'data'; leader: string; receivedAt: string; messages: FeedData[] }
  | { kind: 'status'; leader: string; status: UpstreamStreamStatus; info: StatusInfo }
  | { kind: 'refused'; leader: string; problem: UpstreamStreamProblem }
  | { kind: 'wants'; from: string };

interface Endpoint {
  /** This instance's own union. */
  local: FeedSubscription;
  /** Every live instance's union, as last read from Redis (this one's included). */
  fleet: Map<string, Wanted>;
  leading: boolean;
  upstream: FeedUpstream | null;
  linger: NodeJS.Timeout | null;
  leader: string | null;
  lastDataAt: string | null;
  /** Since when this instance has had no relayed data it can vouch for (leader change, Redis down). */
  interruptedFrom: string | null;
  interruptedWhy: string | null;
}

const keys = {
  lease: (e: FeedStream): string => `${PREFIX}{${e}}:leader`,
  wants: (e: FeedStream): string => `${PREFIX}{${e}}:wants`,
  channel: (e: FeedStream): string => `${PREFIX}${e}:relay`,
};

function toWanted(s: FeedSubscription): Wanted {
  const out: Wanted = {};
  for (const [channel, set] of Object.entries(s)) if (set !== undefined && set.size > 0) out[channel] = [...set];
  return out;
}

/**
 * One Alpaca socket per endpoint for the whole fleet (REDIS_URL set). Leadership is a lease per
 * endpoint in Redis (SET NX PX, renewed by compare-and-expire well before it lapses, released on
 * shutdown); only the leader opens the upstream socket. It publishes every upstream frame once on
 * a Redis pub/sub channel, and every instance, the leader included, hands it to its own clients.
 * Pub/sub rather than Redis streams: a tick is worth nothing late, a missed interval is reported
 * as a `gap` (clients refetch a REST snapshot), and pub/sub adds no storage or trimming.
 *
 * Each instance publishes its clients' union per endpoint with a timestamp (its heartbeat, every
 * RENEW_MS); entries older than WANTS_TTL_MS (an instance that died) are ignored and removed. The
 * leader subscribes upstream to the union of the live entries. A leader that cannot renew (Redis
 * unreachable) closes its socket before its lease can lapse, so two leaders never both hold a
 * socket; followers take the lease once it lapses (within LEASE_MS + RENEW_MS of a SIGKILL).
 * Without Redis, clients get UPSTREAM_STREAM_UNAVAILABLE and, once data flows again, a `gap`.
 */
@Injectable()
export class FleetStreamFeed extends StreamFeed {
  readonly instanceId = `gw-${randomUUID()}`;
  private readonly endpoints: Record<FeedStream, Endpoint>;
  private listener: FeedListener | null = null;
  private subscriber: Redis | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private redisDown = false;
  /** When the last heartbeat went through (Redis answered every command of it). */
  private lastHeartbeatAt = Date.now();
  /** STREAM_FALLBACK_LOCAL: this instance's own sockets while Redis is away. */
  private fallback: LocalStreamFeed | null = null;

  constructor(
    private readonly upstreamsOf: FeedUpstreams,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    private readonly metrics: StreamMetrics,
  ) {
    super();
    const fresh = (): Endpoint => ({
      local: {}, fleet: new Map(), leading: false, upstream: null, linger: null, leader: null, lastDataAt: null, interruptedFrom: null, interruptedWhy: null,
    });
    this.endpoints = { stocks: fresh(), options: fresh(), orders: fresh() };
  }

  private get client(): Redis {
    const c = this.redis.client();
    if (c === null) throw new Error('FleetStreamFeed needs REDIS_URL');
    return c;
  }

  start(listener: FeedListener): void {
    this.listener = listener;
    const sub = this.client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
    this.subscriber = sub;
    sub.on('error', (e: Error) => this.logger.event('debug', 'stream_relay_redis_error', { error: e.message }));
    sub.on('message', (channel: string, text: string) => this.onRelay(channel, text));
    // Queued until connected; ioredis subscribes again by itself after every reconnect.
    sub.subscribe(...ENDPOINTS.map(keys.channel)).catch((e: unknown) => this.redisFailed(e, 'blip'));
    this.timer = setInterval(() => void this.tick(), RENEW_MS);
    this.timer.unref();
  }

  want(endpoint: FeedStream, wanted: FeedSubscription): void {
    const e = this.endpoints[endpoint];
    e.local = wanted;
    e.fleet.set(this.instanceId, toWanted(wanted));
    this.fallback?.want(endpoint, wanted);
    this.listener?.streamed(endpoint, this.union(endpoint));
    this.publishWants(endpoint, true)
      .then(() => this.refresh(endpoint))
      .catch((e: unknown) => this.redisFailed(e, 'blip'));
  }

  /** The fleet's wants read again; the leader applies them upstream at once. */
  private async refresh(endpoint: FeedStream): Promise<void> {
    await this.readWants(endpoint);
    if (this.endpoints[endpoint].leading) this.applyUpstream(endpoint);
  }

  otherSymbols(endpoint: FeedStream): ReadonlySet<string> {
    const out = new Set<string>();
    for (const [id, wanted] of this.endpoints[endpoint].fleet) {
      if (id === this.instanceId) continue;
      for (const list of Object.values(wanted)) for (const s of list ?? []) out.add(s);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.fallback?.close();
    await Promise.all(
      ENDPOINTS.map(async (endpoint) => {
        const e = this.endpoints[endpoint];
        await this.stepDown(endpoint, 'shutdown');
        try {
          await this.client.hdel(keys.wants(endpoint), this.instanceId);
          if (e.leading) await this.client.eval(RELEASE, 1, keys.lease(endpoint), this.instanceId);
        } catch (err: unknown) {
          this.logger.event('warn', 'stream_lease_release_failed', { stream: endpoint, error: err instanceof Error ? err.message : String(err) });
        }
        e.leading = false;
      }),
    );
    this.subscriber?.disconnect();
  }

  // ---- the heartbeat: wants, lease, leader's upstream ----

  private async tick(): Promise<void> {
    if (this.closing) return;
    try {
      for (const endpoint of ENDPOINTS) {
        await this.publishWants(endpoint);
        await this.readWants(endpoint);
      }
      // Redis answers again: the fallback sockets (if any) close before a fleet socket may open.
      if (this.redisDown) this.redisBack();
      for (const endpoint of ENDPOINTS) await this.lead(endpoint);
      this.lastHeartbeatAt = Date.now();
    } catch (e: unknown) {
      this.redisFailed(e, 'blip');
    }
  }

  /** Rewrites this instance's entry (the heartbeat); `notify` tells the fleet it changed. */
  private async publishWants(endpoint: FeedStream, notify = false): Promise<void> {
    const e = this.endpoints[endpoint];
    const entry: WantsEntry = { at: Date.now(), wanted: toWanted(e.local) };
    if (isEmpty(e.local)) await this.client.hdel(keys.wants(endpoint), this.instanceId);
    else await this.client.hset(keys.wants(endpoint), this.instanceId, JSON.stringify(entry));
    if (notify) await this.client.publish(keys.channel(endpoint), JSON.stringify({ kind: 'wants', from: this.instanceId } satisfies Relay));
  }

  private async readWants(endpoint: FeedStream): Promise<void> {
    const e = this.endpoints[endpoint];
    const all = await this.client.hgetall(keys.wants(endpoint));
    const now = Date.now();
    const fleet = new Map<string, Wanted>();
    const expired: string[] = [];
    for (const [id, text] of Object.entries(all)) {
      const entry = JSON.parse(text) as WantsEntry;
      if (now - entry.at > WANTS_TTL_MS) expired.push(id);
      else fleet.set(id, entry.wanted);
    }
    if (!isEmpty(e.local)) fleet.set(this.instanceId, toWanted(e.local));
    // A dead instance's symbols leave the union (only the leader tidies, so one writer deletes).
    if (expired.length > 0 && e.leading) await this.client.hdel(keys.wants(endpoint), ...expired);
    e.fleet = fleet;
    this.listener?.streamed(endpoint, this.union(endpoint));
  }

  /** The fleet union, capped at the plan's symbol limit (instances refuse beyond it; a race may still pass it). */
  private union(endpoint: FeedStream): FeedSubscription {
    const out: Partial<Record<string, Set<string>>> = {};
    const counted = new Set<string>();
    const max = this.config.stream.maxUpstreamSymbols;
    const entries = [...this.endpoints[endpoint].fleet.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    for (const channel of FEED_CHANNELS[endpoint]) {
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

  private async lead(endpoint: FeedStream): Promise<void> {
    const e = this.endpoints[endpoint];
    const lease = keys.lease(endpoint);
    if (e.leading) {
      const renewed = (await this.client.eval(RENEW, 1, lease, this.instanceId, String(LEASE_MS))) as number;
      if (renewed !== 1) {
        this.logger.event('warn', 'stream_leadership_lost', { stream: endpoint });
        await this.stepDown(endpoint, 'lease_lost');
        e.leading = false;
        this.listener?.leadership(endpoint, false);
      }
    } else {
      const taken = await this.client.set(lease, this.instanceId, 'PX', LEASE_MS, 'NX');
      if (taken === 'OK') {
        e.leading = true;
        this.listener?.leadership(endpoint, true);
        this.logger.event('info', 'stream_leadership_taken', { stream: endpoint, instance: this.instanceId });
      } else {
        this.noticeLeader(endpoint, await this.client.get(lease));
      }
    }
    if (e.leading) {
      this.noticeLeader(endpoint, this.instanceId);
      this.applyUpstream(endpoint);
    }
  }

  /** A new leader (or none): until it says `live`, this instance cannot vouch for continuity. */
  private noticeLeader(endpoint: FeedStream, leader: string | null): void {
    const e = this.endpoints[endpoint];
    if (leader === e.leader) return;
    if (leader !== null) this.metrics.leaseChanged(endpoint);
    if (e.leader !== null && e.interruptedFrom === null) {
      e.interruptedFrom = e.lastDataAt ?? new Date().toISOString();
      e.interruptedWhy = 'leader_failover';
    }
    e.leader = leader;
  }

  private applyUpstream(endpoint: FeedStream): void {
    const e = this.endpoints[endpoint];
    const union = this.union(endpoint);
    if (isEmpty(union)) {
      if (e.upstream !== null && e.linger === null) {
        e.upstream.update(union);
        e.linger = setTimeout(() => {
          e.linger = null;
          void this.stepDown(endpoint, 'unused');
        }, this.config.stream.upstreamLingerMs);
        e.linger.unref();
      }
      return;
    }
    if (e.linger !== null) {
      clearTimeout(e.linger);
      e.linger = null;
    }
    e.upstream ??= this.openUpstream(endpoint);
    e.upstream.update(union);
  }

  private openUpstream(endpoint: FeedStream): FeedUpstream {
    this.logger.event('info', 'stream_upstream_open', { stream: endpoint, leader: this.instanceId });
    const publish = (relay: Relay): void => {
      this.client.publish(keys.channel(endpoint), JSON.stringify(relay)).catch((err: unknown) => this.redisFailed(err));
    };
    return this.upstreamsOf.open(endpoint, {
      data: (messages, receivedAt) => {
        // Once per upstream message, here on the leader that read it; every instance gets the relay.
        this.listener?.read(endpoint, messages, receivedAt);
        publish({ kind: 'data', leader: this.instanceId, receivedAt, messages: [...messages] });
      },
      status: (status, info) => publish({ kind: 'status', leader: this.instanceId, status, info }),
      refused: (problem) => publish({ kind: 'refused', leader: this.instanceId, problem }),
    });
  }

  private async stepDown(endpoint: FeedStream, why: string): Promise<void> {
    const e = this.endpoints[endpoint];
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

  // ---- what the relay brings to every instance ----

  private onRelay(channel: string, text: string): void {
    const endpoint = ENDPOINTS.find((e) => keys.channel(e) === channel);
    if (endpoint === undefined) return;
    let relay: Relay;
    try {
      relay = JSON.parse(text) as Relay;
    } catch {
      this.logger.event('warn', 'stream_relay_unreadable', { length: text.length });
      return;
    }
    const e = this.endpoints[endpoint];
    if (relay.kind === 'wants') {
      if (relay.from !== this.instanceId) this.refresh(endpoint).catch((err: unknown) => this.redisFailed(err, 'blip'));
      return;
    }
    // Whoever relays is the leader: a different one than before means this instance may have missed data.
    this.noticeLeader(endpoint, relay.leader);
    switch (relay.kind) {
      case 'data':
        if (e.interruptedFrom !== null) this.onLeaderStatus(endpoint, 'live', {});
        e.lastDataAt = relay.receivedAt;
        this.metrics.relayed(Date.now() - Date.parse(relay.receivedAt));
        this.listener?.data(endpoint, relay.messages, relay.receivedAt);
        return;
      case 'refused':
        this.listener?.refused(endpoint, relay.problem);
        return;
      case 'status':
        this.onLeaderStatus(endpoint, relay.status, relay.info);
    }
  }

  private onLeaderStatus(endpoint: FeedStream, status: UpstreamStreamStatus, info: StatusInfo): void {
    const e = this.endpoints[endpoint];
    if (status === 'closed') return;
    let shown = info;
    if (status === 'live' && e.interruptedFrom !== null) {
      // Data flows again after a leader change or a relay outage: the interval this instance missed.
      shown = { gap: { from: info.gap?.from ?? e.interruptedFrom, to: info.gap?.to ?? new Date().toISOString(), reason: info.gap?.reason ?? e.interruptedWhy ?? 'leader_failover' } };
      e.interruptedFrom = null;
      e.interruptedWhy = null;
    }
    this.listener?.status(endpoint, status, shown);
  }

  /** `blip`: heartbeat-like work, retried by the next heartbeat, so a failure within RELAY_GRACE_MS is let pass. */
  private redisFailed(e: unknown, tolerance: 'blip' | 'none' = 'none'): void {
    if (this.closing) return;
    if (tolerance === 'blip' && !this.redisDown && Date.now() - this.lastHeartbeatAt < RELAY_GRACE_MS) {
      this.logger.event('debug', 'stream_relay_blip', { error: e instanceof Error ? e.message : String(e), since_heartbeat_ms: Date.now() - this.lastHeartbeatAt });
      return;
    }
    const first = !this.redisDown;
    this.redisDown = true;
    if (first) this.logger.event('error', 'stream_relay_unavailable', { error: e instanceof Error ? e.message : String(e), fallback_local: this.config.stream.fallbackLocal });
    const fallBack = first && this.config.stream.fallbackLocal;
    for (const endpoint of ENDPOINTS) {
      const ep = this.endpoints[endpoint];
      // A leader that cannot renew must not keep a socket another instance may soon open too.
      if (ep.leading) {
        ep.leading = false;
        this.listener?.leadership(endpoint, false);
        void this.stepDown(endpoint, 'relay_unavailable');
      }
      ep.interruptedFrom ??= ep.lastDataAt ?? new Date().toISOString();
      ep.interruptedWhy = 'relay_unavailable';
      ep.leader = null;
      if (first && !isEmpty(ep.local) && !fallBack && this.fallback === null) {
        this.listener?.status(endpoint, 'failed', {
          problem: { code: 'UPSTREAM_STREAM_UNAVAILABLE', message: "The fleet's stream relay (Redis) is unreachable; data resumes with a gap message.", details: { relay: 'redis' } },
        });
      }
    }
    // After the fleet sockets were let go (the stream client opens a socket only once the old one closed).
    if (fallBack) this.startFallback();
  }

  private redisBack(): void {
    this.redisDown = false;
    this.logger.event('info', 'stream_relay_restored', {});
    const fallback = this.fallback;
    if (fallback === null) return;
    // Back to the fleet's socket: what the local one delivered last is where continuity ends.
    this.fallback = null;
    for (const endpoint of ENDPOINTS) {
      const ep = this.endpoints[endpoint];
      ep.interruptedFrom ??= ep.lastDataAt ?? new Date().toISOString();
      ep.interruptedWhy = 'relay_restored';
    }
    void fallback.close();
  }

  /** While Redis is away: this instance's own sockets, its clients' union only; a gap when data flows. */
  private startFallback(): void {
    const local = new LocalStreamFeed(this.upstreamsOf, this.config, this.logger);
    this.fallback = local;
    local.start({
      data: (endpoint, messages, receivedAt) => {
        if (this.fallback !== local) return;
        const ep = this.endpoints[endpoint];
        if (ep.interruptedFrom !== null) this.onLeaderStatus(endpoint, 'live', {});
        ep.lastDataAt = receivedAt;
        this.listener?.data(endpoint, messages, receivedAt);
      },
      read: (endpoint, messages, receivedAt) => {
        if (this.fallback === local) this.listener?.read(endpoint, messages, receivedAt);
      },
      status: (endpoint, status, info) => {
        if (this.fallback === local) this.onLeaderStatus(endpoint, status, info);
      },
      refused: (endpoint, problem) => this.listener?.refused(endpoint, problem),
      streamed: (endpoint, union) => this.listener?.streamed(endpoint, union),
      leadership: () => undefined,
    });
    for (const endpoint of ENDPOINTS) local.want(endpoint, this.endpoints[endpoint].local);
  }
}
