import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { AppConfig } from '../core/config/app-config.js';
import { Clock, SystemClock } from '../core/time/clock.js';
import type { ErrorCode } from '../core/errors/error-catalog.js';
import type { WinstonLogger } from '../core/logging/winston-logger.js';
import { NO_UPSTREAM_OBSERVER, outcomeForStatus, parseRateLimitRemaining, type UpstreamObserver } from '../core/metrics/upstream-observer.js';
import { failureFromResponse, type HeaderBag } from './upstream-failure.mapper.js';
import { UpstreamError, type UpstreamApi } from './upstream.error.js';
import { WireFormatError } from './wire-parsers.js';
import type { UpstreamResilience } from './resilience/upstream-resilience.js';
import type { CallPriority } from './resilience/upstream-budget.js';

/** Query values; undefined members are left out (never sent as "undefined" or "null"). */
export type Query = Record<string, string | number | boolean | undefined>;

export interface UpstreamResponse<T> {
  body: T;
  /** Alpaca's X-Request-ID, for support tickets. */
  requestId: string | null;
  fetchedAt: number;
}

export interface GetOptions<T> {
  /** Template for logs and errors (no symbols): e.g. `/v2/stocks/quotes/latest`. */
  endpoint: string;
  query?: Query;
  parse: (body: unknown) => T;
  /** What a 404 means on this endpoint (order, position…); by default an unexpected answer. */
  notFoundCode?: ErrorCode;
  /** Budget class; default: `quote` on the data host, `trading_read` on the trading host. */
  priority?: CallPriority;
}

export interface SendOptions<T> extends GetOptions<T> {
  method: 'POST' | 'DELETE' | 'PATCH';
  body?: unknown;
  /** A 2xx may come without a body (documented so for this endpoint): parsed as null, not refused. */
  emptyBody?: boolean;
}

/** Statuses worth another try on a GET (alpaca-api.md §5.5); everything else is final. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 1000;
/** An attempt with less time than this left is not worth starting. */
const MIN_ATTEMPT_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isHostFailure(e: UpstreamError): boolean {
  return e.upstreamStatus === null || e.upstreamStatus >= 500 || e.code === 'UPSTREAM_INVALID_RESPONSE';
}

const MAX_SOCKETS = 64;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const NETWORK_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED']);
/** uint64 trade ids above 2^53 would lose digits in JSON.parse; quote them first. */
const LONG_TRADE_ID = /"i":(\d{16,})/g;

export function buildQuery(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

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
  private readonly deadlineMs: number;
  private readonly maxAttempts: number;

  protected constructor(
    private readonly api: UpstreamApi,
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
    this.deadlineMs = config.resilience.requestDeadlineMs;
    this.maxAttempts = config.resilience.retryMaxAttempts;
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
        'APCA-API-KEY-ID': config.alpaca.keyId,
        'APCA-API-SECRET-KEY': config.alpaca.secretKey,
      },
    });
  }

  /**
   * A read. Retried on network errors, timeouts, 429 and 5xx with exponential backoff and full
   * jitter (or Alpaca's Retry-After), never past the per-request deadline; every attempt passes
   * the host's circuit breaker and spends budget.
   */
  async get<T>(path: string, options: GetOptions<T>): Promise<UpstreamResponse<T>> {
    const deadline = Date.now() + this.deadlineMs;
    const priority = options.priority ?? (this.api === 'data' ? 'quote' : 'trading_read');
    for (let attempt = 1; ; attempt += 1) {
      const left = deadline - Date.now();
      try {
        return await this.guarded(priority, () => this.request(path, { ...options, method: 'GET' }, Math.min(this.timeoutMs, left)));
      } catch (e: unknown) {
        if (!(e instanceof UpstreamError) || attempt >= this.maxAttempts) throw e;
        if (e.upstreamStatus !== null && !RETRYABLE_STATUS.has(e.upstreamStatus)) throw e;
        if (e.code === 'UPSTREAM_INVALID_RESPONSE') throw e;
        const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        const wait = e.retryAfter !== null && e.upstreamStatus === 429 ? e.retryAfter * 1000 : backoff;
        // Never wait past the deadline: the client hears the real error now instead.
        if (Date.now() + wait + MIN_ATTEMPT_MS > deadline) throw e;
        this.logger.event('debug', 'upstream_retry', { api: this.api, endpoint: options.endpoint, attempt, wait_ms: Math.round(wait), error: e.code });
        await sleep(wait);
      }
    }
  }

  /**
   * A write (order submit, cancel). Never retried here or anywhere: the caller reconciles an
   * unknown outcome itself (see the trading module).
   */
  send<T>(path: string, options: SendOptions<T>): Promise<UpstreamResponse<T>> {
    return this.guarded(options.priority ?? 'order', () => this.request(path, options, this.timeoutMs));
  }

  /** Circuit breaker and budget around one attempt. */
  private async guarded<T>(priority: CallPriority, attempt: () => Promise<T>): Promise<T> {
    if (this.resilience === null) return attempt();
    const circuit = this.resilience.circuit(this.api);
    circuit.acquire();
    try {
      await this.resilience.take(this.api, priority);
    } catch (e: unknown) {
      circuit.neutral();
      throw e;
    }
    try {
      const result = await attempt();
      circuit.success();
      return result;
    } catch (e: unknown) {
      if (e instanceof UpstreamError && isHostFailure(e)) circuit.failure();
      else circuit.neutral();
      throw e;
    }
  }

  private async request<T>(
    path: string,
    options: GetOptions<T> & { method: 'GET' | SendOptions<T>['method']; body?: unknown; emptyBody?: boolean },
    timeoutMs: number,
  ): Promise<UpstreamResponse<T>> {
    if (timeoutMs < MIN_ATTEMPT_MS) {
      throw new UpstreamError({ code: 'UPSTREAM_TIMEOUT', api: this.api, endpoint: options.endpoint, upstreamStatus: null, message: 'The request deadline passed before Alpaca answered.' });
    }
    const started = Date.now();
    const url = `${path}${buildQuery(options.query)}`;
    let res: AxiosResponse<string>;
    try {
      res = await this.http.request<string>({
        url,
        timeout: timeoutMs,
        method: options.method,
        data: options.body === undefined ? undefined : JSON.stringify(options.body),
        headers: options.body === undefined ? undefined : { 'Content-Type': 'application/json' },
      });
    } catch (e: unknown) {
      throw this.networkFailure(e, options.endpoint, started);
    }
    const headers = headerBag(res);
    const requestId = headers['x-request-id'] ?? null;
    const body = typeof res.data === 'string' ? res.data : '';
    this.logCall(options.endpoint, res.status, started, requestId);
    const remaining = parseRateLimitRemaining(headers['x-ratelimit-remaining']);
    this.observer.observeUpstreamCall({
      api: this.api, endpoint: options.endpoint, outcome: outcomeForStatus(res.status), durationMs: Date.now() - started,
      rateLimitRemaining: remaining,
    });
    const reset = headers['x-ratelimit-reset'];
    const limit = headers['x-ratelimit-limit'];
    this.resilience?.observe(this.api, remaining, reset !== undefined && /^\d+$/.test(reset) ? Number(reset) : null, limit !== undefined && /^\d+$/.test(limit) ? Number(limit) : null);
    if (res.status < 200 || res.status >= 300) {
      const failure = failureFromResponse({ api: this.api, endpoint: options.endpoint, status: res.status, headers, body });
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
      this.logger.event('warn', 'upstream_invalid_response', { api: this.api, endpoint: options.endpoint, reason, upstream_request_id: requestId });
      throw new UpstreamError({
        code: 'UPSTREAM_INVALID_RESPONSE', api: this.api, endpoint: options.endpoint, upstreamStatus: 200,
        upstreamRequestId: requestId, details: { reason }, cause: e,
      });
    }
  }

  private networkFailure(e: unknown, endpoint: string, started: number): UpstreamError {
    const code = e instanceof AxiosError ? e.code : undefined;
    const timedOut = code !== undefined && NETWORK_TIMEOUT_CODES.has(code);
    this.logger.event('warn', 'upstream_network_error', {
      api: this.api, endpoint, error: code ?? 'unknown', duration_ms: Date.now() - started,
    });
    this.observer.observeUpstreamCall({
      api: this.api, endpoint, outcome: timedOut ? 'timeout' : 'network_error', durationMs: Date.now() - started, rateLimitRemaining: null,
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

  private logCall(endpoint: string, status: number, started: number, requestId: string | null): void {
    this.logger.event(status >= 400 ? 'warn' : 'debug', 'upstream_call', {
      api: this.api, endpoint, status, duration_ms: Date.now() - started, upstream_request_id: requestId,
    });
  }
}
