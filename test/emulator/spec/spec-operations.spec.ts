import { SpecCatalog } from './spec-operations.js';

describe("SpecCatalog (Alpaca's operations, from the committed extract)", () => {
  const spec = SpecCatalog.load();
  const get = (host: 'data' | 'trading', path: string, query: Record<string, string> = {}) => ({
    host,
    method: 'GET',
    path,
    query,
  });

  it('knows a valid call by its operation', () => {
    expect(spec.operationOf(get('data', '/v2/stocks/quotes', { symbols: 'AAPL', feed: 'iex', limit: '10' }))).toBe(
      'StockQuotes',
    );
    expect(spec.operationOf(get('data', '/v2/stocks/AAPL/quotes', { feed: 'sip' }))).toBe('StockQuoteSingle');
    expect(spec.operationOf(get('data', '/v2/stocks/meta/conditions/trade', { tape: 'A' }))).toBe(
      'StockMetaConditions',
    );
    expect(spec.operationOf(get('trading', '/v2/calendar', { start: '2025-01-01', date_type: 'TRADING' }))).toBe(
      'LegacyCalendar',
    );
    expect(spec.operationOf(get('trading', '/v2/assets', { attributes: 'has_options,ipo' }))).not.toBeNull();
    expect(spec.violation(get('data', '/v2/stocks/quotes', { symbols: 'AAPL' }))).toBeNull();
  });

  it.each([
    [get('data', '/v2/stocks/quotes', { symbols: 'AAPL', bogus: '1' }), /unknown query parameter bogus/],
    [get('data', '/v2/stocks/quotes', { feed: 'iex' }), /required query parameter symbols is missing/],
    [get('data', '/v2/stocks/quotes', { symbols: 'AAPL', feed: 'delayed_sip' }), /feed=delayed_sip is not one of/],
    [get('data', '/v2/stocks/meta/conditions/auction', { tape: 'A' }), /path parameter ticktype=auction/],
    [get('data', '/v2/stocks/AAPL/latest'), /no such operation/],
    [get('trading', '/v2/stocks/quotes', { symbols: 'AAPL' }), /no such operation/],
    [get('trading', '/v2/assets', { attributes: 'has_options,shiny' }), /attributes=shiny/],
    [
      { host: 'data' as const, method: 'POST', path: '/v2/stocks/quotes', query: { symbols: 'AAPL' } },
      /no such operation/,
    ],
  ])('refuses %j', (request, problem) => {
    expect(spec.violation(request)).toMatch(problem);
    expect(spec.operationOf(request)).toBeNull();
  });
});

describe('the emulator with specCheck', () => {
  it('records every request that is not a valid call of the spec, and only those', async () => {
    const { AlpacaEmulator } = await import('../alpaca-emulator.js');
    const { call } = await import('../spec-helpers.js');
    const emulator = new AlpacaEmulator({ specCheck: true });
    await emulator.start();
    try {
      await call(emulator, 'data', '/v2/stocks/quotes?symbols=AAPL&feed=iex');
      await call(emulator, 'data', '/v1beta1/news?symbols=AAPL&bogus=1');
      await call(emulator, 'trading', '/v2/calendar?start=2025-01-01');
      expect(emulator.specViolations).toEqual([
        expect.stringMatching(/^GET data \/v1beta1\/news\?symbols=AAPL&bogus=1: unknown query parameter bogus$/),
      ]);
      emulator.reset();
      expect(emulator.specViolations).toHaveLength(1);
    } finally {
      await emulator.stop();
    }
  });
});
