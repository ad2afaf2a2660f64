import type { ExitPort } from '../config/load-config.js';

/**
 * An environment variable that chooses where something listens. With `port`, it applies only to a
 * failure on that port (the demo's emulator has two listeners); without, to any failure.
 */
export interface AddressVariable {
  name: string;
  port?: number;
}

/** What an operator can do about each cause; anything else keeps its stack trace. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available on this machine',
};

interface ListenError {
  code: string;
  address: string;
  /** Absent when port 0 (any free port) was asked for. */
  port: number | undefined;
}

function asListenError(error: unknown): ListenError | undefined {
  // By shape, not instanceof: the error may come from another realm (Jest's VM, a worker).
  if (typeof error !== 'object' || error === null) return undefined;
  // Node's listen errors (UVExceptionWithHostPort) carry the address and port they tried.
  const { code, syscall, address, port } = error as {
    code?: unknown;
    syscall?: unknown;
    address?: unknown;
    port?: unknown;
  };
  if (syscall !== 'listen' || typeof code !== 'string' || typeof address !== 'string') return undefined;
  return { code, address, port: typeof port === 'number' ? port : undefined };
}

/**
 * One line for an address the process cannot listen on, naming host:port and the variables that
 * choose another; undefined for any other error (a bug, which should keep its stack trace).
 */
export function listenFailureMessage(error: unknown, variables: readonly AddressVariable[]): string | undefined {
  const failure = asListenError(error);
  const reason = failure === undefined ? undefined : REASONS[failure.code];
  if (failure === undefined || reason === undefined) return undefined;
  const matching = variables.filter((v) => v.port === undefined || v.port === failure.port);
  const names = (matching.length > 0 ? matching : variables).map((v) => `${v.name}=...`);
  const host = failure.address.includes(':') ? `[${failure.address}]` : failure.address;
  const where = failure.port === undefined ? host : `${host}:${failure.port}`;
  return `cannot listen on ${where}: ${reason}; choose another with ${names.join(' / ')}`;
}

/**
 * Runs `listen`; if the address cannot be taken, prints one line (no stack trace) and exits 1, as
 * an invalid configuration does (loadConfigOrExit). Any other failure is rethrown.
 */
export async function listenOrExit(
  listen: () => Promise<unknown>,
  variables: readonly AddressVariable[],
  proc: ExitPort = process,
): Promise<void> {
  try {
    await listen();
  } catch (e: unknown) {
    const message = listenFailureMessage(e, variables);
    if (message === undefined) throw e;
    proc.stderr.write(`${message}\n`);
    proc.exit(1);
  }
}
