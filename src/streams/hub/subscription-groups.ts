import { CLIENT_CHANNELS, type ClientChannel } from '../stream-protocol.js';
import type { StreamSession } from './stream-session.js';

/** Sessions subscribed to exactly the same channels and symbols: they get the same frame of each upstream frame. */
export interface SubscriptionGroup {
  readonly key: string;
  readonly sessions: Set<StreamSession>;
}

/** The subscription as one canonical string (channels in protocol order, symbols sorted). */
function keyOf(subscription: StreamSession['subscription']): string {
  return CLIENT_CHANNELS.map((c) => [...subscription[c]].sort().join(',')).join('|');
}

/**
 * Sessions grouped by subscription, so that the fan-out builds one frame per distinct
 * subscription and upstream frame instead of one per client. Kept up to date as subscriptions
 * change (`update` after each change, `remove` on close), never recomputed per frame; a group
 * (and its index entries) goes with its last session.
 */
export class SubscriptionGroups {
  private readonly groups = new Map<string, SubscriptionGroup>();
  private readonly groupOf = new Map<StreamSession, SubscriptionGroup>();
  /** channel → symbol → the groups subscribed to it. */
  private readonly index: Record<ClientChannel, Map<string, Set<SubscriptionGroup>>> = Object.fromEntries(
    CLIENT_CHANNELS.map((c) => [c, new Map<string, Set<SubscriptionGroup>>()]),
  ) as Record<ClientChannel, Map<string, Set<SubscriptionGroup>>>;

  /** After the session's subscription changed: it moves to the group of its new subscription (none when empty). */
  update(session: StreamSession): void {
    const key = keyOf(session.subscription);
    const current = this.groupOf.get(session);
    if (current?.key === key) return;
    if (current !== undefined) this.leave(session, current);
    if (session.symbolCount() === 0) return;
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { key, sessions: new Set() };
      this.groups.set(key, group);
      for (const channel of CLIENT_CHANNELS) {
        for (const symbol of session.subscription[channel]) {
          let holders = this.index[channel].get(symbol);
          if (holders === undefined) this.index[channel].set(symbol, (holders = new Set()));
          holders.add(group);
        }
      }
    }
    group.sessions.add(session);
    this.groupOf.set(session, group);
  }

  remove(session: StreamSession): void {
    const current = this.groupOf.get(session);
    if (current !== undefined) this.leave(session, current);
  }

  /** The groups subscribed to the symbol on the channel (none: undefined). */
  holders(channel: ClientChannel, symbol: string): ReadonlySet<SubscriptionGroup> | undefined {
    return this.index[channel].get(symbol);
  }

  groupOfSession(session: StreamSession): SubscriptionGroup | undefined {
    return this.groupOf.get(session);
  }

  /** For tests and leak checks: groups, grouped sessions and index entries held. */
  sizes(): { groups: number; sessions: number; indexed: number } {
    let indexed = 0;
    for (const channel of CLIENT_CHANNELS) indexed += this.index[channel].size;
    return { groups: this.groups.size, sessions: this.groupOf.size, indexed };
  }

  private leave(session: StreamSession, group: SubscriptionGroup): void {
    this.groupOf.delete(session);
    group.sessions.delete(session);
    if (group.sessions.size > 0) return;
    this.groups.delete(group.key);
    // The group's symbols are its key's: channels in CLIENT_CHANNELS order, symbols comma-separated.
    for (const [i, list] of group.key.split('|').entries()) {
      const channel = CLIENT_CHANNELS[i];
      if (channel === undefined || list === '') continue;
      for (const symbol of list.split(',')) {
        const holders = this.index[channel].get(symbol);
        holders?.delete(group);
        if (holders?.size === 0) this.index[channel].delete(symbol);
      }
    }
  }
}
