/**
 * The subscription bookkeeping of one upstream socket (docs/alpaca-wire.md "Market-data stream session", "One upstream socket"): what the
 * owner wants, what Alpaca acknowledged, and the one change in flight. Alpaca's (un)subscribe
 * adds or subtracts and every ack lists the whole set, so the next change is always computed
 * from the last ack, never from what was sent.
 */
import type { StreamChannel, UpstreamSubscription } from './market-stream.port.js';

export type ChannelSets = Map<StreamChannel, Set<string>>;

/** One (un)subscribe message: channel → symbols (sorted), empty channels left out. */
export interface SubscriptionChange {
  action: 'subscribe' | 'unsubscribe';
  channels: Partial<Record<StreamChannel, string[]>>;
}

function copy(sets: ChannelSets): ChannelSets {
  return new Map([...sets].map(([channel, symbols]) => [channel, new Set(symbols)]));
}

/** `a` minus `b`, per channel, as a change body; undefined when nothing differs. */
function difference(
  a: ChannelSets,
  b: ChannelSets,
  channels: readonly StreamChannel[],
): SubscriptionChange['channels'] | undefined {
  const out: SubscriptionChange['channels'] = {};
  let any = false;
  for (const channel of channels) {
    const theirs = b.get(channel);
    const only = [...(a.get(channel) ?? [])].filter((symbol) => theirs?.has(symbol) !== true).sort();
    if (only.length === 0) continue;
    out[channel] = only;
    any = true;
  }
  return any ? out : undefined;
}

export class SubscriptionBook {
  private wanted: ChannelSets;
  private acked: ChannelSets;
  private inFlight: SubscriptionChange | undefined;
  /**
   * Set by a refusal (405): until the owner calls `want` again, the target is what Alpaca had
   * accepted when it refused, so the refused set is not retried, not even after a reconnect.
   */
  private held: ChannelSets | undefined;

  constructor(private readonly channels: readonly StreamChannel[]) {
    this.wanted = this.empty();
    this.acked = this.empty();
  }

  /** The owner's whole wanted set; channels this endpoint lacks are dropped (and reported). */
  want(wanted: UpstreamSubscription): StreamChannel[] {
    const next = this.empty();
    const foreign: StreamChannel[] = [];
    for (const [channel, symbols] of Object.entries(wanted) as Array<
      [StreamChannel, ReadonlySet<string> | undefined]
    >) {
      if (symbols === undefined || symbols.size === 0) continue;
      if (!this.channels.includes(channel)) foreign.push(channel);
      else next.set(channel, new Set(symbols));
    }
    this.wanted = next;
    this.held = undefined;
    return foreign;
  }

  /**
   * The next change to send and marks it in flight, or undefined when there is nothing to do,
   * a change is already in flight, or the target is held after a refusal. Removals go first:
   * they free room under a symbol cap for the additions that follow.
   */
  nextChange(): SubscriptionChange | undefined {
    if (this.inFlight !== undefined) return undefined;
    const target = this.held ?? this.wanted;
    const removed = difference(this.acked, target, this.channels);
    const added = removed === undefined ? difference(target, this.acked, this.channels) : undefined;
    if (removed !== undefined) this.inFlight = { action: 'unsubscribe', channels: removed };
    else if (added !== undefined) this.inFlight = { action: 'subscribe', channels: added };
    return this.inFlight;
  }

  /** Whether nextChange would send something once nothing is in flight (the target differs from the last ack). */
  get differs(): boolean {
    const target = this.held ?? this.wanted;
    return (
      difference(this.acked, target, this.channels) !== undefined ||
      difference(target, this.acked, this.channels) !== undefined
    );
  }

  get changeInFlight(): SubscriptionChange | undefined {
    return this.inFlight;
  }

  /** Alpaca's `subscription` message: the whole set it holds now. */
  acknowledge(sets: ChannelSets): void {
    this.acked = copy(sets);
    this.inFlight = undefined;
  }

  /** The change in flight was refused as a whole (405 and kin): Alpaca's set is unchanged. */
  refuse(): SubscriptionChange | undefined {
    const refused = this.inFlight;
    this.inFlight = undefined;
    this.held = copy(this.acked);
    return refused;
  }

  /** The socket is gone, and with it everything Alpaca held for it (docs/alpaca-wire.md "Market-data stream session": no server-side memory). */
  reset(): void {
    this.acked = this.empty();
    this.inFlight = undefined;
  }

  /** What Alpaca last acknowledged on the current socket; every channel present, empty when none. */
  acknowledged(): UpstreamSubscription {
    const out: UpstreamSubscription = {};
    for (const channel of this.channels) out[channel] = new Set(this.acked.get(channel));
    return out;
  }

  /** Symbols held upstream per channel, for logs and the observer. */
  counts(): Partial<Record<StreamChannel, number>> {
    const out: Partial<Record<StreamChannel, number>> = {};
    for (const channel of this.channels) out[channel] = this.acked.get(channel)?.size ?? 0;
    return out;
  }

  private empty(): ChannelSets {
    return new Map(this.channels.map((channel) => [channel, new Set<string>()]));
  }
}
