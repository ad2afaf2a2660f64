/**
 * Helpers for the emulator's own specs: plain Node 20 `fetch` against the real listeners, so
 * the tests see exactly the bytes a gateway would.
 */
import type { AlpacaEmulator, EmulatorHost } from './alpaca-emulator.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined when empty or not JSON. */
  json: unknown;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** false sends no Alpaca key headers; a record replaces them. */
  auth?: false | Record<string, string>;
  signal?: AbortSignal;
}

export function authHeaders(emulator: AlpacaEmulator): Record<string, string> {
  return { 'APCA-API-KEY-ID': emulator.keyId, 'APCA-API-SECRET-KEY': emulator.secretKey };
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // malformed bodies are asserted through `text`
  }
}

export async function call(
  emulator: AlpacaEmulator,
  host: EmulatorHost,
  pathAndQuery: string,
  options: CallOptions = {},
): Promise<Reply> {
  const base = host === 'data' ? emulator.dataUrl : emulator.tradingUrl;
  const headers: Record<string, string> = options.auth === false ? {} : (options.auth ?? authHeaders(emulator));
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${base}${pathAndQuery}`, {
    method: options.method ?? 'GET',
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    signal: options.signal ?? AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parse(text) };
}

/** Narrows a parsed body to an object for property assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function arr(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected a JSON array, got ${JSON.stringify(value)}`);
  return value;
}

/** A body's `next_page_token`, checked to be a string or null (the only shapes Alpaca sends). */
export function nextToken(body: Record<string, unknown>): string | null {
  const token = body.next_page_token;
  if (token === null || typeof token === 'string') return token;
  throw new Error(`next_page_token must be a string or null, got ${JSON.stringify(token)}`);
}
