import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import { AppConfig } from '../../core/config/app-config.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { RedisService } from '../../core/redis/redis.service.js';
import { Clock } from '../../core/time/clock.js';
import { FeedUpstreams, type FeedUpstream } from './feed-upstreams.js';
import { FleetLease, RENEW_MS } from './fleet-lease.js';
import { FleetContinuity } from './fleet-continuity.js';
import { FleetFallback } from './fleet-fallback.js';
import { FleetRelay } from './fleet-relay.js';
import { FleetWants } from './fleet-wants.js';
import type { Relay } from './fleet-wire.js';
import { LeaderSockets } from './leader-sockets.js';
import {
  feedStreams,
  isEmpty,
  StreamFeed,
  type FeedListener,
  type FeedStream,
  type FeedSubscription,
  type StatusInfo,
} from './stream-feed.js';
import { StreamMetrics } from '../stream-metrics.js';

/**
 * Heartbeat work failing for less than this since the last good heartbeat is a blip (a command
 * past its 250 ms timeout, a stalled event loop): the next heartbeat tries again. Longer, the relay
 * is down. A leader then lets its socket go at most RELAY_GRACE_MS + RENEW_MS after its last
 * renewal, well inside its lease (LEASE_MS), so two sockets still never overlap; and one slow
 * command no longer turns the whole fleet's streams over (a gap for every client, sockets closed
 * and reopened). A relayed frame that could not be published is never a blip: it is data lost.
 */
const RELAY_GRACE_MS = 2000;

/**
 * One Alpaca socket per endpoint for the whole fleet (REDIS_URL set). Leadership is a lease per
 * endpoint in Redis (FleetLease); only the leader opens the upstream socket. It publishes every
 * upstream frame once through the relay (FleetRelay), and every instance, the leader included,
 * hands it to its own clients.
 *
 * Each instance publishes its clients' union per endpoint with a timestamp (FleetWants, its
 * heartbeat every RENEW_MS). A leader that cannot renew (Redis unreachable) closes its socket
 * before its lease can lapse, so two leaders never both hold a socket; followers take the lease
 * once it lapses (within LEASE_MS + RENEW_MS of a SIGKILL).
 * Without Redis, clients get UPSTREAM_STREAM_UNAVAILABLE and, once data flows again, a `gap`.
 */
@Injectable()
export class FleetStreamFeed extends StreamFeed {
  readonly instanceId = `gw-${randomUUID()}`;
  private readonly lease: FleetLease;
  private readonly wants: FleetWants;
  private readonly relay: FleetRelay;
  private readonly continuity: FleetContinuity;
  private readonly sockets: LeaderSockets;
  private listener: FeedListener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private redisDown = false;
  /** When the last heartbeat went through (Redis answered every command of it); from start(). */
  private lastHeartbeatAt = 0;
  /** STREAM_FALLBACK_LOCAL: this instance's own sockets while Redis is away. */
  private readonly fallback: FleetFallback;
  /** Stocks, options, and each configured account's orders stream. */
  private readonly endpoints: readonly FeedStream[];

  constructor(
    private readonly upstreamsOf: FeedUpstreams,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    private readonly metrics: StreamMetrics,
    private readonly clock: Clock,
  ) {
    super();
    const client = (): Redis => this.client;
    this.endpoints = feedStreams(config.accounts);
    this.lease = new FleetLease(client, this.instanceId);
    this.wants = new FleetWants(client, this.instanceId, config.stream.maxUpstreamSymbols, clock, logger);
    this.relay = new FleetRelay(client, logger, this.endpoints);
    this.continuity = new FleetContinuity(clock, metrics);
    this.sockets = new LeaderSockets((endpoint) => this.openUpstream(endpoint), config.stream.upstreamLingerMs, logger);
    this.fallback = new FleetFallback(
      upstreamsOf,
      config,
      logger,
      this.continuity,
      () => this.listener,
      (endpoint, status, info) => this.onLeaderStatus(endpoint, status, info),
    );
  }

  private get client(): Redis {
    const c = this.redis.client();
    if (c === null) throw new Error('FleetStreamFeed needs REDIS_URL');
    return c;
  }

  start(listener: FeedListener): void {
    this.listener = listener;
    this.lastHeartbeatAt = this.clock.now();
    this.relay.start(
      (endpoint, relay) => this.onRelay(endpoint, relay),
      (e) => this.redisFailed(e, 'blip'),
    );
    this.timer = setInterval(() => void this.tick(), RENEW_MS);
    this.timer.unref();
  }

  want(endpoint: FeedStream, wanted: FeedSubscription): void {
    this.wants.setLocal(endpoint, wanted);
    this.fallback.want(endpoint, wanted);
    this.listener?.streamed(endpoint, this.wants.union(endpoint));
    this.wants
      .publish(endpoint)
      .then(() => this.relay.publish(endpoint, { kind: 'wants', from: this.instanceId }))
      .then(() => this.refresh(endpoint))
      .catch((e: unknown) => this.redisFailed(e, 'blip'));
  }

  /** The fleet's wants read again; the leader applies them upstream at once. */
  private async refresh(endpoint: FeedStream): Promise<void> {
    await this.readWants(endpoint);
    if (this.lease.holds(endpoint)) this.sockets.apply(endpoint, this.wants.union(endpoint));
  }

  otherSymbols(endpoint: FeedStream): ReadonlySet<string> {
    return this.wants.otherSymbols(endpoint);
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.fallback.close();
    await Promise.all(
      this.endpoints.map(async (endpoint) => {
        await this.sockets.stepDown(endpoint, 'shutdown');
        try {
          await this.wants.remove(endpoint);
          await this.lease.release(endpoint);
        } catch (err: unknown) {
          this.logger.event('warn', 'stream_lease_release_failed', {
            stream: endpoint,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        this.lease.drop(endpoint);
      }),
    );
    this.relay.close();
  }

  // ---- the heartbeat: wants, lease, leader's upstream ----

  private async tick(): Promise<void> {
    if (this.closing) return;
    try {
      for (const endpoint of this.endpoints) {
        await this.wants.publish(endpoint);
        await this.readWants(endpoint);
      }
      // Redis answers again: the fallback sockets (if any) close before a fleet socket may open.
      if (this.redisDown) this.redisBack();
      for (const endpoint of this.endpoints) await this.lead(endpoint);
      this.lastHeartbeatAt = this.clock.now();
    } catch (e: unknown) {
      this.redisFailed(e, 'blip');
    }
  }

  private async readWants(endpoint: FeedStream): Promise<void> {
    await this.wants.read(endpoint, () => this.lease.holds(endpoint));
    this.listener?.streamed(endpoint, this.wants.union(endpoint));
  }

  private async lead(endpoint: FeedStream): Promise<void> {
    if (this.lease.holds(endpoint)) {
      if (!(await this.lease.renew(endpoint))) {
        this.logger.event('warn', 'stream_leadership_lost', { stream: endpoint });
        await this.sockets.stepDown(endpoint, 'lease_lost');
        this.lease.drop(endpoint);
        this.listener?.leadership(endpoint, false);
      }
    } else if (await this.lease.take(endpoint)) {
      this.listener?.leadership(endpoint, true);
      this.logger.event('info', 'stream_leadership_taken', { stream: endpoint, instance: this.instanceId });
    } else {
      this.continuity.noticeLeader(endpoint, await this.lease.holder(endpoint));
    }
    if (this.lease.holds(endpoint)) {
      this.continuity.noticeLeader(endpoint, this.instanceId);
      this.sockets.apply(endpoint, this.wants.union(endpoint));
    }
  }

  private openUpstream(endpoint: FeedStream): FeedUpstream {
    this.logger.event('info', 'stream_upstream_open', { stream: endpoint, leader: this.instanceId });
    const publish = (relay: Relay): void => {
      this.relay.publish(endpoint, relay).catch((err: unknown) => this.redisFailed(err));
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

  // ---- what the relay brings to every instance ----

  private onRelay(endpoint: FeedStream, relay: Relay): void {
    if (relay.kind === 'wants') {
      if (relay.from !== this.instanceId) this.refresh(endpoint).catch((err: unknown) => this.redisFailed(err, 'blip'));
      return;
    }
    // Whoever relays is the leader: a different one than before means this instance may have missed data.
    this.continuity.noticeLeader(endpoint, relay.leader);
    switch (relay.kind) {
      case 'data':
        if (this.continuity.interrupted(endpoint)) this.onLeaderStatus(endpoint, 'live', {});
        this.continuity.dataAt(endpoint, relay.receivedAt);
        this.metrics.relayed(this.clock.now() - Date.parse(relay.receivedAt));
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
    if (status === 'closed') return;
    this.listener?.status(endpoint, status, this.continuity.shown(endpoint, status, info));
  }

  /** `blip`: heartbeat-like work, retried by the next heartbeat, so a failure within RELAY_GRACE_MS is let pass. */
  private redisFailed(e: unknown, tolerance: 'blip' | 'none' = 'none'): void {
    if (this.closing) return;
    const sinceHeartbeat = this.clock.now() - this.lastHeartbeatAt;
    if (tolerance === 'blip' && !this.redisDown && sinceHeartbeat < RELAY_GRACE_MS) {
      this.logger.event('debug', 'stream_relay_blip', {
        error: e instanceof Error ? e.message : String(e),
        since_heartbeat_ms: sinceHeartbeat,
      });
      return;
    }
    const first = !this.redisDown;
    this.redisDown = true;
    if (first)
      this.logger.event('error', 'stream_relay_unavailable', {
        error: e instanceof Error ? e.message : String(e),
        fallback_local: this.config.stream.fallbackLocal,
      });
    const fallBack = first && this.config.stream.fallbackLocal;
    for (const endpoint of this.endpoints) {
      // A leader that cannot renew must not keep a socket another instance may soon open too.
      if (this.lease.holds(endpoint)) {
        this.lease.drop(endpoint);
        this.listener?.leadership(endpoint, false);
        void this.sockets.stepDown(endpoint, 'relay_unavailable');
      }
      this.continuity.interrupt(endpoint, 'relay_unavailable');
      this.continuity.forgetLeader(endpoint);
      if (first && !isEmpty(this.wants.localOf(endpoint)) && !fallBack && !this.fallback.active) {
        this.listener?.status(endpoint, 'failed', {
          problem: {
            code: 'UPSTREAM_STREAM_UNAVAILABLE',
            message: "The fleet's stream relay (Redis) is unreachable; data resumes with a gap message.",
            details: { relay: 'redis' },
          },
        });
      }
    }
    // After the fleet sockets were let go (the stream client opens a socket only once the old one closed).
    if (fallBack) this.fallback.start((endpoint) => this.wants.localOf(endpoint));
  }

  private redisBack(): void {
    this.redisDown = false;
    this.logger.event('info', 'stream_relay_restored', {});
    this.fallback.stop();
  }
}
