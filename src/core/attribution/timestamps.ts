let lastMs = Number.NaN;
let lastIso = '';

/**
 * `new Date(ms).toISOString()`, remembered for the last millisecond asked: every answer and log
 * line carries one, several land in the same millisecond under load, and the conversion is one of
 * the costlier calls a cached answer makes.
 */
// The default (system time on purpose) is the logger's: log lines are stamped with wall time, and the logger is built before the app's Clock.
export function isoTimestamp(ms: number = Date.now()): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/**
 * Parses an RFC-3339 timestamp as Alpaca writes it (up to nanoseconds) to epoch milliseconds.
 * Precision below a millisecond is dropped here only for ordering and ages; the string itself is
 * always passed to clients untouched.
 */
export function parseUpstreamTimestamp(value: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (m === null) return null;
  const fraction = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${m[1]}.${fraction}${m[3]}`);
  return Number.isNaN(ms) ? null : ms;
}

/** Nanoseconds past the millisecond, for ordering two timestamps within the same millisecond. */
function subMillisecondNanos(value: string): number {
  const m = /\.(\d+)/.exec(value);
  return m === null ? 0 : Number((m[1] ?? '').padEnd(9, '0').slice(3, 9));
}

/** The newest of the given upstream timestamps (by instant), as its original string. */
export function newestTimestamp(values: Array<string | null | undefined>): string | null {
  let best: string | null = null;
  let bestMs = -Infinity;
  let bestNanos = -1;
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const ms = parseUpstreamTimestamp(v);
    if (ms === null) continue;
    const nanos = subMillisecondNanos(v);
    if (ms > bestMs || (ms === bestMs && nanos > bestNanos)) {
      best = v;
      bestMs = ms;
      bestNanos = nanos;
    }
  }
  return best;
}
