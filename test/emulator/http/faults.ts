/**
 * Fault injection: an ordered list of specs, each with an optional budget (`times`). The first
 * matching spec with budget left answers the request.
 */
import type { EmulatorHost, FaultSpec, RecordedRequest } from '../emulator.types.js';
import { badRequest } from './http-error.js';
import { RATE_LIMIT_PER_MINUTE } from './http-io.js';

const DEFAULT_RATE_LIMIT_RESET_SECONDS = 2;

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
}

/** A copy of the regex without g/y flags: those make `test()` stateful across requests. */
function statelessRegex(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/** The path filter used by faults and requestsTo(): a string matches exactly. */
export function pathMatches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : statelessRegex(pattern).test(path);
}

function matches(spec: FaultSpec, request: RecordedRequest): boolean {
  if (spec.host !== undefined && spec.host !== request.host) return false;
  if (spec.method !== undefined && spec.method.toUpperCase() !== request.method) return false;
  if (spec.account !== undefined && spec.account !== request.account) return false;
  return spec.path === undefined || pathMatches(spec.path, request.path);
}

export interface RateLimitFaultOptions {
  resetInSeconds?: number;
  times?: number;
  path?: string | RegExp;
  retryAfter?: number;
  /** Only this account's requests (name or key id): its budget is spent, the others' are not. */
  account?: string;
}

/**
 * A 429 as Alpaca sends it when a budget is spent (§5.3): `X-RateLimit-Reset` is the epoch second
 * at which the budget refills, computed when this helper is called.
 */
export function rateLimitFault(opts: RateLimitFaultOptions = {}): FaultSpec {
  // Rounded up so the advertised reset is never sooner than asked for.
  const reset = Math.ceil(Date.now() / 1000 + (opts.resetInSeconds ?? DEFAULT_RATE_LIMIT_RESET_SECONDS));
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(RATE_LIMIT_PER_MINUTE),
    'X-RateLimit-Remaining': '0',
    'X-RateLimit-Reset': String(reset),
  };
  if (opts.retryAfter !== undefined) headers['Retry-After'] = String(opts.retryAfter);
  const fault: FaultSpec = { kind: 'status', status: 429, headers, body: { message: 'too many requests.' } };
  if (opts.times !== undefined) fault.times = opts.times;
  if (opts.path !== undefined) fault.path = opts.path;
  if (opts.account !== undefined) fault.account = opts.account;
  return fault;
}

export class FaultStore {
  private armed: ArmedFault[] = [];

  add(fault: FaultSpec): void {
    // Copied so a caller reusing its object cannot change an armed fault behind our back.
    this.armed.push({ spec: { ...fault }, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.armed = [];
  }

  /** Finds the fault for this request and spends one unit of its budget. */
  take(request: RecordedRequest): FaultSpec | undefined {
    const hit = this.armed.find((fault) => fault.remaining > 0 && matches(fault.spec, request));
    if (hit === undefined) return undefined;
    hit.remaining -= 1;
    return hit.spec;
  }
}

// ---- Parsing a FaultSpec sent as JSON to POST /__emulator/faults ----

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw badRequest(`invalid fault: ${name} must be a number >= 0`);
  return value;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`invalid fault: ${name} must be a string`);
  return value;
}

function regexFrom(source: unknown): RegExp {
  if (typeof source !== 'string') throw badRequest('invalid fault: pathRegex must be a string');
  try {
    return new RegExp(source);
  } catch (error: unknown) {
    throw badRequest(
      `invalid fault: pathRegex does not compile (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** `path` may be a string, or a RegExp sent as top-level `pathRegex` or as `path: {pathRegex}`. */
function pathFrom(json: Json): string | RegExp | undefined {
  if (json.pathRegex !== undefined) return regexFrom(json.pathRegex);
  if (isRecord(json.path)) return regexFrom(json.path.pathRegex);
  return optionalString(json.path, 'path');
}

function headersFrom(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || Object.values(value).some((header) => typeof header !== 'string')) {
    throw badRequest('invalid fault: headers must map names to strings');
  }
  return Object.fromEntries(Object.entries(value).map(([name, header]) => [name, String(header)]));
}

function statusBodyFrom(value: unknown): string | object | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return value;
  throw badRequest('invalid fault: body must be a string or a JSON object');
}

function kindFrom(json: Json): FaultSpec {
  switch (json.kind) {
    case 'status': {
      const status = nonNegativeNumber(json.status, 'status');
      if (!Number.isInteger(status) || status < 100 || status > 599)
        throw badRequest('invalid fault: status must be 100..599');
      return { kind: 'status', status, body: statusBodyFrom(json.body), headers: headersFrom(json.headers) };
    }
    case 'delay':
      return { kind: 'delay', ms: nonNegativeNumber(json.ms, 'ms') };
    case 'hang':
    case 'malformed':
    case 'reset':
    case 'empty':
    case 'accept-then-hang':
      return { kind: json.kind };
    default:
      throw badRequest(`invalid fault: unknown kind ${JSON.stringify(json.kind)}`);
  }
}

function hostFrom(value: unknown): EmulatorHost | undefined {
  if (value === undefined || value === 'data' || value === 'trading') return value;
  throw badRequest('invalid fault: host must be "data" or "trading"');
}

export function parseFaultSpec(value: unknown): FaultSpec {
  if (!isRecord(value)) throw badRequest('invalid fault: body must be a JSON object');
  const spec: FaultSpec = { ...kindFrom(value) };
  const host = hostFrom(value.host);
  const method = optionalString(value.method, 'method');
  const path = pathFrom(value);
  const account = optionalString(value.account, 'account');
  if (host !== undefined) spec.host = host;
  if (account !== undefined) spec.account = account;
  if (method !== undefined) spec.method = method;
  if (path !== undefined) spec.path = path;
  if (value.times !== undefined) spec.times = nonNegativeNumber(value.times, 'times');
  return spec;
}
