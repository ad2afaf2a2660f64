import { BrokenCircuitError, circuitBreaker, CircuitState as PolicyState, ConsecutiveBreaker, CountBreaker, handleWhen, type CircuitBreakerPolicy, type IBreaker } from 'cockatiel';
import { AppError } from '../../core/errors/app-error.js';
import type { CircuitState } from '../../core/metrics/gateway-metrics.js';
import { UpstreamError } from '../upstream.error.js';

export interface CircuitOptions {
  failureThreshold: number;
  /** Share (0..1] of the last 20 calls that opens the circuit; 0 turns the ratio rule off. */
  failureRatio: number;
  openMs: number;
  /** Told of every state change (metrics, logs). */
  onChange?: (state: CircuitState) => void;
}

/** The ratio rule looks at the last 20 calls, once there are 10. */
const WINDOW = 20;
const MIN_CALLS_FOR_RATIO = 10;
/** cockatiel's CountBreaker opens when failures exceed the share; ours opened when they reached it. */
const AT_LEAST = 1e-9;

/** Only the host's own failures count: network errors, timeouts, 5xx, unreadable answers (not 4xx or 429). */
export function isHostFailure(e: unknown): boolean {
  return e instanceof UpstreamError && (e.upstreamStatus === null || e.upstreamStatus >= 500 || e.code === 'UPSTREAM_INVALID_RESPONSE');
}

/** Opens on `threshold` consecutive failures, or on the failure share of the recent calls. */
class ConsecutiveOrRatioBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  private readonly ratio: CountBreaker | null;

  constructor(threshold: number, ratio: number) {
    this.consecutive = new ConsecutiveBreaker(threshold);
    this.ratio = ratio > 0 ? new CountBreaker({ threshold: Math.max(AT_LEAST, ratio - AT_LEAST), size: WINDOW, minimumNumberOfCalls: MIN_CALLS_FOR_RATIO }) : null;
  }

  get state(): unknown {
    return { consecutive: this.consecutive.state, ratio: this.ratio?.state ?? null };
  }

  set state(value: unknown) {
    const v = value as { consecutive: number; ratio: unknown };
    this.consecutive.state = v.consecutive;
    if (this.ratio !== null) this.ratio.state = v.ratio;
  }

  success(state: PolicyState): void {
    this.consecutive.success();
    this.ratio?.success(state);
  }

  failure(state: PolicyState): boolean {
    // Both see every failure, so each keeps its own count.
    const streak = this.consecutive.failure();
    const share = this.ratio?.failure(state) ?? false;
    return streak || share;
  }
}

const STATES: Readonly<Record<PolicyState, CircuitState>> = {
  [PolicyState.Closed]: 'closed',
  [PolicyState.HalfOpen]: 'half_open',
  [PolicyState.Open]: 'open',
  [PolicyState.Isolated]: 'open',
};

/**
 * One Alpaca host's circuit breaker: cockatiel's policy (consecutive-or-ratio breaker, half-open
 * after `openMs`, one probe at a time), with our catalog error (CIRCUIT_OPEN with Retry-After)
 * instead of cockatiel's, and our state names for metrics and readiness. Calls that end in 4xx or
 * 429 do not count either way. Unlike cockatiel, which makes every other call wait for the probe's
 * outcome, calls that arrive while the probe is in flight are refused at once (CIRCUIT_OPEN, state
 * `half_open`), as the gateway's breaker always did: a client of a gateway wants to fail fast.
 */
export class HostCircuit {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    readonly name: string,
    private readonly options: CircuitOptions,
  ) {
    this.policy = circuitBreaker(handleWhen(isHostFailure), {
      halfOpenAfter: options.openMs,
      breaker: new ConsecutiveOrRatioBreaker(options.failureThreshold, options.failureRatio),
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.policy.onStateChange((s) => options.onChange?.(STATES[s]));
  }

  /**
   * The state as readiness and metrics see it: an open circuit whose pause is over is half-open
   * (the next call probes), so an idle instance does not stay unready after Alpaca came back.
   */
  current(): CircuitState {
    const state = STATES[this.policy.state];
    return state === 'open' && this.remainingMs() <= 0 ? 'half_open' : state;
  }

  /** Throws CIRCUIT_OPEN while calls are paused or a probe is in flight (checked before budget is spent on a call). */
  assertClosed(): void {
    if (this.policy.state === PolicyState.HalfOpen) throw this.refusal('half_open');
    if (this.policy.state === PolicyState.Open && this.remainingMs() > 0) throw this.refusal('open');
  }

  /** Runs one call through the breaker; a refusal is CIRCUIT_OPEN, never a wait for the probe. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    // cockatiel would hold this call until the probe's outcome; refuse it now instead.
    if (this.policy.state === PolicyState.HalfOpen) throw this.refusal('half_open');
    try {
      return await this.policy.execute(call);
    } catch (e: unknown) {
      if (e instanceof BrokenCircuitError) throw this.refusal('open');
      throw e;
    }
  }

  private remainingMs(): number {
    return this.options.openMs - (Date.now() - this.openedAt);
  }

  private refusal(state: 'open' | 'half_open'): AppError {
    // During a probe the wait is unknown: a failed probe pauses calls for openMs again.
    const waitMs = state === 'open' ? this.remainingMs() : this.options.openMs;
    return new AppError('CIRCUIT_OPEN', {
      message: `Alpaca's ${this.name} host has been failing; calls are paused.`,
      retryAfter: Math.max(1, Math.ceil(waitMs / 1000)),
      details: { upstream: this.name, state },
    });
  }
}
