import type { OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CATALOG } from './error-catalog.js';
import { errorExamples, stampErrorExampleEndpoints } from './error-examples.js';

describe('errorExamples', () => {
  it('gives each code a named example with the catalog entry and the envelope metadata', () => {
    const examples = errorExamples(['UPSTREAM_API_UNAVAILABLE', 'CIRCUIT_OPEN']);
    expect(Object.keys(examples)).toEqual(['UPSTREAM_API_UNAVAILABLE', 'CIRCUIT_OPEN']);
    const entry = ERROR_CATALOG.CIRCUIT_OPEN;
    expect(examples['CIRCUIT_OPEN']?.value).toEqual({
      error: { code: 'CIRCUIT_OPEN', message: entry.message, type: entry.type, severity: entry.severity, details: {} },
      metadata: {
        request_id: expect.stringMatching(/^req_[0-9a-f]{32}$/),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        endpoint: expect.any(String),
        suggested_actions: [...entry.suggestedActions],
        retry_after: null,
      },
    });
  });
});

describe('stampErrorExampleEndpoints', () => {
  it("sets each error example's endpoint to its operation's path, without touching the shared example", () => {
    const shared = errorExamples(['SYMBOL_NOT_FOUND']);
    const response = (): object => ({ description: '', content: { 'application/json': { examples: shared } } });
    const doc = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/a/{symbol}': { get: { responses: { '404': response() } } },
        '/b': { post: { responses: { '404': response() } } },
      },
    } as unknown as OpenAPIObject;
    stampErrorExampleEndpoints(doc);
    const endpoint = (path: string, method: 'get' | 'post'): unknown => {
      const res = doc.paths[path]?.[method]?.responses['404'] as {
        content: Record<string, { examples: Record<string, { value: { metadata: { endpoint: string } } }> }>;
      };
      return res.content['application/json']?.examples['SYMBOL_NOT_FOUND']?.value.metadata.endpoint;
    };
    expect(endpoint('/a/{symbol}', 'get')).toBe('/a/{symbol}');
    expect(endpoint('/b', 'post')).toBe('/b');
    expect((shared['SYMBOL_NOT_FOUND']?.value as { metadata: { endpoint: string } }).metadata.endpoint).toBe(
      '{endpoint}',
    );
  });
});
