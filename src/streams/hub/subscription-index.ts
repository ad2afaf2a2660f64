import type { StreamEndpoint, UpstreamSubscription } from '../../alpaca/stream/market-stream.port.js';
import type { FeedSubscription } from '../feed/stream-feed.js';
import { CHANNEL_SOURCE, CLIENT_CHANNELS, type ChannelLists, type ClientChannel } from '../stream-protocol.js';
import type { StreamSession } from './stream-session.js';

/**
 * Who holds which symbol on which channel: channel → symbol → subscribed sessions, kept with each
 * session's own `subscription`. The union of the clients' symbols is reference-counted this way
 * per channel; `add` and `remove` name the endpoints whose union changed (a symbol's count crossed
 * zero), for the hub to tell the feed.
 */
export class SubscriptionIndex {
  private readonly index: Record<ClientChannel, Map<string, Set<StreamSession>>> = Object.fromEntries(
    CLIENT_CHANNELS.map((c) => [c, new Map<string, Set<StreamSession>>()]),
  ) as Record<ClientChannel, Map<string, Set<StreamSession>>>;

  /** Adds the symbols to the session's subscription; the endpoints that got a first holder of a symbol. */
  add(session: StreamSession, lists: ChannelLists): Set<StreamEndpoint> {
    const touched = new Set<StreamEndpoint>();
    for (const [channel, symbols] of Object.entries(lists) as Array<[ClientChannel, string[]]>) {
      for (const symbol of symbols) {
        if (session.subscription[channel].has(symbol)) continue;
        session.subscription[channel].add(symbol);
        let holders = this.index[channel].get(symbol);
        if (holders === undefined) {
          holders = new Set();
          this.index[channel].set(symbol, holders);
          touched.add(CHANNEL_SOURCE[channel].endpoint);
        }
        holders.add(session);
      }
    }
    return touched;
  }

  /** Removes the symbols from the session's subscription; the endpoints that lost the last holder of a symbol. */
  remove(session: StreamSession, lists: ChannelLists): Set<StreamEndpoint> {
    const touched = new Set<StreamEndpoint>();
    for (const [channel, symbols] of Object.entries(lists) as Array<[ClientChannel, string[]]>) {
      for (const symbol of symbols) {
        if (!session.subscription[channel].delete(symbol)) continue;
        const holders = this.index[channel].get(symbol);
        holders?.delete(session);
        if (holders !== undefined && holders.size === 0) {
          this.index[channel].delete(symbol);
          touched.add(CHANNEL_SOURCE[channel].endpoint);
        }
      }
    }
    return touched;
  }

  /** Distinct (channel, symbol) pairs held by at least one session. */
  count(): number {
    let n = 0;
    for (const channel of CLIENT_CHANNELS) n += this.index[channel].size;
    return n;
  }

  /** Distinct symbols held over the endpoint's channels. */
  endpointSymbols(endpoint: StreamEndpoint): Set<string> {
    const out = new Set<string>();
    for (const channel of CLIENT_CHANNELS)
      if (CHANNEL_SOURCE[channel].endpoint === endpoint) for (const s of this.index[channel].keys()) out.add(s);
    return out;
  }

  /** This instance's union for the endpoint, per upstream channel, as the feed is told it. */
  upstreamUnion(endpoint: StreamEndpoint): UpstreamSubscription {
    const wanted: UpstreamSubscription = {};
    for (const channel of CLIENT_CHANNELS) {
      const source = CHANNEL_SOURCE[channel];
      if (source.endpoint !== endpoint || this.index[channel].size === 0) continue;
      wanted[source.channel] = new Set(this.index[channel].keys());
    }
    return wanted;
  }

  /** Every session subscribed to anything on the endpoint, once each. */
  holdersOn(endpoint: StreamEndpoint): Set<StreamSession> {
    const reached = new Set<StreamSession>();
    for (const channel of CLIENT_CHANNELS) {
      if (CHANNEL_SOURCE[channel].endpoint !== endpoint) continue;
      for (const holders of this.index[channel].values()) for (const s of holders) reached.add(s);
    }
    return reached;
  }

  /** Per session, the symbols it holds on the endpoint that the (fleet's) union left out. */
  leftOut(endpoint: StreamEndpoint, union: FeedSubscription): Map<StreamSession, ChannelLists> {
    const cut = new Map<StreamSession, ChannelLists>();
    for (const channel of CLIENT_CHANNELS) {
      const source = CHANNEL_SOURCE[channel];
      if (source.endpoint !== endpoint) continue;
      const streamed = union[source.channel];
      for (const [symbol, holders] of this.index[channel]) {
        if (streamed?.has(symbol) === true) continue;
        for (const session of holders) {
          const lists = cut.get(session) ?? {};
          (lists[channel] ??= []).push(symbol);
          cut.set(session, lists);
        }
      }
    }
    return cut;
  }
}
