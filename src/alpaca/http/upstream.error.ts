import { AppError } from '../../core/errors/app-error.js';
import type { ErrorCode } from '../../core/errors/error-catalog.js';

export type UpstreamApi = 'data' | 'trading';

export interface UpstreamFailure {
  code: ErrorCode;
  api: UpstreamApi;
  endpoint: string;
  /** HTTP status Alpaca answered with; null for network errors and timeouts. */
  upstreamStatus: number | null;
  /** Alpaca's own error code and message, when its body had them. */
  upstreamCode?: number | string | null;
  upstreamMessage?: string | null;
  upstreamRequestId?: string | null;
  retryAfter?: number | null;
  message?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A failed Alpaca call, typed with the catalog code it means for our clients. Thrown only by the
 * adapter; the global filter renders it like any AppError.
 */
export class UpstreamError extends AppError {
  readonly api: UpstreamApi;
  readonly endpoint: string;
  readonly upstreamStatus: number | null;
  readonly upstreamCode: number | string | null;
  readonly upstreamMessage: string | null;

  constructor(f: UpstreamFailure) {
    super(f.code, {
      message: f.message,
      retryAfter: f.retryAfter ?? null,
      cause: f.cause,
      details: {
        upstream: f.api,
        upstream_status: f.upstreamStatus,
        upstream_code: f.upstreamCode ?? null,
        upstream_message: f.upstreamMessage ?? null,
        upstream_request_id: f.upstreamRequestId ?? null,
        ...f.details,
      },
    });
    this.name = 'UpstreamError';
    this.api = f.api;
    this.endpoint = f.endpoint;
    this.upstreamStatus = f.upstreamStatus;
    this.upstreamCode = f.upstreamCode ?? null;
    this.upstreamMessage = f.upstreamMessage ?? null;
  }
}
