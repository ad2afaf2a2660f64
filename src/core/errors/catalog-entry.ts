/** Broad family of an error, so clients can branch without knowing every code. */
export type ErrorType =
  | 'validation_error'
  | 'authentication_error'
  | 'authorization_error'
  | 'data_unavailable'
  | 'not_found'
  | 'conflict'
  | 'order_rejected'
  | 'rate_limit'
  | 'internal_error'
  | 'upstream_error';

export type ErrorSeverity = 'info' | 'warning' | 'error' | 'critical';

export interface CatalogEntry {
  status: number;
  type: ErrorType;
  severity: ErrorSeverity;
  /** Default human message; a thrower may give a more specific one. */
  message: string;
  suggestedActions: readonly string[];
}
