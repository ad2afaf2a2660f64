import type { CacheState, Provenance } from '../attribution/provenance.js';
import { newestTimestamp } from '../attribution/timestamps.js';

/** Provenance of a batch answer: every upstream call behind it, the newest data, the oldest fetch. */
export function mergeProvenance(all: Provenance[]): Provenance {
  const first = all[0];
  if (first === undefined) throw new Error('mergeProvenance needs at least one provenance');
  return {
    ...first,
    dataTimestamp: newestTimestamp(all.map((p) => p.dataTimestamp)),
    upstreamRequestIds: [...new Set(all.flatMap((p) => p.upstreamRequestIds))],
    fetchedAt: Math.min(...all.map((p) => p.fetchedAt)),
  };
}

/** Cache state of a batch: HIT only when every item was; its age is the oldest item's. */
export function mergeCache(all: CacheState[]): CacheState {
  const maxAgeSeconds = Math.min(...all.map((c) => c.maxAgeSeconds ?? 0));
  if (all.every((c) => c.status === 'HIT')) return { status: 'HIT', ageSeconds: Math.max(...all.map((c) => c.ageSeconds)), maxAgeSeconds };
  return { status: 'MISS', ageSeconds: 0, maxAgeSeconds };
}

/** The cache state of an item Alpaca had nothing for: a miss, never stored. */
export const NOTHING_STORED: CacheState = { status: 'MISS', ageSeconds: 0, maxAgeSeconds: 0 };
