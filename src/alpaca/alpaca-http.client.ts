import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { AppConfig } from '../core/config/app-config.js';
import type { ErrorCode } from '../core/errors/error-catalog.js';
import type { WinstonLogger } from '../core/logging/winston-logger.js';
import { NO_UPSTREAM_OBSERVER, outcomeForStatus, parseRateLimitRemaining, type UpstreamObserver } from '../core/metrics/upstream-observer.js';
import { failureFromResponse, type HeaderBag } from './upstream-failure.mapper.js';
import { UpstreamError, type UpstreamApi } from './upstream.error.js';
import { WireFormatError } from './wire-parsers.js';

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
}

export interface SendOptions<T> extends GetOptions<T> {
  method: 'POST' | 'DELETE' | 'PATCH';
  body?: unknown;
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

  protected constructor(
    private readonly api: UpstreamApi,
    baseURL: string,
    config: AppConfig,
    private readonly logger: WinstonLogger,
    /** Told about every call (metrics); the adapter itself never imports a metrics library. */
    private readonly observer: UpstreamObserver = NO_UPSTREAM_OBSERVER,
  ) {
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

  get<T>(path: string, options: GetOptions<T>): Promise<UpstreamResponse<T>> {
    return this.request(path, { ...options, method: 'GET' });
  }

  /**
   * A write (order submit, cancel). Never retried here or anywhere: the caller reconciles an
   * unknown outcome itself (see the trading module).
   */
  send<T>(path: string, options: SendOptions<T>): Promise<UpstreamResponse<T>> {
    return this.request(path, options);
  }

  private async request<T>(
    path: string,
    options: GetOptions<T> & { method: 'GET' | SendOptions<T>['method']; body?: unknown },
  ): Promise<UpstreamResponse<T>> {
    const started = Date.now();
    const url = `${path}${buildQuery(options.query)}`;
    let res: AxiosResponse<string>;
    try {
      res = await this.http.request<string>({
        url,
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
    this.observer.observeUpstreamCall({
      api: this.api, endpoint: options.endpoint, outcome: outcomeForStatus(res.status), durationMs: Date.now() - started,
      rateLimitRemaining: parseRateLimitRemaining(headers['x-ratelimit-remaining']),
    });
    if (res.status < 200 || res.status >= 300) {
      const failure = failureFromResponse({ api: this.api, endpoint: options.endpoint, status: res.status, headers, body });
      if (res.status === 404 && options.notFoundCode !== undefined) failure.code = options.notFoundCode;
      throw new UpstreamError(failure);
    }
    // 204 No Content (a cancel) has nothing to decode.
    const decoded = res.status === 204 ? options.parse(null) : this.decode(body, options, requestId);
    return { body: decoded, requestId, fetchedAt: Date.now() };
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
