import { REQUIRED_PERMISSION } from './auth.decorators.js';
import { Authenticated } from './authenticated.decorator.js';

// @nestjs/swagger's metadata keys (its constants are not exported).
const API_RESPONSE = 'swagger/apiResponse';
const API_SECURITY = 'swagger/apiSecurity';

class Routes {
  @Authenticated('trading:write', { errors: ['ORDER_NOT_FOUND'], upstream: true })
  cancel(): void {}

  @Authenticated('audit:read')
  verify(): void {}
}

const meta = <T>(key: string, method: keyof Routes): T => Reflect.getMetadata(key, Routes.prototype[method]) as T;
type Responses = Record<string, { content: { 'application/json': { examples: Record<string, unknown> } } }>;
const codes = (method: keyof Routes, status: number): string[] =>
  Object.keys(meta<Responses>(API_RESPONSE, method)[status]?.content['application/json'].examples ?? {});

describe('@Authenticated', () => {
  it('names the permission the roles guard checks', () => {
    expect(meta(REQUIRED_PERMISSION, 'cancel')).toBe('trading:write');
    expect(meta(REQUIRED_PERMISSION, 'verify')).toBe('audit:read');
  });

  it('documents both credentials, API key first', () => {
    expect(meta(API_SECURITY, 'cancel')).toEqual([{ 'api-key': [] }, { bearer: [] }]);
  });

  it("lists the route's own errors, then the authentication ones, then the upstream ones", () => {
    expect(codes('cancel', 404)).toEqual(['ORDER_NOT_FOUND']);
    expect(codes('cancel', 401)).toEqual(['AUTHENTICATION_REQUIRED', 'INVALID_TOKEN', 'INVALID_API_KEY']);
    // A trading route's caller may name an account it may not use (X-Alpaca-Account).
    expect(codes('cancel', 403)).toEqual([
      'INSUFFICIENT_PERMISSIONS',
      'ACCOUNT_NOT_ALLOWED',
      'UPSTREAM_SUBSCRIPTION_REQUIRED',
    ]);
    expect(codes('verify', 403)).toEqual(['INSUFFICIENT_PERMISSIONS']);
    expect(codes('verify', 502)).toEqual([]);
  });
});
