import type { ApiResponseExamples, OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.js';
import { isRecord } from '../validation/is-record.js';

/** Stands for the operation's path until `stampErrorExampleEndpoints` fills it in. */
const ENDPOINT_PLACEHOLDER = '{endpoint}';
/** Per-request fields get fixed, well-formed values; a real answer carries its own. */
const EXAMPLE_REQUEST_ID = 'req_3f2c9a6b0d1e4f5a8b7c6d5e4f3a2b1c';
const EXAMPLE_TIMESTAMP = '2025-06-02T14:30:00.000Z';
const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * One named OpenAPI example per code, keyed by the code: the envelope the global filter renders,
 * with the catalog's message, type, severity and suggested actions.
 */
export function errorExamples(codes: readonly ErrorCode[]): Record<string, ApiResponseExamples> {
  const examples: Record<string, ApiResponseExamples> = {};
  for (const code of codes) {
    const entry = ERROR_CATALOG[code];
    examples[code] = {
      summary: code,
      value: {
        error: { code, message: entry.message, type: entry.type, severity: entry.severity, details: {} },
        metadata: {
          request_id: EXAMPLE_REQUEST_ID,
          timestamp: EXAMPLE_TIMESTAMP,
          endpoint: ENDPOINT_PLACEHOLDER,
          suggested_actions: [...entry.suggestedActions],
          retry_after: null,
        },
      },
    };
  }
  return examples;
}

/**
 * Sets each error example's `metadata.endpoint` to the path of the operation it documents (a
 * decorator does not know its route's path). Builds new example values rather than editing them:
 * decorator metadata may be shared between operations.
 */
export function stampErrorExampleEndpoints(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of OPERATIONS) {
      for (const response of Object.values(item[method]?.responses ?? {})) {
        if (response === undefined || !('content' in response)) continue;
        for (const media of Object.values(response.content ?? {})) {
          for (const [name, example] of Object.entries(media.examples ?? {})) {
            if ('$ref' in example) continue;
            const value: unknown = example.value;
            if (
              !isRecord(value) ||
              !isRecord(value['metadata']) ||
              value['metadata']['endpoint'] !== ENDPOINT_PLACEHOLDER
            )
              continue;
            media.examples = {
              ...media.examples,
              [name]: { ...example, value: { ...value, metadata: { ...value['metadata'], endpoint: path } } },
            };
          }
        }
      }
    }
  }
}
