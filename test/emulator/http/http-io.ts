/**
 * Low-level HTTP helpers: reading and recording a request, Alpaca's standard response headers
 * and writing a response.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHost, RecordedRequest } from '../emulator.types.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** §5.3/§5.4: Alpaca's documented per-minute budget on the free plan and the trading API. */
export const RATE_LIMIT_PER_MINUTE = 200;
const WINDOW_MS = 60_000;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  // IncomingMessage yields Buffers unless setEncoding() was called, which nothing here does.
  for await (const chunk of request as AsyncIterable<unknown>) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // RecordedRequest.body documents "parsed JSON or undefined"; handlers still see the raw text.
    return undefined;
  }
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    // A malformed escape (`%E0%A4%A`) is recorded as sent rather than rejected at this layer.
    return rawPath;
  }
}

export function recordRequest(host: EmulatorHost, request: IncomingMessage, rawBody: string): RecordedRequest {
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    query[name] = value; // last value wins
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    host,
    method: (request.method ?? 'GET').toUpperCase(),
    path: decodePath(url.pathname),
    query,
    headers,
    body: parseJson(rawBody),
    at: Date.now(),
  };
}

/**
 * A fixed one-minute window per host and account, reported through X-RateLimit-* like Alpaca. It only
 * reports: refusing is left to injected faults, so tests decide when a 429 happens.
 */
export class RateLimitWindow {
  private windowStart = 0;
  private used = 0;

  /** Alpaca's free plan by default; tests that send thousands of calls raise it. */
  constructor(private readonly limit: number = RATE_LIMIT_PER_MINUTE) {}

  /** Counts one request and returns the headers describing the budget after it. */
  take(now: number = Date.now()): Record<string, string> {
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
    this.used += 1;
    return {
      'X-RateLimit-Limit': String(this.limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.limit - this.used)),
      'X-RateLimit-Reset': String((start + WINDOW_MS) / 1000),
    };
  }
}

/** One RateLimitWindow per host and account, made on first use; clear() starts every budget afresh. */
export class RateLimitWindows {
  private readonly windows = new Map<string, RateLimitWindow>();

  constructor(private readonly limit: number = RATE_LIMIT_PER_MINUTE) {}

  of(host: EmulatorHost, account: string): RateLimitWindow {
    const key = JSON.stringify([host, account]);
    let window = this.windows.get(key);
    if (window === undefined) {
      window = new RateLimitWindow(this.limit);
      this.windows.set(key, window);
    }
    return window;
  }

  clear(): void {
    this.windows.clear();
  }
}

export function requestId(): string {
  return randomBytes(16).toString('hex');
}

export interface OutgoingResponse {
  status: number;
  headers: Record<string, string>;
  /** Sent verbatim; undefined sends no body and no content type. */
  text?: string;
}

/**
 * `base` overlaid with `overrides`, matching names case-insensitively: writeHead() would
 * otherwise send both `X-RateLimit-Reset` and a fault's `x-ratelimit-reset`.
 */
export function mergeHeaders(
  base: Record<string, string>,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const overridden = new Set(Object.keys(overrides).map((name) => name.toLowerCase()));
  const kept = Object.entries(base).filter(([name]) => !overridden.has(name.toLowerCase()));
  return { ...Object.fromEntries(kept), ...overrides };
}

export function writeResponse(response: ServerResponse, outgoing: OutgoingResponse): void {
  // A client that gave up (or stop() destroying the socket) leaves nothing to answer.
  if (response.destroyed || response.writableEnded) return;
  let headers = outgoing.headers;
  if (outgoing.text !== undefined) {
    const defaults = { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(outgoing.text)) };
    // The body length is a fact about this response, so it wins over anything supplied.
    headers = mergeHeaders(mergeHeaders(defaults, headers), { 'Content-Length': defaults['Content-Length'] });
  }
  response.writeHead(outgoing.status, headers);
  response.end(outgoing.text);
}

export function jsonText(body: unknown): string | undefined {
  return body === undefined ? undefined : JSON.stringify(body);
}
