/**
 * `/__emulator/*` control endpoints, so a process that cannot reach the emulator object (the
 * standalone runner, a demo script) can still arm faults and read the request log. They need no
 * auth, add no latency and are never recorded. With several accounts, `?account=<name or key id>`
 * narrows the request log to one account, a fault's `account` member arms it for one account only,
 * and GET /__emulator/accounts lists them.
 */
import type { FaultSpec, RecordedRequest } from '../emulator.types.js';
import { badRequest, EmulatorHttpError } from './http-error.js';
import { parseFaultSpec } from './faults.js';
import type { RouteResult } from './router.js';

export const CONTROL_PREFIX = '/__emulator/';

export interface ControlTarget {
  readonly requests: RecordedRequest[];
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  clearRequests(): void;
  setLatency(ms: number): void;
  reset(): void;
  /** The account's name, from its name or key id; unknown → RangeError. */
  accountName(ref: string): string;
  readonly accountList: ReadonlyArray<{ name: string; keyId: string }>;
}

const OK: RouteResult = { status: 200, body: { ok: true } };

function requireJson(request: RecordedRequest): unknown {
  if (request.body === undefined) throw badRequest('a JSON body is required');
  return request.body;
}

function latencyFrom(body: unknown): number {
  const ms = typeof body === 'object' && body !== null && 'ms' in body ? body.ms : undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw badRequest('latency: "ms" must be a number >= 0');
  return ms;
}

/** RangeError (an unknown account) becomes a 400. */
function accountName(target: ControlTarget, ref: string): string {
  try {
    return target.accountName(ref);
  } catch (error: unknown) {
    if (error instanceof RangeError) throw badRequest(error.message);
    throw error;
  }
}

function requestLog(target: ControlTarget, request: RecordedRequest): RecordedRequest[] {
  const ref = request.query.account;
  if (ref === undefined) return target.requests;
  const name = accountName(target, ref);
  return target.requests.filter((r) => r.account === name);
}

function dispatch(target: ControlTarget, request: RecordedRequest): RouteResult {
  switch (`${request.method} ${request.path}`) {
    case 'POST /__emulator/faults': {
      const fault = parseFaultSpec(requireJson(request));
      if (fault.account !== undefined) fault.account = accountName(target, fault.account);
      target.injectFault(fault);
      return OK;
    }
    case 'DELETE /__emulator/faults':
      target.clearFaults();
      return OK;
    case 'GET /__emulator/requests':
      return { status: 200, body: requestLog(target, request) };
    case 'GET /__emulator/accounts':
      return { status: 200, body: target.accountList.map(({ name, keyId }) => ({ name, keyId })) };
    case 'DELETE /__emulator/requests':
      target.clearRequests();
      return OK;
    case 'POST /__emulator/reset':
      target.reset();
      return OK;
    case 'POST /__emulator/latency':
      target.setLatency(latencyFrom(requireJson(request)));
      return OK;
    default:
      return { status: 404, body: { message: 'Not Found' } };
  }
}

export function handleControl(target: ControlTarget, request: RecordedRequest): RouteResult {
  try {
    return dispatch(target, request);
  } catch (error: unknown) {
    if (error instanceof EmulatorHttpError) return { status: error.status, body: error.body };
    throw error;
  }
}
