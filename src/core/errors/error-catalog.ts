import type { CatalogEntry } from './catalog-entry.js';
import { REQUEST_ERRORS } from './catalog-request-errors.js';
import { SERVICE_ERRORS } from './catalog-service-errors.js';

export type { CatalogEntry, ErrorSeverity, ErrorType } from './catalog-entry.js';

/**
 * The one error catalog (docs/contract.md "The error envelope and catalog"). Every error a client sees is one
 * of these codes; the global filter renders them and nothing else builds error bodies.
 */
export const ERROR_CATALOG = {
  ...REQUEST_ERRORS,
  ...SERVICE_ERRORS,
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export function catalogEntry(code: ErrorCode): CatalogEntry {
  return ERROR_CATALOG[code];
}
