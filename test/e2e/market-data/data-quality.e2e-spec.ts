import { parseExposition, valueOf } from '../support/prometheus-text.js';
import { startGateway, type Gateway } from '../support/harness.js';

/** Alpaca's wire shape of a latest quote (one-letter keys), as the emulator serves it. */
function wireQuote(
  t: string,
  bp: number,
  ap: number,
  sizes: { bs?: number; as?: number } = {},
): Record<string, unknown> {
  return { t, bx: 'Q', bp, bs: sizes.bs ?? 2, ax: 'Q', ap, as: sizes.as ?? 3, c: ['R'], z: 'C' };
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('data quality: flags on what Alpaca sent, values untouched', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ QUALITY_FUTURE_SKEW_SECONDS: '5', QUALITY_MAX_AGE_SECONDS: '600' });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
    // Alpaca's clock says the market is open (staleness only counts then).
    gw.emulator.fixtures.clock = { ...gw.emulator.fixtures.clock, is_open: true };
  });

  const now = Date.now();
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['a clean quote', wireQuote(iso(now), 172.6, 172.7), []],
    ['a crossed quote (bid 200, ask 100)', wireQuote(iso(now), 200, 100), ['crossed_quote']],
    ['a locked quote', wireQuote(iso(now), 150.25, 150.25), ['locked_quote']],
    [
      'a negative price and a zero size',
      wireQuote(iso(now), -1.5, 172.7, { bs: 0 }),
      ['non_positive_price', 'non_positive_size'],
    ],
    ['a quote dated ten minutes ahead', wireQuote(iso(now + 600_000), 172.6, 172.7), ['future_timestamp']],
    [
      'a quote an hour old while the market is open',
      wireQuote(iso(now - 3_600_000), 172.6, 172.7),
      ['stale_timestamp'],
    ],
  ];

  it.each(cases)(
    '%s → flags exactly as expected; values bit-identical to the emulator',
    async (_label, wire, flags) => {
      gw.emulator.fixtures.stockQuotes['AAPL'] = wire as never;
      const res = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(res.body.metadata.data_quality).toEqual({ checked: true, flags });
      expect(res.body.data).toEqual({
        symbol: 'AAPL',
        timestamp: wire['t'],
        bid_price: wire['bp'],
        bid_size: wire['bs'],
        bid_exchange: 'Q',
        ask_price: wire['ap'],
        ask_size: wire['as'],
        ask_exchange: 'Q',
        conditions: ['R'],
        tape: 'C',
      });
      // A cache hit carries the flags computed when the value was fetched.
      const hit = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(hit.body.metadata.cache.status).toBe('HIT');
      expect(hit.body.metadata.data_quality).toEqual({ checked: true, flags });
    },
  );

  it('a closed market makes old quotes old, not stale', async () => {
    // Its own gateway: the market clock is cached until Alpaca's next open/close.
    const closed = await startGateway({ QUALITY_MAX_AGE_SECONDS: '600' });
    try {
      closed.emulator.fixtures.clock = { ...closed.emulator.fixtures.clock, is_open: false };
      closed.emulator.fixtures.stockQuotes['AAPL'] = wireQuote(iso(now - 3_600_000), 172.6, 172.7) as never;
      const res = await closed.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      expect(res.body.metadata.market_status).toBe('closed');
      expect(res.body.metadata.data_quality).toEqual({ checked: true, flags: [] });
    } finally {
      await closed.close();
    }
  });

  it('a batch flags each item by symbol, and the answer with their union', async () => {
    gw.emulator.fixtures.stockQuotes['AAPL'] = wireQuote(iso(now), 200, 100) as never;
    gw.emulator.fixtures.stockQuotes['MSFT'] = wireQuote(iso(now), 300.1, 300.2) as never;
    const res = await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['AAPL', 'MSFT', 'ZZZZ'] })
      .expect(200);
    expect(res.body.metadata.data_quality).toEqual({
      checked: true,
      flags: ['crossed_quote'],
      items: { AAPL: ['crossed_quote'], MSFT: [] },
    });
    expect(res.body.data.quotes[0].data).toMatchObject({ bid_price: 200, ask_price: 100 });
  });

  it('option greeks outside their domain and a crossed option quote are flagged; the values stay as sent', async () => {
    const contract = 'AAPL240426C00162500';
    const snap = gw.emulator.fixtures.optionSnapshots[contract];
    if (snap === undefined) throw new Error('fixture missing');
    gw.emulator.fixtures.optionSnapshots[contract] = {
      ...snap,
      greeks: { delta: 1.5, gamma: -0.01, rho: 0.01, theta: -0.2, vega: -0.04 },
      impliedVolatility: -0.3,
      latestQuote: { ap: 4.1, as: 91, ax: 'B', bp: 4.15, bs: 16, bx: 'C', c: 'A', t: iso(now) },
    };
    const res = await gw.http().get(`/api/v1/options/${contract}/quote`).expect(200);
    expect(res.body.metadata.data_quality.flags).toEqual(
      expect.arrayContaining([
        'crossed_quote',
        'delta_out_of_range',
        'negative_gamma',
        'negative_vega',
        'negative_implied_volatility',
      ]),
    );
    expect(res.body.data.greeks).toEqual({ delta: 1.5, gamma: -0.01, rho: 0.01, theta: -0.2, vega: -0.04 });
    expect(res.body.data.implied_volatility).toBe(-0.3);
  });

  it('pass-through market data is checked per symbol; reference data carries no data_quality', async () => {
    const latest = await gw.http().get('/api/v1/stocks/trades/latest').query({ symbols: 'AAPL,MSFT' }).expect(200);
    expect(latest.body.metadata.data_quality).toMatchObject({
      checked: true,
      items: { AAPL: expect.any(Array), MSFT: expect.any(Array) },
    });
    const exchanges = await gw.http().get('/api/v1/stocks/meta/exchanges').expect(200);
    expect(exchanges.body.metadata.data_quality).toBeUndefined();
    const account = await gw.http().get('/api/v1/positions').expect(200);
    expect(account.body.metadata.data_quality).toBeUndefined();
  });

  it('every flag raised is counted in metrics', async () => {
    gw.emulator.fixtures.stockQuotes['TSLA'] = wireQuote(iso(now), 200, 100) as never;
    await gw.http().get('/api/v1/stocks/TSLA/quote').expect(200);
    const metrics = parseExposition((await gw.anon().get('/metrics').expect(200)).text);
    expect(valueOf(metrics, 'opitios_data_quality_flags_total', { flag: 'crossed_quote' })).toBeGreaterThanOrEqual(1);
  });
});
