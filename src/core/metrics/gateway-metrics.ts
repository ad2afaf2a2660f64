import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BoundedLabel } from './bounded-label.js';
import { UpstreamObserver, type UpstreamCall } from './upstream-observer.js';

const MS_PER_SECOND = 1000;
/** Seconds; from a cache hit to a slow upstream call that hits the timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds between the newest upstream timestamp and the response: live quotes to old bars (30: the quote-freshness promise). */
const FRESHNESS_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 3600, 21600, 86400, 604800];
/** Generous caps per label (see BoundedLabel); real values are a few dozen at most. */
const MAX_ROUTES = 200;
const MAX_ENDPOINTS = 100;
const MAX_SMALL_SET = 50;

export type CircuitState = 'closed' | 'half_open' | 'open';
/** Gauge values of `opitios_circuit_state`, ordered by severity. */
export const CIRCUIT_STATE_VALUES: Readonly<Record<CircuitState, number>> = { closed: 0, half_open: 1, open: 2 };

export interface HttpObservation {
  method: string;
  /** Route template (`/api/v1/stocks/:symbol/quote`) or `unmatched`; never a raw path. */
  route: string;
  status: number;
  durationSeconds: number;
}

/**
 * Every Prometheus metric the gateway exports, in one registry per application instance (so tests
 * that boot several apps in one process never share counters). Labels come from small fixed sets:
 * route and endpoint templates, catalog codes, data sources; symbols are never labels.
 *
 * Hooks for issues that have not landed yet, to be called by their owners:
 * `setCircuitState` (circuit breakers), `observeCacheLookup` (caching), `observeAuditEvent` (audit).
 */
@Injectable()
export class GatewayMetrics extends UpstreamObserver {
  readonly registry = new Registry();

  private readonly routes = new BoundedLabel(MAX_ROUTES);
  private readonly endpoints = new BoundedLabel(MAX_ENDPOINTS);
  private readonly smallSets = {
    code: new BoundedLabel(MAX_SMALL_SET),
    source: new BoundedLabel(MAX_SMALL_SET),
    layer: new BoundedLabel(MAX_SMALL_SET),
    upstream: new BoundedLabel(MAX_SMALL_SET),
    event: new BoundedLabel(MAX_SMALL_SET),
  };

  private readonly httpRequests = new Counter({
    name: 'opitios_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'opitios_http_request_duration_seconds',
    help: 'Time from request arrival to the last byte of the response, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstreamRequests = new Counter({
    name: 'opitios_upstream_requests_total',
    help: 'Calls to Alpaca, by api (data|trading), endpoint template, outcome and account (whose keys made the call).',
    labelNames: ['api', 'endpoint', 'outcome', 'account'] as const,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'opitios_upstream_request_duration_seconds',
    help: 'Latency of calls to Alpaca, by api, endpoint template, outcome and account.',
    labelNames: ['api', 'endpoint', 'outcome', 'account'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstreamRemaining = new Gauge({
    name: 'opitios_upstream_rate_limit_remaining',
    help: "Alpaca's X-RateLimit-Remaining from the latest answer that carried it, by api and account.",
    labelNames: ['api', 'account'] as const,
    registers: [this.registry],
  });
  private readonly circuitState = new Gauge({
    name: 'opitios_circuit_state',
    help: 'Circuit breaker state per upstream and account: 0 closed, 1 half-open, 2 open.',
    labelNames: ['upstream', 'account'] as const,
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'opitios_cache_lookups_total',
    help: 'Cache lookups by layer and result (hit|miss).',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
  });
  private readonly responsesBySource = new Counter({
    name: 'opitios_responses_by_data_source_total',
    help: 'Successful data responses by metadata.data_source.',
    labelNames: ['data_source'] as const,
    registers: [this.registry],
  });
  private readonly qualityFlags = new Counter({
    name: 'opitios_data_quality_flags_total',
    help: 'Data-quality flags raised on values fetched from Alpaca, by flag (crossed_quote, stale_timestamp, ...).',
    labelNames: ['flag'] as const,
    registers: [this.registry],
  });

  private readonly dataUnavailable = new Counter({
    name: 'opitios_data_unavailable_total',
    help: 'Errors of type data_unavailable (Alpaca had no data), by catalog code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly freshness = new Histogram({
    name: 'opitios_data_freshness_seconds',
    help: 'Age of the newest upstream timestamp in a response (metadata.data_freshness_seconds), by data_source.',
    labelNames: ['data_source'] as const,
    buckets: FRESHNESS_BUCKETS,
    registers: [this.registry],
  });
  private readonly auditEvents = new Counter({
    name: 'opitios_audit_events_total',
    help: 'Audit events by event type and outcome (recorded|failed|duplicate: already in the trail, not written again).',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly accessDenied = new Counter({
    name: 'opitios_access_denied_total',
    help: 'Refused requests (401, 403, and lockout 429s), by catalog code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly authLockouts = new Counter({
    name: 'opitios_auth_lockouts_total',
    help: 'Client addresses locked out after repeated refusals (each lockout, backoff included).',
    registers: [this.registry],
  });

  private readonly abortedRequests = new Counter({
    name: 'opitios_http_requests_aborted_total',
    help: 'Requests whose client closed the connection before the answer, by method and route template.',
    labelNames: ['method', 'route'] as const,
    registers: [this.registry],
  });
  private readonly tracedRequests = new Counter({
    name: 'opitios_http_requests_traced_total',
    help: 'Requests that got a server span (tracing on); against opitios_http_requests_total, the share traced.',
    registers: [this.registry],
  });
  private readonly cacheResults = new Counter({
    name: 'opitios_cache_results_total',
    help: 'Data responses by cache status (HIT, MISS, STREAM, BYPASS) and market status (open, closed, unknown).',
    labelNames: ['status', 'market'] as const,
    registers: [this.registry],
  });
  private readonly marketOpen = new Gauge({
    name: 'opitios_market_open',
    help: "1 while Alpaca's clock (as of the latest data response) says the market is open, 0 when closed.",
    registers: [this.registry],
  });
  private readonly rateLimitRefusals = new Counter({
    name: 'opitios_rate_limit_refusals_total',
    help: 'Requests refused with 429 RATE_LIMIT_EXCEEDED by the per-principal limits, by tier and window (hour|second).',
    labelNames: ['tier', 'window'] as const,
    registers: [this.registry],
  });
  private readonly budgetRefusals = new Counter({
    name: 'opitios_upstream_budget_refusals_total',
    help: 'Upstream calls not sent because a budget was spent, by api, budget (gateway_bucket|alpaca_window), priority and account.',
    labelNames: ['api', 'budget', 'priority', 'account'] as const,
    registers: [this.registry],
  });

  constructor() {
    super();
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for GET /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  observeHttpRequest(o: HttpObservation): void {
    const labels = { method: o.method, route: this.routes.value(o.route), status: String(o.status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, o.durationSeconds);
  }

  observeUpstreamCall(call: UpstreamCall): void {
    const api = this.smallSets.upstream.value(call.api);
    const account = this.smallSets.upstream.value(call.account);
    const labels = { api, endpoint: this.endpoints.value(call.endpoint), outcome: call.outcome, account };
    this.upstreamRequests.inc(labels);
    this.upstreamDuration.observe(labels, call.durationMs / MS_PER_SECOND);
    if (call.rateLimitRemaining !== null) this.upstreamRemaining.set({ api, account }, call.rateLimitRemaining);
  }

  /**
   * A successful response carrying provenance; freshness is null when the data has no timestamp.
   * With its cache status and the market status it was served under (the cache-hit promise holds
   * while the market is open).
   */
  observeAttributedResponse(
    dataSource: string,
    freshnessSeconds: number | null,
    cacheStatus?: string,
    marketStatus?: string | null,
  ): void {
    const source = this.smallSets.source.value(dataSource);
    this.responsesBySource.inc({ data_source: source });
    if (freshnessSeconds !== null) this.freshness.observe({ data_source: source }, Math.max(0, freshnessSeconds));
    if (cacheStatus === undefined) return;
    const market = marketStatus ?? 'unknown';
    this.cacheResults.inc({
      status: this.smallSets.layer.value(cacheStatus),
      market: this.smallSets.layer.value(market),
    });
    if (market === 'open') this.marketOpen.set(1);
    else if (market === 'closed') this.marketOpen.set(0);
  }

  observeAbortedRequest(method: string, route: string): void {
    this.abortedRequests.inc({ method, route: this.routes.value(route) });
  }

  observeTracedRequest(): void {
    this.tracedRequests.inc();
  }

  /** A 429 RATE_LIMIT_EXCEEDED from the per-principal limits: `tier` anonymous|authenticated|premium. */
  observeRateLimitRefusal(tier: string, window: 'hour' | 'second'): void {
    this.rateLimitRefusals.inc({ tier: this.smallSets.code.value(tier), window });
  }

  /** An upstream call the budget refused (nothing sent). */
  override observeBudgetRefusal(api: string, budget: string, priority: string, account: string): void {
    this.budgetRefusals.inc({
      account: this.smallSets.upstream.value(account),
      api: this.smallSets.upstream.value(api),
      budget: this.smallSets.code.value(budget),
      priority: this.smallSets.code.value(priority),
    });
  }

  /** A data-quality flag raised on a value fetched from Alpaca (information, not an error). */
  observeQualityFlag(flag: string): void {
    this.qualityFlags.inc({ flag });
  }

  observeDataUnavailable(code: string): void {
    this.dataUnavailable.inc({ code: this.smallSets.code.value(code) });
  }

  /** Hook for the circuit breakers: call on every state change (and once at start). */
  override observeCircuitState(upstream: string, state: CircuitState, account: string): void {
    this.setCircuitState(upstream, state, account);
  }

  setCircuitState(upstream: string, state: CircuitState, account: string): void {
    this.circuitState.set(
      { upstream: this.smallSets.upstream.value(upstream), account: this.smallSets.upstream.value(account) },
      CIRCUIT_STATE_VALUES[state],
    );
  }

  /** Hook for the cache: one call per lookup, `layer` from a fixed set such as `memory` or `redis`. */
  observeCacheLookup(layer: string, result: 'hit' | 'miss'): void {
    this.cacheLookups.inc({ layer: this.smallSets.layer.value(layer), result });
  }

  /** A request refused for its credentials or permissions (`code`: a catalog code). */
  observeAccessDenied(code: string): void {
    this.accessDenied.inc({ code: this.smallSets.code.value(code) });
  }

  observeAuthLockout(): void {
    this.authLockouts.inc();
  }

  /** Hook for the audit store: `event` from its fixed set of event types. */
  observeAuditEvent(event: string, outcome: 'recorded' | 'failed' | 'duplicate'): void {
    this.auditEvents.inc({ event: this.smallSets.event.value(event), outcome });
  }
}
