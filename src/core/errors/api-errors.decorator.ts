import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';
import { ErrorEnvelopeDto } from './error-envelope.dto.js';

/** Errors any route can answer with, whatever it does. */
const ALWAYS: ErrorCode[] = ['INVALID_PARAMETER', 'INTERNAL_SERVICE_ERROR'];
/** Errors of every authenticated route. */
export const AUTH_ERRORS: ErrorCode[] = [
  'AUTHENTICATION_REQUIRED',
  'INVALID_TOKEN',
  'INVALID_API_KEY',
  'INSUFFICIENT_PERMISSIONS',
  'RATE_LIMIT_EXCEEDED',
];
/** Errors of every route that calls Alpaca. */
export const UPSTREAM_ERRORS: ErrorCode[] = [
  'UPSTREAM_SUBSCRIPTION_REQUIRED',
  'UPSTREAM_INVALID_RESPONSE',
  'UPSTREAM_API_UNAVAILABLE',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_AUTHENTICATION_FAILED',
  'UPSTREAM_TIMEOUT',
];

/**
 * Documents the catalog codes a route can answer with, grouped by HTTP status, each with the
 * error envelope schema. Built from the catalog, so the docs cannot drift from it.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...ALWAYS, ...codes])) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) =>
        ApiResponse({
          status,
          type: ErrorEnvelopeDto,
          description: list.map((c) => `\`${c}\`: ${ERROR_CATALOG[c].message}`).join('<br>'),
        }),
      ),
  );
}
