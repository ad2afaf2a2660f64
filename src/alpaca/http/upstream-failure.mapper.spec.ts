import { failureFromResponse, parseWireError, retryAfterSeconds } from './upstream-failure.mapper.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

function fail(status: number, body = '', headers: Record<string, string> = {}, api: 'data' | 'trading' = 'data') {
  return failureFromResponse({ api, endpoint: '/v2/stocks/quotes/latest', method: 'GET', status, headers, body });
}

function trading403(method: string, body: string) {
  return failureFromResponse({ api: 'trading', endpoint: '/v2/assets', method, status: 403, headers: {}, body });
}

describe('retryAfterSeconds', () => {
  it('prefers Retry-After in seconds', () => {
    expect(retryAfterSeconds({ 'retry-after': '7', 'x-ratelimit-reset': String(NOW / 1000 + 30) }, NOW)).toBe(7);
  });
  it('reads Retry-After as an HTTP date', () => {
    expect(retryAfterSeconds({ 'retry-after': new Date(NOW + 12_000).toUTCString() }, NOW)).toBe(12);
  });
  it('falls back to X-RateLimit-Reset (epoch seconds)', () => {
    expect(retryAfterSeconds({ 'x-ratelimit-reset': String(NOW / 1000 + 9) }, NOW)).toBe(9);
  });
  it('never says less than one second, nor more than an hour', () => {
    expect(retryAfterSeconds({ 'x-ratelimit-reset': String(NOW / 1000 - 50) }, NOW)).toBe(1);
    expect(retryAfterSeconds({ 'retry-after': '999999' }, NOW)).toBe(3600);
  });
  it('is null without either header', () => {
    expect(retryAfterSeconds({}, NOW)).toBeNull();
  });
});

describe('parseWireError', () => {
  it('reads code and message', () => {
    expect(parseWireError('{"code":40110000,"message":"request is not authorized"}')).toEqual({
      code: 40110000,
      message: 'request is not authorized',
    });
  });
  it('tolerates empty and non-JSON bodies', () => {
    expect(parseWireError('')).toEqual({});
    expect(parseWireError('<html>bad gateway</html>')).toEqual({ message: '<html>bad gateway</html>' });
  });
});

describe('failureFromResponse', () => {
  it('maps 429 to UPSTREAM_RATE_LIMITED with the reset as retryAfter', () => {
    const f = fail(429, '{"message":"too many requests."}', {
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 5),
    });
    expect(f.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(f.retryAfter).toBeGreaterThanOrEqual(4);
    expect(f.retryAfter).toBeLessThanOrEqual(6);
  });
  it('assumes a full minute when a 429 carries no header', () => {
    expect(fail(429).retryAfter).toBe(60);
  });
  it('maps credentials failures', () => {
    expect(fail(401, '{"code":40110000,"message":"request is not authorized"}').code).toBe(
      'UPSTREAM_AUTHENTICATION_FAILED',
    );
    expect(fail(403, '{"message":"forbidden."}').code).toBe('UPSTREAM_AUTHENTICATION_FAILED');
  });
  it('maps the recent-SIP refusal to UPSTREAM_SUBSCRIPTION_REQUIRED', () => {
    const f = fail(403, '{"code":42210000,"message":"subscription does not permit querying recent SIP data"}');
    expect(f.code).toBe('UPSTREAM_SUBSCRIPTION_REQUIRED');
    expect(f.upstreamCode).toBe(42210000);
    expect(f.upstreamMessage).toBe('subscription does not permit querying recent SIP data');
  });
  it("maps 5xx to UPSTREAM_API_UNAVAILABLE and 400 to INVALID_PARAMETER with Alpaca's message", () => {
    expect(fail(500).code).toBe('UPSTREAM_API_UNAVAILABLE');
    expect(fail(503).code).toBe('UPSTREAM_API_UNAVAILABLE');
    const bad = fail(400, '{"message":"invalid timeframe: 30Sec"}');
    expect(bad.code).toBe('INVALID_PARAMETER');
    expect(bad.message).toContain('invalid timeframe: 30Sec');
  });
  it('maps a trading-host 403 on a read like any upstream 403 (credentials or plan), never as an order rejection', () => {
    expect(trading403('GET', '{"message":"forbidden."}').code).toBe('UPSTREAM_AUTHENTICATION_FAILED');
    expect(trading403('GET', '').code).toBe('UPSTREAM_AUTHENTICATION_FAILED');
    expect(
      trading403('GET', '{"code":42210000,"message":"subscription does not permit querying this data"}').code,
    ).toBe('UPSTREAM_SUBSCRIPTION_REQUIRED');
  });
  it('maps a trading-host 403 on a write (submit, replace, cancel, close, exercise) to ORDER_REJECTED, whatever the message', () => {
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      expect(trading403(method, '{"code":40310000,"message":"insufficient buying power"}').code).toBe('ORDER_REJECTED');
      expect(trading403(method, '{"message":"trading is not permitted for this account"}').code).toBe('ORDER_REJECTED');
    }
  });
  it('treats a redirect as an invalid response (redirects are never followed)', () => {
    expect(fail(302).code).toBe('UPSTREAM_INVALID_RESPONSE');
  });
  it("keeps Alpaca's request id", () => {
    expect(fail(500, '', { 'x-request-id': 'abc123' }).upstreamRequestId).toBe('abc123');
  });
});
