import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState as PolicyState,
  ConsecutiveBreaker,
  CountBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type FailureReason,
  type IBackoff,
  type IBreaker,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import { AppError } from '../../../core/errors/app-error.js';
import type { CircuitState } from '../../../core/metrics/gateway-metrics.js';
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
  return (
    e instanceof UpstreamError &&
    (e.upstreamStatus === null || e.upstreamStatus >= 500 || e.code === 'UPSTREAM_INVALID_RESPONSE')
  );
}

/** Opens on `threshold` consecutive failures, or on the failure share of the recent calls. */
class ConsecutiveOrRatioBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  private readonly ratio: CountBreaker | null;

  constructor(threshold: number, ratio: number) {
    this.consecutive = new ConsecutiveBreaker(threshold);
    this.ratio =
      ratio > 0
        ? new CountBreaker({
            threshold: Math.max(AT_LEAST, ratio - AT_LEAST),
            size: WINDOW,
            minimumNumberOfCalls: MIN_CALLS_FOR_RATIO,
          })
        : null;
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
 * 429 do not count either way. Two things differ from cockatiel's own half-open handling, as the
 * gateway's breaker always behaved:
 * - while the probe is in flight, other calls are refused at once (CIRCUIT_OPEN, state
 *   `half_open`) instead of queueing behind it: a client of a gateway wants to fail fast;
 * - a probe answered with a 4xx or 429 (or ended by anything that is not the host's failure)
 *   neither closes nor reopens: it said nothing about the host's health, so the circuit stays
 *   half-open and the next call probes again.
 */
export class HostCircuit {
  private readonly policy: CircuitBreakerPolicy;
  /** Until when calls are refused after the last break; 0 after a probe that was only answered. */
  private pausedUntil = 0;
  /** Errors that ended a probe without telling anything about the host (see the class comment). */
  private readonly answeredProbes = new WeakSet<object>();
  private reported: CircuitState = 'closed';

  constructor(
    readonly name: string,
    private readonly options: CircuitOptions,
  ) {
    // cockatiel closes on any probe error its filter does not handle; an answered probe is handled
    // (so it goes the "open" way) with no pause, which leaves the circuit as half-open as before.
    // The breaker counts it as a failure meanwhile; the next probe's success clears every count.
    const pauseAfter = (result: FailureReason<unknown>): number =>
      'error' in result && this.answeredProbes.has(result.error) ? 0 : options.openMs;
    const halfOpenAfter = {
      next: (context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> => ({
        duration: pauseAfter(context.result),
        next: halfOpenAfter.next,
      }),
    };
    this.policy = circuitBreaker(
      handleWhen((e) => isHostFailure(e) || this.answeredProbes.has(e)),
      { halfOpenAfter, breaker: new ConsecutiveOrRatioBreaker(options.failureThreshold, options.failureRatio) },
    );
    this.policy.onBreak((reason) => {
      // System time on purpose, here and in remainingMs: cockatiel times the half-open with Date.now() itself.
      this.pausedUntil = Date.now() + ('isolated' in reason ? options.openMs : pauseAfter(reason));
    });
    this.policy.onStateChange(() => this.report());
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
    // cockatiel tells (synchronously, before running it) when this call is the probe.
    let probe = false;
    const watch = this.policy.onHalfOpen(() => {
      probe = true;
    });
    const running = this.policy.execute(async () => {
      try {
        return await call();
      } catch (e: unknown) {
        if (probe && !isHostFailure(e) && typeof e === 'object' && e !== null) this.answeredProbes.add(e);
        throw e;
      }
    });
    watch.dispose();
    try {
      return await running;
    } catch (e: unknown) {
      if (e instanceof BrokenCircuitError) throw this.refusal('open');
      throw e;
    }
  }

  /** Tells onChange of a state change as `current()` names it (an answered probe changes nothing). */
  private report(): void {
    const state = this.current();
    if (state === this.reported) return;
    this.reported = state;
    this.options.onChange?.(state);
  }

  private remainingMs(): number {
    return this.pausedUntil - Date.now();
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
