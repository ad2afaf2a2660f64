import type { UpstreamStreamProblem, UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import { AppError } from '../../core/errors/app-error.js';
import { accountOfStream, isOrdersStream, type FeedStream } from '../feed/stream-feed.js';
import { CHANNEL_SOURCE, errorMessage, type ClientChannel, type OutboundMessage } from '../stream-protocol.js';

/** What a client message names of a stream: `stocks`/`options`, or `orders` and the account. */
export function streamNaming(endpoint: FeedStream): { stream: string; account?: string } {
  return isOrdersStream(endpoint) ? { stream: 'orders', account: accountOfStream(endpoint) } : { stream: endpoint };
}

/** An upstream problem as the catalog error clients get, naming the stream (and account) it concerns. */
export function problemMessage(endpoint: FeedStream, problem: UpstreamStreamProblem): OutboundMessage {
  return errorMessage(
    new AppError(problem.code, {
      message: problem.message,
      details: { ...problem.details, ...streamNaming(endpoint) },
    }),
  );
}

interface UpstreamState {
  status: UpstreamStreamStatus;
  problem: UpstreamStreamProblem | null;
}

/** Each upstream stream's last status as the feed told it, and its problem when it failed. */
export class UpstreamStates {
  private readonly upstreams = new Map<FeedStream, UpstreamState>();

  record(endpoint: FeedStream, status: UpstreamStreamStatus, problem: UpstreamStreamProblem | null): void {
    this.upstreams.set(endpoint, { status, problem });
  }

  /** The problem message of the first failed upstream among the channels' (none: null). */
  failure(channels: readonly ClientChannel[]): OutboundMessage | null {
    for (const channel of channels) {
      const up = this.upstreams.get(CHANNEL_SOURCE[channel].endpoint);
      if (up?.problem != null && up.status === 'failed')
        return problemMessage(CHANNEL_SOURCE[channel].endpoint, up.problem);
    }
    return null;
  }
}
