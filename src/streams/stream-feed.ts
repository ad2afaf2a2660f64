import type {
  StreamData,
  StreamEndpoint,
  UpstreamStreamProblem,
  UpstreamStreamStatus,
  UpstreamSubscription,
} from '../alpaca/market-stream.port.js';

export type StatusInfo = { gap?: { from: string; to: string; reason: string }; problem?: UpstreamStreamProblem };

/** What a feed tells the hub of this instance. */
export interface FeedListener {
  data(endpoint: StreamEndpoint, messages: readonly StreamData[], receivedAt: string): void;
  status(endpoint: StreamEndpoint, status: UpstreamStreamStatus, info: StatusInfo): void;
  refused(endpoint: StreamEndpoint, problem: UpstreamStreamProblem): void;
  /** In a fleet: this instance took (true) or gave up (false) the endpoint's upstream socket. */
  leadership(endpoint: StreamEndpoint, leading: boolean): void;
  /** The symbols streamed for the endpoint changed (fleet-wide where there is a fleet). */
  streamed(endpoint: StreamEndpoint, union: UpstreamSubscription): void;
}

/**
 * Where upstream data comes from for this instance. Locally: its own Alpaca socket per endpoint.
 * In a fleet (REDIS_URL): one socket per endpoint for the whole fleet, held by the leader, its
 * messages relayed through Redis to every instance.
 */
export abstract class StreamFeed {
  abstract start(listener: FeedListener): void;
  /** This instance's union for the endpoint (empty when it wants nothing). */
  abstract want(endpoint: StreamEndpoint, wanted: UpstreamSubscription): void;
  /** Symbols (over the endpoint's channels) other instances stream, for the plan's limit. */
  abstract otherSymbols(endpoint: StreamEndpoint): ReadonlySet<string>;
  abstract status(endpoint: StreamEndpoint): UpstreamStreamStatus | 'none';
  abstract close(): Promise<void>;
}

export function isEmpty(s: UpstreamSubscription): boolean {
  return Object.values(s).every((set) => set === undefined || set.size === 0);
}

export function symbolsOf(s: UpstreamSubscription): Set<string> {
  const out = new Set<string>();
  for (const set of Object.values(s)) if (set !== undefined) for (const sym of set) out.add(sym);
  return out;
}
