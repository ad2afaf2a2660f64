import { readFileSync } from 'node:fs';
import { ERROR_CATALOG } from './error-catalog.js';

/** Codes and statuses exactly as docs/contract.md lists them ("The codes every build must have"). */
const CONTRACT: Record<string, number> = {
  INVALID_SYMBOL_FORMAT: 400,
  INVALID_OPTION_SYMBOL: 400,
  INVALID_DATE_RANGE: 400,
  INVALID_PARAMETER: 400,
  REQUEST_SIZE_EXCEEDED: 400,
  AUTHENTICATION_REQUIRED: 401,
  INVALID_TOKEN: 401,
  INVALID_API_KEY: 401,
  INSUFFICIENT_PERMISSIONS: 403,
  ACCOUNT_NOT_ALLOWED: 403,
  UPSTREAM_SUBSCRIPTION_REQUIRED: 403,
  SYMBOL_NOT_FOUND: 404,
  OPTION_DATA_UNAVAILABLE: 404,
  OPTIONS_CHAIN_UNAVAILABLE: 404,
  HISTORICAL_DATA_UNAVAILABLE: 404,
  ORDER_NOT_FOUND: 404,
  POSITION_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  ORDER_REJECTED: 422,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_SERVICE_ERROR: 500,
  UPSTREAM_INVALID_RESPONSE: 502,
  UPSTREAM_API_UNAVAILABLE: 503,
  UPSTREAM_RATE_LIMITED: 503,
  UPSTREAM_AUTHENTICATION_FAILED: 503,
  CIRCUIT_OPEN: 503,
  UPSTREAM_STREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  ORDER_OUTCOME_UNKNOWN: 504,
};

describe('error catalog', () => {
  it('is the one docs/contract.md documents: every catalog code named there', () => {
    const doc = readFileSync('docs/contract.md', 'utf8');
    expect(Object.keys(ERROR_CATALOG).filter((code) => !doc.includes(`\`${code}\``))).toEqual([]);
  });
  it('holds every code of the contract with its status', () => {
    for (const [code, status] of Object.entries(CONTRACT)) {
      expect({ code, status: (ERROR_CATALOG as Record<string, { status: number }>)[code]?.status }).toEqual({
        code,
        status,
      });
    }
  });
  it('adds only CONFIRMATION_REQUIRED (400, unconfirmed bulk writes), PAYLOAD_TOO_LARGE (413, oversized bodies), RISK_LIMIT_EXCEEDED (422, the risk gate), TRADING_HALTED (423, orders refused while an admin halts trading), STREAM_SYMBOL_LIMIT (streams only), AUDIT_UNAVAILABLE (503, orders refused unaudited) and IDENTITY_PROVIDER_UNAVAILABLE (503, JWKS unreachable)', () => {
    expect(Object.keys(ERROR_CATALOG).filter((c) => !(c in CONTRACT))).toEqual([
      'CONFIRMATION_REQUIRED',
      'PAYLOAD_TOO_LARGE',
      'RISK_LIMIT_EXCEEDED',
      'TRADING_HALTED',
      'STREAM_SYMBOL_LIMIT',
      'AUDIT_UNAVAILABLE',
      'IDENTITY_PROVIDER_UNAVAILABLE',
    ]);
    expect(ERROR_CATALOG.RISK_LIMIT_EXCEEDED).toMatchObject({
      status: 422,
      type: 'order_rejected',
      severity: 'warning',
    });
    expect(ERROR_CATALOG.TRADING_HALTED).toMatchObject({ status: 423, type: 'order_rejected' });
    expect(ERROR_CATALOG.CONFIRMATION_REQUIRED.status).toBe(400);
    expect(ERROR_CATALOG.PAYLOAD_TOO_LARGE.status).toBe(413);
    expect(ERROR_CATALOG.AUDIT_UNAVAILABLE.status).toBe(503);
    expect(ERROR_CATALOG.IDENTITY_PROVIDER_UNAVAILABLE).toMatchObject({
      status: 503,
      type: 'upstream_error',
      severity: 'error',
    });
  });
  it('gives every entry a message and at least one suggested action', () => {
    for (const entry of Object.values(ERROR_CATALOG)) {
      expect(entry.message.length).toBeGreaterThan(0);
      expect(entry.suggestedActions.length).toBeGreaterThan(0);
    }
  });
});
