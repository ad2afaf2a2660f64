/**
 * What happens to one request: read → (control? answer) → record → rate-limit count → pick fault
 * → latency → apply the fault, or auth → route. Faults come before auth on purpose: they stand
 * for failures in front of Alpaca's API (proxy 5xx, resets, throttling), which ignore credentials
 * (a fault armed for one account matches on the credentials presented, checked or not). Each
 * request runs against the state of the account whose credentials it carries.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHost, FaultSpec, RecordedRequest } from '../emulator.types.js';
import { CONTROL_PREFIX, type ControlTarget, handleControl } from './control-routes.js';
import type { FaultStore } from './faults.js';
import { EmulatorHttpError } from './http-error.js';
import {
  jsonText,
  mergeHeaders,
  type RateLimitWindow,
  readBody,
  recordRequest,
  requestId,
  writeResponse,
} from './http-io.js';
import type { EmulatorState, RouteContext, RouteResult, Router } from './router.js';

/** The accounts as the pipeline sees them. */
export interface PipelineAccounts {
  /** The account these credentials belong to (both must match), or undefined. */
  byCredentials(
    keyId: unknown,
    secretKey: unknown,
  ): { readonly name: string; readonly state: EmulatorState } | undefined;
  /** Whose state answers a request matching no account (only faults ever reach it: auth refuses first). */
  readonly first: { readonly name: string; readonly state: EmulatorState };
}

export interface PipelineDeps {
  readonly accounts: PipelineAccounts;
  readonly faults: FaultStore;
  readonly control: ControlTarget;
  latencyMs(): number;
  record(request: RecordedRequest): void;
  router(host: EmulatorHost): Router;
  /** The budget this account's requests to `host` count against. */
  rateWindow(host: EmulatorHost, account: string): RateLimitWindow;
  /** Waits `ms`; stop() rejects every pending wait, so sleeps end with the emulator. */
  sleep(ms: number): Promise<void>;
}

interface Exchange {
  deps: PipelineDeps;
  host: EmulatorHost;
  request: RecordedRequest;
  /** The state of the account whose credentials came in; undefined: they matched none (→ 401). */
  state: EmulatorState | undefined;
  /** X-RateLimit-* and X-Request-ID, sent on every non-control answer. */
  standardHeaders: Record<string, string>;
  response: ServerResponse;
}

const UNAUTHORIZED: RouteResult = { status: 401, body: { code: 40110000, message: 'request is not authorized' } };

function send(exchange: Exchange, result: RouteResult): void {
  writeResponse(exchange.response, {
    status: result.status,
    headers: exchange.standardHeaders,
    text: jsonText(result.body),
  });
}

function contextFor(exchange: Exchange, params: Record<string, string>): RouteContext {
  return { request: exchange.request, params, state: exchange.state ?? exchange.deps.accounts.first.state };
}

/** The answer Alpaca would give with no fault in the way. Runs the handler's side effects. */
function resolveNormally(exchange: Exchange): RouteResult {
  if (exchange.state === undefined) return UNAUTHORIZED;
  const { request } = exchange;
  const match = exchange.deps.router(exchange.host).match(request.method, request.path);
  if (match.kind === 'not-found') return { status: 404, body: { message: 'Not Found' } };
  if (match.kind === 'method-not-allowed') return { status: 405, body: { message: 'Method Not Allowed' } };
  try {
    return match.route.handle(contextFor(exchange, match.params));
  } catch (error: unknown) {
    if (error instanceof EmulatorHttpError) return { status: error.status, body: error.body };
    throw error;
  }
}

/** The endpoint's empty envelope, or undefined when the path has no route to give one. */
function emptyEnvelope(exchange: Exchange): unknown {
  const { request } = exchange;
  const match = exchange.deps.router(exchange.host).match(request.method, request.path);
  return match.kind === 'found' ? match.route.empty(contextFor(exchange, match.params)) : undefined;
}

function statusFaultText(fault: Extract<FaultSpec, { kind: 'status' }>): string | undefined {
  if (fault.status === 204 || fault.status === 304) return undefined;
  if (typeof fault.body === 'string') return fault.body;
  // Default body: Alpaca-style `{message}`, so a bare `{kind:'status', status:500}` still parses.
  return JSON.stringify(fault.body ?? { message: `emulated ${fault.status}` });
}

async function applyFault(exchange: Exchange, fault: FaultSpec): Promise<void> {
  switch (fault.kind) {
    case 'status':
      writeResponse(exchange.response, {
        status: fault.status,
        headers: mergeHeaders(exchange.standardHeaders, fault.headers),
        text: statusFaultText(fault),
      });
      return;
    case 'delay':
      await exchange.deps.sleep(fault.ms);
      send(exchange, resolveNormally(exchange));
      return;
    case 'hang':
      return; // never answered; stop() destroys the socket
    case 'reset':
      exchange.response.socket?.resetAndDestroy();
      return;
    case 'malformed': {
      // A strict prefix of a JSON object/array is never valid JSON.
      const whole = jsonText(emptyEnvelope(exchange) ?? { message: 'Not Found' }) ?? '{}';
      writeResponse(exchange.response, {
        status: 200,
        headers: exchange.standardHeaders,
        text: whole.slice(0, Math.max(1, Math.floor(whole.length / 2))),
      });
      return;
    }
    case 'empty': {
      const envelope = emptyEnvelope(exchange);
      send(exchange, envelope === undefined ? resolveNormally(exchange) : { status: 200, body: envelope });
      return;
    }
    case 'accept-then-hang':
      resolveNormally(exchange); // side effects happen (the order exists), the answer never comes
      return;
  }
}

export async function handleRequest(
  deps: PipelineDeps,
  host: EmulatorHost,
  incoming: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const request = recordRequest(host, incoming, await readBody(incoming));
  if (request.path.startsWith(CONTROL_PREFIX)) {
    const result = handleControl(deps.control, request);
    writeResponse(response, { status: result.status, headers: {}, text: jsonText(result.body) });
    return;
  }
  const keyId = request.headers['apca-api-key-id'];
  const account = deps.accounts.byCredentials(keyId, request.headers['apca-api-secret-key']);
  if (keyId !== undefined) request.keyId = keyId;
  if (account !== undefined) request.account = account.name;
  deps.record(request);
  // Requests under no account count against the first account's budget, as all did with one.
  const standardHeaders = {
    ...deps.rateWindow(host, (account ?? deps.accounts.first).name).take(),
    'X-Request-ID': requestId(),
  };
  const exchange: Exchange = { deps, host, request, state: account?.state, standardHeaders, response };
  // The fault is picked on arrival, so `times` budgets are spent in arrival order.
  const fault = deps.faults.take(request);
  await deps.sleep(deps.latencyMs());
  if (fault === undefined) send(exchange, resolveNormally(exchange));
  else await applyFault(exchange, fault);
}
