import { AppError } from '../../../core/errors/app-error.js';

/** Who may spend the last tokens: orders first, then trading reads, then quotes, then chains/bars. */
export type CallPriority = 'order' | 'trading_read' | 'quote' | 'bulk';

/**
 * Share of the bucket a class must leave for those above it. Orders may take the last token;
 * chains and bars stop while a quarter is left, so quotes (and, on the trading host, reads and
 * orders) still get through when the budget runs low.
 */
const RESERVE: Readonly<Record<CallPriority, number>> = { order: 0, trading_read: 0.1, quote: 0.05, bulk: 0.25 };
const MS_PER_MINUTE = 60_000;

export interface BucketState {
  tokens: number;
  updatedAt: number;
  /** Alpaca said the window is spent: nothing goes out before this time. */
  blockedUntil: number;
}

/** Pure token-bucket step, shared by the local bucket and (mirrored in Lua) the Redis one. */
export function refill(state: BucketState, capacity: number, now: number): BucketState {
  const rate = capacity / MS_PER_MINUTE;
  return {
    ...state,
    tokens: Math.min(capacity, state.tokens + Math.max(0, now - state.updatedAt) * rate),
    updatedAt: now,
  };
}

export function reserveFor(priority: CallPriority, capacity: number): number {
  return RESERVE[priority] * capacity;
}

/** Which budget refused: Alpaca's own window (it said Remaining 0) or the gateway's bucket. */
export type EmptyBudget = 'alpaca_window' | 'gateway_bucket';

export function budgetExhausted(
  api: string,
  retryAfterSeconds: number,
  priority: CallPriority,
  which: EmptyBudget = 'gateway_bucket',
  perMinute?: number,
  account?: string,
): AppError {
  const message =
    which === 'alpaca_window'
      ? `Alpaca reported the ${api} rate-limit window spent (X-RateLimit-Remaining 0); the call was not sent.`
      : `The gateway's Alpaca ${api} budget${perMinute === undefined ? '' : ` (${perMinute} calls a minute)`} is spent for now` +
        `${priority === 'order' ? '' : `, above what it keeps for higher-priority calls`}; the call was not sent.`;
  return new AppError('UPSTREAM_RATE_LIMITED', {
    message,
    retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)),
    details: {
      upstream: api,
      priority,
      sent: false,
      budget: which,
      ...(account === undefined ? {} : { account }),
      ...(perMinute === undefined ? {} : { budget_per_minute: perMinute }),
    },
  });
}

/**
 * A per-API token bucket in this process, sized by ALPACA_*_RATE_LIMIT_PER_MIN and corrected by
 * Alpaca's X-RateLimit-Remaining/Reset, so the gateway stops before Alpaca would refuse.
 */
export class LocalBudget {
  private state: BucketState;

  constructor(
    readonly api: string,
    public capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    this.state = { tokens: capacity, updatedAt: now(), blockedUntil: 0 };
  }

  /** A smaller capacity (Alpaca's reported limit): the tokens and the refill follow it. */
  resize(capacity: number): void {
    this.state = refill(this.state, this.capacity, this.now());
    this.capacity = capacity;
    this.state.tokens = Math.min(this.state.tokens, capacity);
  }

  /** `account` only names the lane in the refusal's details. */
  take(priority: CallPriority, account?: string): void {
    const now = this.now();
    this.state = refill(this.state, this.capacity, now);
    if (now < this.state.blockedUntil)
      throw budgetExhausted(
        this.api,
        (this.state.blockedUntil - now) / 1000,
        priority,
        'alpaca_window',
        undefined,
        account,
      );
    const floor = reserveFor(priority, this.capacity);
    if (this.state.tokens - 1 < floor) {
      const missing = floor + 1 - this.state.tokens;
      throw budgetExhausted(
        this.api,
        missing / (this.capacity / MS_PER_MINUTE) / 1000,
        priority,
        'gateway_bucket',
        this.capacity,
        account,
      );
    }
    this.state.tokens -= 1;
  }

  /** Alpaca's own count wins when it is lower; a spent window blocks until its reset. */
  observe(remaining: number | null, resetEpochSeconds: number | null): void {
    if (remaining === null) return;
    this.state = refill(this.state, this.capacity, this.now());
    this.state.tokens = Math.min(this.state.tokens, remaining);
    if (remaining === 0 && resetEpochSeconds !== null)
      this.state.blockedUntil = Math.max(this.state.blockedUntil, resetEpochSeconds * 1000);
  }

  tokens(): number {
    return refill(this.state, this.capacity, this.now()).tokens;
  }
}
