import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';
import { ErrorEnvelopeDto } from './error-envelope.dto.js';
import { errorExamples } from './error-examples.js';

/** Errors any route can answer with, whatever it does. */
const ALWAYS: ErrorCode[] = ['INVALID_PARAMETER', 'INTERNAL_SERVICE_ERROR'];
/** Errors of every authenticated route. */
export const AUTH_ERRORS: ErrorCode[] = [
  'AUTHENTICATION_REQUIRED',
  'INVALID_TOKEN',
  'INVALID_API_KEY',
  'INSUFFICIENT_PERMISSIONS',
  'RATE_LIMIT_EXCEEDED',
  // Only with JWT_JWKS_URL: an identity provider's token while its JWKS is out of reach.
  'IDENTITY_PROVIDER_UNAVAILABLE',
];
/** Errors of every route that calls Alpaca (each call passes the host's circuit breaker). */
export const UPSTREAM_ERRORS: ErrorCode[] = [
  'UPSTREAM_SUBSCRIPTION_REQUIRED',
  'UPSTREAM_INVALID_RESPONSE',
  'UPSTREAM_API_UNAVAILABLE',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_AUTHENTICATION_FAILED',
  'CIRCUIT_OPEN',
  'UPSTREAM_TIMEOUT',
];

/**
 * Documents the catalog codes a route can answer with, grouped by HTTP status, each with the
 * error envelope schema and one named example per code of that status (Swagger UI offers them in
 * a list). Built from the catalog, so the docs cannot drift from it.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  // The route's own codes first: Swagger UI shows the first example of a status by default.
  for (const code of new Set([...codes, ...ALWAYS])) {
    const status = ERROR_CATALOG[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) =>
        ApiResponse({
          status,
          description: list.map((c) => `\`${c}\`: ${ERROR_CATALOG[c].message}`).join('<br>'),
          // Spelled out rather than `type`, so that errors stay application/json on routes whose
          // success is another media type (@ApiProduces('text/event-stream') on the SSE route).
          content: {
            'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDto) }, examples: errorExamples(list) },
          },
        }),
      ),
  );
}
