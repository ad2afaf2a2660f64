import type { UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import type { Clock } from '../../core/time/clock.js';
import type { StreamMetrics } from '../stream-metrics.js';
import { PerStream, type FeedStream, type StatusInfo } from './stream-feed.js';

interface Continuity {
  leader: string | null;
  lastDataAt: string | null;
  /** Since when this instance has had no relayed data it can vouch for (leader change, Redis down). */
  interruptedFrom: string | null;
  interruptedWhy: string | null;
}

/**
 * What an instance of the fleet can vouch for per stream: the leader whose relay it last heard
 * and the last data it had. A new leader, Redis away or back: the interval from there on is
 * reported to clients as a `gap` once data flows again.
 */
export class FleetContinuity {
  private readonly streams = new PerStream<Continuity>(() => ({
    leader: null,
    lastDataAt: null,
    interruptedFrom: null,
    interruptedWhy: null,
  }));

  constructor(
    private readonly clock: Clock,
    private readonly metrics: StreamMetrics,
  ) {}

  /** A new leader (or none): until it says `live`, this instance cannot vouch for continuity. */
  noticeLeader(endpoint: FeedStream, leader: string | null): void {
    const e = this.streams.of(endpoint);
    if (leader === e.leader) return;
    if (leader !== null) this.metrics.leaseChanged(endpoint);
    if (e.leader !== null && e.interruptedFrom === null) {
      e.interruptedFrom = e.lastDataAt ?? this.isoNow();
      e.interruptedWhy = 'leader_failover';
    }
    e.leader = leader;
  }

  /** Continuity ends here (from the last data, if any): `why` is the gap's reason. */
  interrupt(endpoint: FeedStream, why: 'relay_unavailable' | 'relay_restored'): void {
    const e = this.streams.of(endpoint);
    e.interruptedFrom ??= e.lastDataAt ?? this.isoNow();
    e.interruptedWhy = why;
  }

  forgetLeader(endpoint: FeedStream): void {
    this.streams.of(endpoint).leader = null;
  }

  interrupted(endpoint: FeedStream): boolean {
    return this.streams.of(endpoint).interruptedFrom !== null;
  }

  dataAt(endpoint: FeedStream, receivedAt: string): void {
    this.streams.of(endpoint).lastDataAt = receivedAt;
  }

  /** The status info clients are shown: `live` after an interruption carries the interval missed. */
  shown(endpoint: FeedStream, status: UpstreamStreamStatus, info: StatusInfo): StatusInfo {
    const e = this.streams.of(endpoint);
    if (status !== 'live' || e.interruptedFrom === null) return info;
    // Data flows again after a leader change or a relay outage: the interval this instance missed.
    const shown = {
      gap: {
        from: info.gap?.from ?? e.interruptedFrom,
        to: info.gap?.to ?? this.isoNow(),
        reason: info.gap?.reason ?? e.interruptedWhy ?? 'leader_failover',
      },
    };
    e.interruptedFrom = null;
    e.interruptedWhy = null;
    return shown;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
