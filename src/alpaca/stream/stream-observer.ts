/**
 * What the upstream stream client reports for metrics, without importing a metrics library (the
 * same idea as UpstreamObserver for HTTP). Bind a provider for this class token (e.g. with
 * `useExisting: GatewayMetrics`) to receive the calls; when none is bound nothing is reported.
 * Every call is synchronous and must be cheap: most come from the socket's read loop.
 */
import type {
  StreamChannel,
  StreamEndpoint,
  UpstreamStreamProblem,
  UpstreamStreamStatus,
} from './market-stream.port.js';

/** Why a socket ended or an attempt failed; a small closed set, fit for a metric label. */
export type StreamRetryReason =
  /** The socket closed or errored without being asked to (includes a refused TCP connection). */
  | 'connection_lost'
  /** No pong and no frame within the keep-alive timeout: a silent stall. */
  | 'keepalive_timeout'
  /** No `connected`, `authenticated` or first subscription ack within the step timeout. */
  | 'handshake_timeout'
  /** No ack for a subscription change within the step timeout. */
  | 'ack_timeout'
  /** 406: the plan's connections for this endpoint are in use (or still held after an unclean drop). */
  | 'connection_limit'
  /** HTTP 429 instead of the upgrade. */
  | 'upgrade_rate_limited'
  /** HTTP 5xx instead of the upgrade. */
  | 'upgrade_server_error'
  /** An error frame that calls for a reconnect: 500, 407 slow client, 404 auth timeout, 401, unknown codes. */
  | 'upstream_error'
  /** A frame that breaks the handshake (not `connected` first, or an unreadable control message). */
  | 'protocol_error'
  /** Fatal, retried only after the long delay: 402/411. */
  | 'auth_failed'
  /** Fatal: 409 (the plan lacks the feed). */
  | 'subscription_required'
  /** Fatal: 412, 408, or an HTTP 4xx other than 429 at the upgrade. */
  | 'stream_unavailable';

/** One frame read: messages handed to the listener, messages of types the gateway does not use, messages (or frames) dropped. */
export interface StreamFrameCounts {
  data: number;
  ignored: number;
  malformed: number;
}

export abstract class StreamObserver {
  /** Every status change (the first `connecting` included). */
  abstract onStatus(
    endpoint: StreamEndpoint,
    status: UpstreamStreamStatus,
    problem: UpstreamStreamProblem['code'] | undefined,
  ): void;
  /** A socket is about to be opened; `attempt` counts from 1 since the stream was last live. */
  abstract onConnectAttempt(endpoint: StreamEndpoint, attempt: number): void;
  /** The next attempt is scheduled `delayMs` from now, because of `reason`. */
  abstract onRetryScheduled(
    endpoint: StreamEndpoint,
    retry: { reason: StreamRetryReason; delayMs: number; attempt: number },
  ): void;
  abstract onFrame(endpoint: StreamEndpoint, counts: StreamFrameCounts): void;
  /** Alpaca acknowledged a subscription: symbols it holds now, per channel. */
  abstract onAcknowledged(endpoint: StreamEndpoint, symbols: Partial<Record<StreamChannel, number>>): void;
  /** A subscription change was refused with this upstream code (405, 400, 410, 413). */
  abstract onRefused(endpoint: StreamEndpoint, upstreamCode: number): void;
  /** A keep-alive ping was answered after `roundTripMs`. */
  abstract onPong(endpoint: StreamEndpoint, roundTripMs: number): void;
}

class SilentStreamObserver extends StreamObserver {
  onStatus(): void {}
  onConnectAttempt(): void {}
  onRetryScheduled(): void {}
  onFrame(): void {}
  onAcknowledged(): void {}
  onRefused(): void {}
  onPong(): void {}
}

export const NO_STREAM_OBSERVER: StreamObserver = new SilentStreamObserver();
