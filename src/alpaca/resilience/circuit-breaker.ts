import { AppError } from '../../core/errors/app-error.js';
import type { CircuitState } from '../../core/metrics/gateway-metrics.js';

export interface CircuitOptions {
  failureThreshold: number;
  failureRatio: number;
  openMs: number;
  /** Told of every state change (metrics, logs). */
  onChange?: (state: CircuitState) => void;
  now?: () => number;
}

const WINDOW = 20;
const MIN_CALLS_FOR_RATIO = 10;

/**
 * One upstream host's breaker. Opens after `failureThreshold` consecutive failures or when
 * `failureRatio` of the last 20 calls failed; while open, calls are refused at once with
 * CIRCUIT_OPEN. After `openMs` one probe is let through (half-open): success closes, failure
 * reopens. Only the host's own failures count (network errors, timeouts, 5xx), not 4xx or 429.
 */
export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private consecutive = 0;
  private recent: boolean[] = [];
  private openedAt = 0;
  private probing = false;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly options: CircuitOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  current(): CircuitState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.openMs) this.transition('half_open');
    return this.state;
  }

  /** Throws CIRCUIT_OPEN unless a call may go out now. */
  acquire(): void {
    const state = this.current();
    if (state === 'closed') return;
    if (state === 'half_open' && !this.probing) {
      this.probing = true;
      return;
    }
    const remainingMs = state === 'open' ? this.options.openMs - (this.now() - this.openedAt) : this.options.openMs;
    throw new AppError('CIRCUIT_OPEN', {
      message: `Alpaca's ${this.name} host has been failing; calls are paused.`,
      retryAfter: Math.max(1, Math.ceil(remainingMs / 1000)),
      details: { upstream: this.name, state },
    });
  }

  success(): void {
    this.probing = false;
    this.consecutive = 0;
    this.push(true);
    if (this.state !== 'closed') {
      this.recent = [];
      this.transition('closed');
    }
  }

  failure(): void {
    this.probing = false;
    this.consecutive += 1;
    this.push(false);
    if (this.state === 'half_open') return this.open();
    const failures = this.recent.filter((ok) => !ok).length;
    const ratioTripped =
      this.options.failureRatio > 0 && this.recent.length >= MIN_CALLS_FOR_RATIO && failures / this.recent.length >= this.options.failureRatio;
    if (this.state === 'closed' && (this.consecutive >= this.options.failureThreshold || ratioTripped)) this.open();
  }

  /** Back to closed with no history (an operator's reset; tests between cases). */
  reset(): void {
    this.consecutive = 0;
    this.recent = [];
    this.probing = false;
    this.transition('closed');
  }

  /** A call that ended without telling anything about the host's health (4xx, 429). */
  neutral(): void {
    this.probing = false;
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private push(ok: boolean): void {
    this.recent.push(ok);
    if (this.recent.length > WINDOW) this.recent.shift();
  }

  private transition(to: CircuitState): void {
    if (this.state === to) return;
    this.state = to;
    this.options.onChange?.(to);
  }
}
