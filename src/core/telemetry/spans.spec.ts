import { fullUrlOf, httpServerAttributes } from './spans.js';

describe('HTTP client span attributes', () => {
  it.each([
    ['https://data.alpaca.markets', 'data.alpaca.markets', 443],
    ['http://paper-api.example.test/base', 'paper-api.example.test', 80],
    ['https://data.alpaca.markets:8443', 'data.alpaca.markets', 8443],
    ['http://[::1]:4010', '::1', 4010],
  ])('%s → server.address %s, server.port %d (explicit, else by scheme)', (base, address, port) => {
    expect(httpServerAttributes(new URL(base))).toEqual({ 'server.address': address, 'server.port': port });
  });

  it('url.full keeps the query but never user info', () => {
    expect(fullUrlOf('https://data.alpaca.markets/v2/stocks/quotes/latest?symbols=AAPL&feed=iex')).toBe(
      'https://data.alpaca.markets/v2/stocks/quotes/latest?symbols=AAPL&feed=iex',
    );
    expect(fullUrlOf('https://user:secret-pass@proxy.example.test:8443/v2/orders?a=1')).toBe(
      'https://REDACTED:REDACTED@proxy.example.test:8443/v2/orders?a=1',
    );
    expect(fullUrlOf('https://token-only@proxy.example.test/v2/clock')).toBe(
      'https://REDACTED@proxy.example.test/v2/clock',
    );
  });
});
