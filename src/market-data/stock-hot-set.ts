import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/time/clock.js';

/** A symbol asked for within this long counts as hot: its refresh may ride along with others. */
const HOT_FOR_MS = 60_000;
const MAX_HOT_SYMBOLS = 1000;

/**
 * Refresh-ahead: symbols clients keep asking for, and when each was last fetched. When a
 * multi-symbol call goes out anyway, hot symbols past half their TTL ride along (up to the
 * call's 100), so a popular set is refreshed by one call instead of one call per symbol.
 */
export class HotSet {
  private readonly fetched = new Map<string, number>();
  /** When each symbol was last asked for; the least recently asked goes first, with its fetch time. */
  private readonly seen = new LRUCache<string, number>({
    max: MAX_HOT_SYMBOLS,
    dispose: (_at, symbol, reason) => {
      if (reason === 'evict') this.fetched.delete(symbol);
    },
  });

  constructor(private readonly time: Clock) {}

  touch(symbol: string): void {
    this.seen.set(symbol, this.time.now());
  }

  fetchedNow(symbol: string): void {
    this.fetched.set(symbol, this.time.now());
  }

  /** Hot symbols not in `requested` whose cached copy is past half of `ttlSeconds`. */
  dueFor(requested: string[], ttlSeconds: number, room: number): string[] {
    const now = this.time.now();
    const skip = new Set(requested);
    const due: string[] = [];
    for (const symbol of this.seen.rkeys()) {
      if (due.length >= room) break;
      const lastSeen = this.seen.peek(symbol) ?? 0;
      if (skip.has(symbol) || now - lastSeen > HOT_FOR_MS) continue;
      if (now - (this.fetched.get(symbol) ?? 0) > (ttlSeconds * 1000) / 2) due.push(symbol);
    }
    return due;
  }
}
