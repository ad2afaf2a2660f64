/**
 * One connection's subscription (§3): subscribe adds, unsubscribe subtracts, and the ack lists the
 * whole current set. `*` is kept as a symbol of its own ("every symbol").
 */
import type { ChannelRequest, EndpointSpec } from './stream-protocol.js';
import type { StockRequestChannel, StreamChannel, StreamSubscription } from './stream.types.js';

export const WILDCARD = '*';

/** Bars are not counted toward the symbol cap (OLD-DOCS; OBS: 518 bars accepted, 60 trades → 405). */
const UNCAPPED: ReadonlySet<StockRequestChannel> = new Set(['bars', 'updatedBars', 'dailyBars']);

export class Subscription {
  private readonly channels = new Map<StockRequestChannel, Set<string>>();

  constructor(private readonly spec: EndpointSpec) {}

  /** Distinct capped symbols there would be after subscribing to `request` (`*` not counted). */
  cappedSymbolsAfter(request: ChannelRequest): number {
    const symbols = new Set<string>();
    const add = (channel: StockRequestChannel, list: Iterable<string>): void => {
      if (UNCAPPED.has(channel)) return;
      for (const symbol of list) if (symbol !== WILDCARD) symbols.add(symbol);
    };
    for (const [channel, list] of this.channels) add(channel, list);
    for (const [channel, list] of request) add(channel, list);
    return symbols.size;
  }

  apply(kind: 'subscribe' | 'unsubscribe', request: ChannelRequest): void {
    for (const [channel, symbols] of request) {
      const current = this.channels.get(channel) ?? new Set<string>();
      for (const symbol of symbols) {
        if (kind === 'subscribe') current.add(symbol);
        else current.delete(symbol);
      }
      this.channels.set(channel, current);
    }
  }

  /** Symbols on `channel`, `*` included as such. */
  symbols(channel: StockRequestChannel): string[] {
    return [...(this.channels.get(channel) ?? [])];
  }

  covers(channel: StockRequestChannel, symbol: string): boolean {
    const set = this.channels.get(channel);
    return set !== undefined && (set.has(symbol) || set.has(WILDCARD));
  }

  isEmpty(): boolean {
    return [...this.channels.values()].every((set) => set.size === 0);
  }

  /** Every ack channel, `[]` when empty, corrections/cancelErrors mirroring trades (DOC-STK). */
  snapshot(): StreamSubscription {
    const view: StreamSubscription = {};
    const list = (channel: StreamChannel): string[] =>
      this.symbols(channel === 'corrections' || channel === 'cancelErrors' ? 'trades' : channel);
    for (const channel of this.spec.ackChannels) view[channel] = list(channel);
    // Not in DOC-STK's ack example: shown only once used, so the documented shape stays exact.
    if (this.spec.kind === 'stocks' && this.symbols('imbalances').length > 0)
      view.imbalances = this.symbols('imbalances');
    return view;
  }

  ack(): { T: 'subscription' } & StreamSubscription {
    return { T: 'subscription', ...this.snapshot() };
  }
}
