import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { AlpacaAccount, AppConfig } from '../../core/config/app-config.js';
import { Clock, SystemClock } from '../../core/time/clock.js';
import type { WinstonLogger } from '../../core/logging/winston-logger.js';
import {
  NO_UPSTREAM_OBSERVER,
  outcomeForStatus,
  parseRateLimitRemaining,
  type UpstreamObserver,
} from '../../core/metrics/upstream-observer.js';
import { failureFromResponse, type HeaderBag } from './upstream-failure.mapper.js';
import { UpstreamError, type UpstreamApi } from './upstream.error.js';
import { WireFormatError } from '../stocks/stock-wire-parsers.js';
import type { UpstreamResilience } from './resilience/upstream-resilience.js';
import { MIN_ATTEMPT_MS, ReadPolicy } from './resilience/read-policy.js';
import { currentScope } from '../../core/telemetry/request-scope.js';
import { ATTR, fullUrlOf, httpServerAttributes, traceparentOf } from '../../core/telemetry/spans.js';
import {
  buildQuery,
  type AttemptCall,
  type GetOptions,
  type SendOptions,
  type UpstreamResponse,
} from './upstream-call.js';
import { HostAttempts } from './host-attempts.js';

const MAX_SOCKETS = 64;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const NETWORK_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED']);
/** uint64 trade ids above 2^53 would lose digits in JSON.parse; quote them first. */
const LONG_TRADE_ID = /"i":(\d{16,})/g;

function headerBag(res: AxiosResponse<string>): HeaderBag {
  const out: HeaderBag = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (typeof v === 'string') out[k.toLowerCase()] = v;
    else if (Array.isArray(v)) out[k.toLowerCase()] = v.join(', ');
    else if (typeof v === 'number') out[k.toLowerCase()] = String(v);
  }
  return out;
}

/**
 * One axios instance per Alpaca host: keep-alive agents, a per-request timeout, redirects off
 * (Alpaca's key headers must never follow a redirect), our own JSON parsing so a malformed body
 * is told apart from a network failure. The only file that imports axios.
 */
export abstract class AlpacaHttpClient {
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly reads: ReadPolicy;
  private readonly propagateTrace: boolean;
  private readonly host: HostAttempts;

  protected constructor(
    private readonly api: UpstreamApi,
    /** Whose keys the calls carry, and whose breaker and budget they pass (the data account's for data). */
    readonly account: AlpacaAccount,
    baseURL: string,
    config: AppConfig,
    private readonly logger: WinstonLogger,
    /** Told about every call (metrics); the adapter itself never imports a metrics library. */
    private readonly observer: UpstreamObserver = NO_UPSTREAM_OBSERVER,
    /** Circuit breaker and budget; absent only where a client is built outside Nest. */
    private readonly resilience: UpstreamResilience | null = null,
    /** Stamps `fetchedAt`, from which cache ages are measured. */
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.timeoutMs = config.alpaca.requestTimeoutMs;
    this.propagateTrace = config.telemetry.propagateUpstream;
    this.host = new HostAttempts(api, account.name, httpServerAttributes(new URL(baseURL)), resilience);
    this.reads = new ReadPolicy({
      maxAttempts: config.resilience.retryMaxAttempts,
      deadlineMs: config.resilience.requestDeadlineMs,
    });
    this.http = axios.create({
      baseURL,
      timeout: config.alpaca.requestTimeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true },
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      headers: {
        Accept: 'application/json',
        'APCA-API-KEY-ID': account.keyId,
        'APCA-API-SECRET-KEY': account.secretKey,
      },
    });
  }

  /**
   * A read, through the read policy (ReadPolicy: deadline, retries with jittered backoff or
   * Alpaca's Retry-After); every attempt passes the host's circuit breaker and spends budget.
   */
  get<T>(path: string, options: GetOptions<T>): Promise<UpstreamResponse<T>> {
    const priority = options.priority ?? (this.api === 'data' ? 'quote' : 'trading_read');
    const read = { ...options, method: 'GET' as const };
    // The request this call is made for (its log lines name it through the logger, its spans hang
    // under it, an aborted request's line counts it); none for a background refresh.
    const scope = currentScope();
    return this.reads.execute(
      ({ attempt, leftMs, signal }) =>
        this.host.attempt({ priority, endpoint: read.endpoint, method: 'GET', attempt, scope }, (span) =>
          this.request(path, read, { timeoutMs: Math.min(this.timeoutMs, leftMs), signal, span, attempt }),
        ),
      ({ attempt, waitMs, error }) =>
        this.logger.event('debug', 'upstream_retry', {
          api: this.api,
          endpoint: error.endpoint,
          attempt,
          wait_ms: waitMs,
          error: error.code,
        }),
    );
  }

  /**
   * A write (order submit, cancel). Never retried here or anywhere: the caller reconciles an
   * unknown outcome itself (see the trading module).
   */
  send<T>(path: string, options: SendOptions<T>): Promise<UpstreamResponse<T>> {
    const scope = currentScope();
    return this.host.attempt(
      { priority: options.priority ?? 'order', endpoint: options.endpoint, method: options.method, attempt: 1, scope },
      (span) => this.request(path, options, { timeoutMs: this.timeoutMs, signal: undefined, span, attempt: 1 }),
    );
  }

  private async request<T>(
    path: string,
    options: GetOptions<T> & { method: 'GET' | SendOptions<T>['method']; body?: unknown; emptyBody?: boolean },
    call: AttemptCall,
  ): Promise<UpstreamResponse<T>> {
    const { timeoutMs, signal, span } = call;
    if (timeoutMs < MIN_ATTEMPT_MS) {
      throw new UpstreamError({
        code: 'UPSTREAM_TIMEOUT',
        api: this.api,
        endpoint: options.endpoint,
        upstreamStatus: null,
        message: 'The request deadline passed before Alpaca answered.',
      });
    }
    // System time on purpose: a call's duration against axios' real timeout (the Clock stamps fetchedAt, not this).
    const started = Date.now();
    const url = `${path}${buildQuery(options.query)}`;
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    // W3C trace context goes to Alpaca only when TRACE_PROPAGATE_UPSTREAM says so.
    if (span !== null && this.propagateTrace) headers['traceparent'] = traceparentOf(span);
    // The URL axios will send (base URL joined as it joins it); Alpaca's keys travel in headers, never in it.
    if (span !== null) span.setAttribute(ATTR.urlFull, fullUrlOf(this.http.getUri({ url })));
    let res: AxiosResponse<string>;
    try {
      res = await this.http.request<string>({
        url,
        timeout: timeoutMs,
        signal,
        method: options.method,
        data: options.body === undefined ? undefined : JSON.stringify(options.body),
        headers,
      });
    } catch (e: unknown) {
      throw this.networkFailure(e, options.endpoint, started, signal?.aborted === true, call);
    }
    span?.setAttribute(ATTR.statusCode, res.status);
    const answered = headerBag(res);
    const requestId = answered['x-request-id'] ?? null;
    const body = typeof res.data === 'string' ? res.data : '';
    this.logCall(options.endpoint, res.status, started, requestId, call);
    const remaining = parseRateLimitRemaining(answered['x-ratelimit-remaining']);
    this.observer.observeUpstreamCall({
      api: this.api,
      endpoint: options.endpoint,
      outcome: outcomeForStatus(res.status),
      durationMs: Date.now() - started,
      rateLimitRemaining: remaining,
      account: this.account.name,
    });
    const reset = answered['x-ratelimit-reset'];
    const limit = answered['x-ratelimit-limit'];
    this.resilience?.observe(
      this.api,
      this.account.name,
      remaining,
      reset !== undefined && /^\d+$/.test(reset) ? Number(reset) : null,
      limit !== undefined && /^\d+$/.test(limit) ? Number(limit) : null,
    );
    if (res.status < 200 || res.status >= 300) {
      const failure = failureFromResponse({
        api: this.api,
        endpoint: options.endpoint,
        method: options.method,
        status: res.status,
        headers: answered,
        body,
      });
      if (res.status === 404 && options.notFoundCode !== undefined) failure.code = options.notFoundCode;
      throw new UpstreamError(failure);
    }
    // 204 No Content (a cancel) has nothing to decode.
    const empty = res.status === 204 || (options.emptyBody === true && body.trim() === '');
    const decoded = empty ? options.parse(null) : this.decode(body, options, requestId);
    return { body: decoded, requestId, fetchedAt: this.clock.now() };
  }

  private decode<T>(body: string, options: GetOptions<T>, requestId: string | null): T {
    try {
      return options.parse(JSON.parse(body.replace(LONG_TRADE_ID, '"i":"$1"')));
    } catch (e: unknown) {
      const reason = e instanceof WireFormatError ? e.message : 'body is not valid JSON';
      this.logger.event('warn', 'upstream_invalid_response', {
        api: this.api,
        endpoint: options.endpoint,
        reason,
        upstream_request_id: requestId,
      });
      throw new UpstreamError({
        code: 'UPSTREAM_INVALID_RESPONSE',
        api: this.api,
        endpoint: options.endpoint,
        upstreamStatus: 200,
        upstreamRequestId: requestId,
        details: { reason },
        cause: e,
      });
    }
  }

  /** `deadlinePassed`: the read's deadline aborted the attempt (a timeout like any other). */
  private networkFailure(
    e: unknown,
    endpoint: string,
    started: number,
    deadlinePassed: boolean,
    { attempt }: AttemptCall,
  ): UpstreamError {
    const code = deadlinePassed ? 'ETIMEDOUT' : e instanceof AxiosError ? e.code : undefined;
    const timedOut = code !== undefined && NETWORK_TIMEOUT_CODES.has(code);
    this.logger.event('warn', 'upstream_network_error', {
      api: this.api,
      endpoint,
      attempt,
      error: code ?? 'unknown',
      duration_ms: Date.now() - started,
    });
    this.observer.observeUpstreamCall({
      api: this.api,
      endpoint,
      outcome: timedOut ? 'timeout' : 'network_error',
      durationMs: Date.now() - started,
      rateLimitRemaining: null,
      account: this.account.name,
    });
    return new UpstreamError({
      code: timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_API_UNAVAILABLE',
      api: this.api,
      endpoint,
      upstreamStatus: null,
      message: timedOut ? `Alpaca did not answer within ${Date.now() - started} ms.` : undefined,
      details: { network_error: code ?? 'unknown' },
      cause: e,
    });
  }

  private logCall(
    endpoint: string,
    status: number,
    started: number,
    requestId: string | null,
    { attempt }: AttemptCall,
  ): void {
    this.logger.event(status >= 400 ? 'warn' : 'debug', 'upstream_call', {
      api: this.api,
      endpoint,
      status,
      attempt,
      duration_ms: Date.now() - started,
      upstream_request_id: requestId,
    });
  }
}
