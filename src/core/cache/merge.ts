import type { CacheState, Provenance } from '../attribution/provenance.js';
import { newestTimestamp } from '../attribution/timestamps.js';
import type { CacheResult } from './market-cache.js';

/** Provenance of a batch answer: every upstream call behind it, the newest data, the oldest fetch. */
function mergeProvenance(all: Provenance[]): Provenance {
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
function mergeCache(all: CacheState[]): CacheState {
  const maxAgeSeconds = Math.min(...all.map((c) => c.maxAgeSeconds ?? 0));
  const ageSeconds = Math.max(...all.map((c) => c.ageSeconds));
  if (all.every((c) => c.status === 'STREAM')) return { status: 'STREAM', ageSeconds, maxAgeSeconds };
  if (all.every((c) => c.status === 'HIT' || c.status === 'STREAM'))
    return { status: 'HIT', ageSeconds, maxAgeSeconds };
  return { status: 'MISS', ageSeconds: 0, maxAgeSeconds };
}

/** The cache state of an item Alpaca had nothing for: a miss, never stored. */
const NOTHING_STORED: CacheState = { status: 'MISS', ageSeconds: 0, maxAgeSeconds: 0 };

/** An item Alpaca had nothing for, carrying the provenance of the call that said so. */
export interface MissingItem {
  provenance: Provenance;
}

export interface SettledBatch<K, T> {
  /** Per key, in order: its answer, or null when Alpaca had nothing for it. */
  results: Array<{ key: K; result: CacheResult<T> | null }>;
  provenance: Provenance;
  cache: CacheState;
}

/**
 * Loads every key of a batch (concurrently, so misses merge into shared upstream calls). A key
 * Alpaca had nothing for becomes null; any other failure fails the whole batch.
 */
export async function settleBatch<K, T>(
  keys: K[],
  load: (key: K) => Promise<CacheResult<T>>,
  isMissing: (e: unknown) => e is Error & MissingItem,
): Promise<SettledBatch<K, T>> {
  const settled = await Promise.all(
    keys.map((key) =>
      load(key).then(
        (result) => ({ key, result, missing: null }),
        (e: unknown) => {
          if (isMissing(e)) return { key, result: null, missing: e };
          throw e;
        },
      ),
    ),
  );
  return {
    results: settled.map(({ key, result }) => ({ key, result })),
    provenance: mergeProvenance(
      settled.map((s) => s.result?.sourced.provenance ?? (s.missing as MissingItem).provenance),
    ),
    cache: mergeCache(settled.map((s) => s.result?.cache ?? NOTHING_STORED)),
  };
}
