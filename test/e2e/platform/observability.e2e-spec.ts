import http from 'node:http';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { parseExposition, valueOf, type Exposition } from '../support/prometheus-text.js';
import { listenOnLoopback } from '../support/stream-client.js';

const QUOTES = '/v2/stocks/quotes/latest';
const QUOTE_ROUTE = '/api/v1/stocks/:symbol/quote';

async function scrape(gw: Gateway): Promise<Exposition> {
  return parseExposition((await gw.anon().get('/metrics').expect(200)).text);
}

/** A quote request whose client goes away while the gateway waits for Alpaca (delayed 1.5 s). */
/** The id the gateway gave a request whose client sent its own X-Request-Id (kept as client_request_id). */
function gatewayIdOf(gw: Gateway, clientId: string): unknown {
  return gw.logs.find((l) => l['client_request_id'] === clientId)?.['request_id'] ?? 'none yet';
}

async function abandonQuoteRequest(gw: Gateway, requestId: string): Promise<void> {
  gw.emulator.injectFault({ path: QUOTES, kind: 'delay', ms: 1500, times: 1 });
  const base = (await listenOnLoopback(gw.app)).replace(/^ws/, 'http').replace(/\/api\/v1\/stream$/, '');
  const req = http.get(`${base}/api/v1/stocks/AAPL/quote`, {
    headers: { Authorization: `Bearer ${tokenFor(['viewer'])}`, 'X-Request-Id': requestId },
  });
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  req.on('error', () => undefined);
  // The gateway is waiting for Alpaca: now the client goes away.
  await eventually(() => expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(1));
  req.destroy();
  await closed;
}

describe('a client that leaves before the answer (one line)', () => {
  it('still leaves exactly one http_request_aborted line with its request id, and no access line', async () => {
    const gw = await startGateway();
    try {
      const clientId = 'client-abort-0002';
      await abandonQuoteRequest(gw, clientId);
      const ends = (): Array<Record<string, unknown>> =>
        gw.logs.filter(
          (l) =>
            l['request_id'] === gatewayIdOf(gw, clientId) &&
            (l['message'] === 'http_request_aborted' || l['message'] === 'http_request'),
        );
      await eventually(() =>
        expect(ends()).toEqual([
          expect.objectContaining({ message: 'http_request_aborted', client_aborted: true, response_started: false }),
        ]),
      );
      // The upstream call ends after the client left; still no second line about the request's end.
      await eventually(
        () =>
          expect(gw.logs.filter((l) => l['message'] === 'upstream_call' && l['endpoint'] === QUOTES)).toHaveLength(1),
        5000,
      );
      expect(ends()).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});

describe('a client that leaves before the answer (the line says what was done)', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('leaves exactly one line saying so, with what had been done, and no access line', async () => {
    const clientId = 'client-abort-0001';
    await abandonQuoteRequest(gw, clientId);

    const lines = (): Array<Record<string, unknown>> =>
      gw.logs.filter((l) => l['request_id'] === gatewayIdOf(gw, clientId));
    await eventually(() => expect(lines().filter((l) => l['message'] === 'http_request_aborted')).toHaveLength(1));
    // The upstream call still ends (its line names the request); the aborted line stays the only one about the request's end.
    await eventually(() => expect(lines().filter((l) => l['message'] === 'upstream_call')).toHaveLength(1), 5000);
    const ends = lines().filter((l) => l['message'] === 'http_request_aborted' || l['message'] === 'http_request');
    expect(ends).toEqual([
      expect.objectContaining({
        message: 'http_request_aborted',
        level: 'warn',
        method: 'GET',
        path: '/api/v1/stocks/AAPL/quote',
        route: QUOTE_ROUTE,
        client_aborted: true,
        response_started: false,
        cache: 'MISS',
      }),
    ]);
    // The quote call (and the market clock's, when it was not cached yet).
    expect(ends[0]?.['upstream_attempts']).toBeGreaterThanOrEqual(1);
    expect(
      valueOf(await scrape(gw), 'opitios_http_requests_aborted_total', { method: 'GET', route: QUOTE_ROUTE }),
    ).toBe(1);
  });
});

describe('metrics the alert rules read', () => {
  it('rate-limit refusals per tier', async () => {
    const gw = await startGateway({ RATE_LIMIT_AUTHENTICATED_PER_HOUR: '1' });
    try {
      const viewer = { Authorization: `Bearer ${tokenFor(['viewer'], { sub: 'tiered' })}` };
      await gw.anon().get('/api/v1/stocks/AAPL/quote').set(viewer).expect(200);
      await gw.anon().get('/api/v1/stocks/AAPL/quote').set(viewer).expect(429);
      const m = await scrape(gw);
      expect(valueOf(m, 'opitios_rate_limit_refusals_total', { tier: 'authenticated', window: 'hour' })).toBe(1);
      expect(valueOf(m, 'opitios_rate_limit_refusals_total', { tier: 'premium', window: 'hour' })).toBe(0);
    } finally {
      await gw.close();
    }
  });

  it('upstream budget refusals, by api, budget and priority', async () => {
    const gw = await startGateway({ ALPACA_DATA_RATE_LIMIT_PER_MIN: '4' });
    try {
      let refused = 0;
      for (let i = 0; i < 6; i += 1) {
        const res = await gw
          .http()
          .get('/api/v1/stocks/AAPL/bars')
          .query({ timeframe: '1Day', limit: String(i + 1) });
        if (res.status === 503) refused += 1;
      }
      expect(refused).toBeGreaterThan(0);
      expect(
        valueOf(await scrape(gw), 'opitios_upstream_budget_refusals_total', {
          api: 'data',
          budget: 'gateway_bucket',
          priority: 'bulk',
          account: 'default',
        }),
      ).toBe(refused);
    } finally {
      await gw.close();
    }
  });

  it('data responses by cache status and market status, and whether the market is open', async () => {
    const gw = await startGateway();
    try {
      const first = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      const market = first.body.metadata.market_status as string;
      const m = await scrape(gw);
      expect(valueOf(m, 'opitios_cache_results_total', { status: 'MISS', market })).toBe(1);
      expect(valueOf(m, 'opitios_cache_results_total', { status: 'HIT', market })).toBe(1);
      expect(valueOf(m, 'opitios_market_open', {})).toBe(market === 'open' ? 1 : 0);
      expect(m.types.get('opitios_http_requests_traced_total')).toBe('counter');
      expect(valueOf(m, 'opitios_http_requests_traced_total', {})).toBe(0);
      expect(
        valueOf(m, 'opitios_data_freshness_seconds_bucket', { data_source: 'alpaca_real_time', le: '30' }),
      ).toBeGreaterThanOrEqual(0);
      expect(m.samples.some((s) => s.name === 'opitios_data_freshness_seconds_bucket' && s.labels['le'] === '30')).toBe(
        true,
      );
    } finally {
      await gw.close();
    }
  });
});
