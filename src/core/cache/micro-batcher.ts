import { currentScope, runInScope, type RequestScope } from '../telemetry/request-scope.js';
import type { Provenance } from '../attribution/provenance.js';

export interface BatchedItem<T> {
  /** The symbol's item, or undefined when Alpaca had nothing for it. */
  item: T | undefined;
  /** Provenance of the shared upstream call. */
  provenance: Provenance;
}

/** Loads a batch; run in the scope of the request that opened it (its log lines and spans name that request). */
export type BatchLoader<T> = (symbols: string[]) => Promise<{ value: Map<string, T>; provenance: Provenance }>;

interface Waiter<T> {
  resolve: (r: BatchedItem<T>) => void;
  reject: (e: unknown) => void;
}

/** A batch waits at most this many windows in total, however steadily symbols keep arriving. */
const MAX_WAIT_WINDOWS = 10;

/**
 * Merges loads for different symbols that arrive close together into one multi-symbol call
 * (up to `maxBatch` symbols). The batch goes out when no new symbol came for `windowMs`, when it is
 * full, or after 10 windows at most; each waiter gets its own symbol (or undefined), or the call's
 * error.
 */
export class MicroBatcher<T> {
  private pending = new Map<string, Array<Waiter<T>>>();
  /** The request whose symbol opened the pending batch: the shared call is made for it. */
  private opener: RequestScope | undefined = undefined;
  private quietTimer: NodeJS.Timeout | null = null;
  private maxTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly loader: BatchLoader<T>,
    private readonly windowMs: number,
    private readonly maxBatch: number,
  ) {}

  load(symbol: string): Promise<BatchedItem<T>> {
    return new Promise<BatchedItem<T>>((resolve, reject) => {
      if (this.pending.size === 0) this.opener = currentScope();
      const waiters = this.pending.get(symbol) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(symbol, waiters);
      if (this.pending.size >= this.maxBatch) return this.flush();
      if (this.windowMs === 0) {
        this.quietTimer ??= setTimeout(() => this.flush(), 0);
        return;
      }
      if (this.quietTimer !== null) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => this.flush(), this.windowMs);
      this.maxTimer ??= setTimeout(() => this.flush(), this.windowMs * MAX_WAIT_WINDOWS);
    });
  }

  private flush(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    if (this.maxTimer !== null) clearTimeout(this.maxTimer);
    this.quietTimer = null;
    this.maxTimer = null;
    const batch = this.pending;
    const opener = this.opener;
    this.pending = new Map();
    this.opener = undefined;
    if (batch.size === 0) return;
    // Whoever flushes (a timer set by a later request, or the request that filled the batch), the
    // call is the opener's; a batch opened outside any request runs outside all of them.
    runInScope(opener, () => this.loader([...batch.keys()])).then(
      ({ value, provenance }) => {
        for (const [symbol, waiters] of batch)
          for (const w of waiters) w.resolve({ item: value.get(symbol), provenance });
      },
      (e: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
      },
    );
  }
}
