import type { Attributes, Span } from '@opentelemetry/api';
import { AppError } from '../../core/errors/app-error.js';
import type { RequestScope } from '../../core/telemetry/request-scope.js';
import { ATTR, childSpan, SpanKind, spanFailed } from '../../core/telemetry/spans.js';
import type { UpstreamApi } from './upstream.error.js';
import type { UpstreamResilience } from './resilience/upstream-resilience.js';
import type { CallPriority } from './resilience/upstream-budget.js';

/** What `attempt` needs to know of a call before making it. */
export interface AttemptPlan {
  priority: CallPriority;
  endpoint: string;
  method: string;
  attempt: number;
  scope: RequestScope | undefined;
}

/** Makes each attempt of a call to one Alpaca host, inside its span, its circuit breaker and its budget. */
export class HostAttempts {
  constructor(
    private readonly api: UpstreamApi,
    /** The account whose lane (breaker and budget) the calls pass. */
    private readonly account: string,
    /** `server.address` and `server.port` of this host, on every span of a call to it. */
    private readonly serverAttributes: Attributes,
    /** Circuit breaker and budget; absent only where a client is built outside Nest. */
    private readonly resilience: UpstreamResilience | null,
  ) {}

  /**
   * One attempt: its span (when tracing), the circuit breaker (checked before any budget is spent),
   * the budget, then the call itself inside the breaker.
   */
  async attempt<T>(
    { priority, endpoint, method, attempt, scope }: AttemptPlan,
    call: (span: Span | null) => Promise<T>,
  ): Promise<T> {
    if (scope !== undefined) scope.upstreamAttempts += 1;
    const span = childSpan(
      `${method} ${endpoint}`,
      SpanKind.CLIENT,
      {
        [ATTR.api]: this.api,
        [ATTR.endpoint]: endpoint,
        [ATTR.attempt]: attempt,
        [ATTR.method]: method,
        ...this.serverAttributes,
      },
      scope,
    );
    try {
      if (this.resilience === null) return await call(span);
      const circuit = this.resilience.circuit(this.api, this.account);
      circuit.assertClosed();
      const budgetStarted = performance.now();
      await this.resilience.take(this.api, priority, this.account);
      span?.setAttribute(ATTR.budgetWaitMs, Math.round((performance.now() - budgetStarted) * 100) / 100);
      return await circuit.execute(() => call(span));
    } catch (e: unknown) {
      if (span !== null) spanFailed(span, e);
      // A trading host's failure (its breaker, its budget, its answer) names the account it was for.
      if (this.api === 'trading' && e instanceof AppError && e.details['account'] === undefined)
        e.details['account'] = this.account;
      throw e;
    } finally {
      span?.end();
    }
  }
}
