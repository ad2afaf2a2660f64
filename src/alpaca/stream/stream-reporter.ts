/**
 * Everything one upstream stream tells the outside: its owner (the port's listener), the metrics
 * observer and the log. Listener calls come from the socket's read loop, so an exception in one
 * is logged here instead of taking the socket, or the process, down.
 */
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import type {
  StreamData,
  StreamEndpoint,
  UpstreamStreamListener,
  UpstreamStreamProblem,
  UpstreamStreamStatus,
} from './market-stream.port.js';
import type { StreamFrameCounts, StreamObserver } from './stream-observer.js';

export type StatusInfo = Parameters<UpstreamStreamListener['status']>[1];

export class StreamReporter {
  private current: UpstreamStreamStatus = 'connecting';
  private readonly reported = new Set<string>();

  constructor(
    private readonly endpoint: StreamEndpoint,
    private readonly listener: UpstreamStreamListener,
    readonly observer: StreamObserver,
    readonly logger: WinstonLogger,
  ) {
    // The first status is not a change, so only the observer hears of it; `status()` reports it.
    observer.onStatus(endpoint, 'connecting', undefined);
  }

  get status(): UpstreamStreamStatus {
    return this.current;
  }

  /** Passes on changes only; every return to `live` is passed on (it may carry a gap). */
  setStatus(status: UpstreamStreamStatus, info: StatusInfo): void {
    if (status === this.current && status !== 'live') return;
    this.current = status;
    this.observer.onStatus(this.endpoint, status, info.problem?.code);
    this.safely('status', () => this.listener.status(status, info));
  }

  frame(batch: readonly StreamData[], receivedAt: string, counts: StreamFrameCounts): void {
    this.observer.onFrame(this.endpoint, counts);
    if (batch.length > 0) this.safely('data', () => this.listener.data(batch, receivedAt));
  }

  refused(upstreamCode: number, problem: UpstreamStreamProblem): void {
    this.observer.onRefused(this.endpoint, upstreamCode);
    this.logger.event('warn', 'upstream_stream_refused', {
      endpoint: this.endpoint,
      upstream_code: upstreamCode,
      details: problem.details,
    });
    this.safely('refused', () => this.listener.refused(problem));
  }

  /** One warning per kind of oddity per stream (a bad feed would flood the log); later ones are only counted. */
  once(event: string, kind: string, fields: Record<string, unknown>): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.logger.event('warn', event, { endpoint: this.endpoint, kind, ...fields, note: 'logged once per kind' });
  }

  event(level: 'error' | 'warn' | 'info' | 'debug', name: string, fields: Record<string, unknown>): void {
    this.logger.event(level, name, { endpoint: this.endpoint, ...fields });
  }

  private safely(call: keyof UpstreamStreamListener, fn: () => void): void {
    try {
      fn();
    } catch (e: unknown) {
      this.logger.event('error', 'upstream_stream_listener_error', {
        endpoint: this.endpoint,
        call,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
