import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { UpstreamStreamStatus } from '../alpaca/stream/market-stream.port.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { Clock } from '../core/time/clock.js';
import { feedStreams, type FeedStream } from './feed/stream-feed.js';
import type { StreamTransport } from './hub/stream-session.js';

/** Gauge values of `opitios_stream_upstream_state`. */
const UPSTREAM_STATE_VALUES: Readonly<Record<UpstreamStreamStatus, number>> = {
  closed: 0,
  connecting: 1,
  live: 2,
  reconnecting: 3,
  failed: 4,
};
/** Seconds from reading an upstream frame to handing a message to a client's socket. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** One latency observation per this many deliveries: the histogram must not cost more than the fan-out. */
const SAMPLE_EVERY = 16;

/** The stream's Prometheus series, in the gateway's registry. */
@Injectable()
export class StreamMetrics {
  private readonly clientsGauge: Gauge<'transport'>;
  private readonly subscriptionsGauge: Gauge;
  private readonly upstreamState: Gauge<'stream'>;
  private readonly messagesIn: Counter<'stream'>;
  private readonly messagesOut: Counter;
  private readonly droppedCounter: Counter;
  private readonly latency: Histogram;
  private readonly leaderGauge: Gauge<'stream'>;
  private readonly leaseChanges: Counter<'stream'>;
  private readonly relayLag: Histogram;
  private readonly unionSize: Gauge<'stream'>;
  private sample = 0;

  constructor(
    metrics: GatewayMetrics,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    const registers = [metrics.registry];
    this.clientsGauge = new Gauge({
      name: 'opitios_stream_clients',
      help: 'Connected stream clients, by transport (ws|sse|alpaca_ws).',
      labelNames: ['transport'],
      registers,
    });
    this.subscriptionsGauge = new Gauge({
      name: 'opitios_stream_subscriptions',
      help: 'Distinct (channel, symbol) pairs streamed to at least one client.',
      registers,
    });
    this.upstreamState = new Gauge({
      name: 'opitios_stream_upstream_state',
      help: 'Upstream stream socket per Alpaca stream (stocks, options, orders, or orders:<account> per named account): 0 closed, 1 connecting, 2 live, 3 reconnecting, 4 failed.',
      labelNames: ['stream'],
      registers,
    });
    this.messagesIn = new Counter({
      name: 'opitios_stream_upstream_messages_total',
      help: 'Data messages read from Alpaca, by stream.',
      labelNames: ['stream'],
      registers,
    });
    this.messagesOut = new Counter({
      name: 'opitios_stream_client_messages_total',
      help: 'Data messages queued to clients (one per client per message).',
      registers,
    });
    this.droppedCounter = new Counter({
      name: 'opitios_stream_dropped_total',
      help: "Data messages dropped because a client's queue was full.",
      registers,
    });
    this.latency = new Histogram({
      name: 'opitios_stream_tick_to_client_seconds',
      help: 'From reading an upstream frame to handing the message to a client socket (sampled).',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.leaderGauge = new Gauge({
      name: 'opitios_stream_leader',
      help: "1 while this instance holds the fleet's upstream socket lease for the stream.",
      labelNames: ['stream'],
      registers,
    });
    this.leaseChanges = new Counter({
      name: 'opitios_stream_lease_changes_total',
      help: 'Changes of the fleet leader (lease holder) this instance saw, by stream.',
      labelNames: ['stream'],
      registers,
    });
    this.relayLag = new Histogram({
      name: 'opitios_stream_relay_lag_seconds',
      help: 'From the leader reading an upstream frame to this instance receiving it through Redis.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.unionSize = new Gauge({
      name: 'opitios_stream_union_symbols',
      help: "Distinct symbols in the fleet's (or this instance's) upstream union, by stream.",
      labelNames: ['stream'],
      registers,
    });
    for (const stream of feedStreams(config.accounts)) {
      this.leaderGauge.set({ stream }, 0);
      this.upstreamState.set({ stream }, 0);
    }
  }

  clients(transport: StreamTransport, delta: number): void {
    this.clientsGauge.inc({ transport }, delta);
  }

  subscriptions(count: number): void {
    this.subscriptionsGauge.set(count);
  }

  upstreamStatus(stream: FeedStream, status: UpstreamStreamStatus): void {
    this.upstreamState.set({ stream }, UPSTREAM_STATE_VALUES[status]);
  }

  leader(stream: FeedStream, leading: boolean): void {
    this.leaderGauge.set({ stream }, leading ? 1 : 0);
  }

  leaseChanged(stream: FeedStream): void {
    this.leaseChanges.inc({ stream });
  }

  relayed(lagMs: number): void {
    this.relayLag.observe(Math.max(0, lagMs / 1000));
  }

  union(stream: FeedStream, symbols: number): void {
    this.unionSize.set({ stream }, symbols);
  }

  upstreamMessages(stream: FeedStream, count: number): void {
    this.messagesIn.inc({ stream }, count);
  }

  delivered(count: number, receivedMs: number): void {
    this.messagesOut.inc(count);
    this.sample += 1;
    if (this.sample % SAMPLE_EVERY === 0) this.latency.observe(Math.max(0, (this.clock.now() - receivedMs) / 1000));
  }

  dropped(count: number): void {
    this.droppedCounter.inc(count);
  }
}
