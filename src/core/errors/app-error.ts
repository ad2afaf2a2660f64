import { catalogEntry, type ErrorCode } from './error-catalog.js';

export interface AppErrorOptions {
  /** More specific than the catalog's default message; must not contain secrets. */
  message?: string;
  details?: Record<string, unknown>;
  /** Seconds the client should wait; rendered as Retry-After. */
  retryAfter?: number | null;
  cause?: unknown;
  /** Extra response headers, e.g. WWW-Authenticate on a 401. */
  headers?: Record<string, string>;
}

/**
 * The one exception type our code throws. It names a catalog code; the global filter turns it
 * into the error envelope. Services never throw HttpExceptions.
 */
export class AppError extends Error {
  readonly details: Record<string, unknown>;
  readonly retryAfter: number | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {},
  ) {
    super(options.message ?? catalogEntry(code).message, { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details ?? {};
    this.retryAfter = options.retryAfter ?? null;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return catalogEntry(this.code).status;
  }
}
