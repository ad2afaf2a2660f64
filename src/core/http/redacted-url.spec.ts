import { redactedUrl } from './redacted-url.js';

describe('redactedUrl', () => {
  it('keeps a path without a query as it is', () => {
    expect(redactedUrl('/api/v1/stocks/AAPL/quote')).toBe('/api/v1/stocks/AAPL/quote');
  });

  it('redacts credential-like parameters, keeps the others raw', () => {
    expect(redactedUrl('/x?api_key=oa_1_s&feed=iex&token=abc&Access%5FToken=t&apikey&symbols=A%2CB')).toBe(
      '/x?api_key=[REDACTED]&feed=iex&token=[REDACTED]&Access%5FToken=[REDACTED]&apikey=[REDACTED]&symbols=A%2CB',
    );
  });

  it('judges a malformed escape by its raw text', () => {
    expect(redactedUrl('/x?%E0token=1&a=%E0')).toBe('/x?%E0token=[REDACTED]&a=%E0');
  });
});
