/**
 * The emulator's sleeps (latency, `delay` faults), which stop() must cut short all at once.
 *
 * Not an AbortSignal shared by every sleep: each pending `timers/promises` sleep hangs one abort
 * listener on it, so more than ten slow requests in flight (graceful-shutdown holds fifty) made
 * Node print MaxListenersExceededWarning. Here the pending timers are kept in a set that
 * cancelAll() clears: no listeners at all, however many requests wait.
 */
export class PendingWaits {
  private readonly pending = new Map<NodeJS.Timeout, (reason: Error) => void>();
  private cancelled = false;

  /** True once cancelAll() ran: a failure after that is the shutdown, not an emulator bug. */
  get stopped(): boolean {
    return this.cancelled;
  }

  /** Resolves after `ms`; rejects at once if cancelAll() runs first or has already run. */
  sleep(ms: number): Promise<void> {
    if (this.cancelled) return Promise.reject(stoppedError());
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, reject);
    });
  }

  /** Clears every pending timer and rejects its sleep; later sleeps reject immediately. */
  cancelAll(): void {
    this.cancelled = true;
    for (const [timer, reject] of this.pending) {
      clearTimeout(timer);
      reject(stoppedError());
    }
    this.pending.clear();
  }

  /** How many sleeps are pending (for specs). */
  get size(): number {
    return this.pending.size;
  }
}

function stoppedError(): Error {
  return new Error('emulator stopped');
}
