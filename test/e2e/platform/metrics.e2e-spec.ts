import { rateLimitFault } from '../../emulator/alpaca-emulator.js';
import { expectCatalogError, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { parseExposition, valueOf, type Exposition } from '../support/prometheus-text.js';

const QUOTE_ROUTE = '/api/v1/stocks/:symbol/quote';
const METRIC_NAMES = [
  'opitios_http_requests_total',
  'opitios_http_request_duration_seconds',
  'opitios_upstream_requests_total',
  'opitios_upstream_request_duration_seconds',
  'opitios_upstream_rate_limit_remaining',
  'opitios_circuit_state',
  'opitios_cache_lookups_total',
  'opitios_responses_by_data_source_total',
  'opitios_data_unavailable_total',
  'opitios_data_freshness_seconds',
  'opitios_audit_events_total',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

describe('GET /metrics (no METRICS_TOKEN)', () => {
  let gw: Gateway;
  const scrape = async (): Promise<{ text: string; exposition: Exposition }> => {
    const res = await gw.anon().get('/metrics').expect(200);
    return { text: res.text, exposition: parseExposition(res.text) };
  };

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  it('is public, Prometheus text, not enveloped, with every metric declared', async () => {
    const res = await gw.anon().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(res.text.startsWith('{')).toBe(false);
    const { types, help } = parseExposition(res.text);
    for (const name of METRIC_NAMES) {
      expect({ name, declared: types.has(name), help: (help.get(name) ?? '').length > 0 }).toEqual({
        name,
        declared: true,
        help: true,
      });
    }
    expect(types.get('opitios_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('opitios_upstream_rate_limit_remaining')).toBe('gauge');
  });

  it('is not under the API prefix and is never rate limited', async () => {
    expectCatalogError(await gw.anon().get('/api/v1/metrics'), 404, 'ROUTE_NOT_FOUND');
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        gw
          .anon()
          .get('/metrics')
          .then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('counts N quote requests under the route template exactly N times, with latency and upstream calls', async () => {
    const N = 7;
    const before = (await scrape()).exposition;
    const labels = { method: 'GET', route: QUOTE_ROUTE, status: '200' };
    const call = { api: 'data', endpoint: '/v2/stocks/quotes/latest', outcome: 'success' };
    // Without ALPACA_ACCOUNTS the data calls are made with the one account's keys, `default`
    // (the call count carries the account; the latency histogram does not).
    const upstream = { ...call, account: 'default' };
    for (let i = 0; i < N; i += 1)
      await gw
        .http()
        .get(i % 2 === 0 ? '/api/v1/stocks/AAPL/quote' : '/api/v1/stocks/MSFT/quote')
        .expect(200);
    const after = (await scrape()).exposition;

    expect(
      valueOf(after, 'opitios_http_requests_total', labels) - valueOf(before, 'opitios_http_requests_total', labels),
    ).toBe(N);
    expect(
      valueOf(after, 'opitios_http_request_duration_seconds_count', labels) -
        valueOf(before, 'opitios_http_request_duration_seconds_count', labels),
    ).toBe(N);
    expect(valueOf(after, 'opitios_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(
      valueOf(after, 'opitios_http_request_duration_seconds_count', labels),
    );
    const upstreamDelta =
      valueOf(after, 'opitios_upstream_requests_total', upstream) -
      valueOf(before, 'opitios_upstream_requests_total', upstream);
    expect(upstreamDelta).toBeGreaterThan(0);
    expect(upstreamDelta).toBe(gw.emulator.requestsTo('/v2/stocks/quotes/latest').length);
    expect(valueOf(after, 'opitios_upstream_request_duration_seconds_count', call)).toBe(
      valueOf(after, 'opitios_upstream_requests_total', upstream),
    );
    // The emulator sends X-RateLimit-Remaining on every answer (the harness's limit, counting down).
    const remaining = valueOf(after, 'opitios_upstream_rate_limit_remaining', { api: 'data', account: 'default' });
    expect(remaining).toBeLessThan(1_000_000);
    expect(remaining).toBeGreaterThanOrEqual(0);
  });

  it('counts responses by data_source and their freshness', async () => {
    const before = (await scrape()).exposition;
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    await gw.http().get('/api/v1/stocks/AAPL/bars?timeframe=1Day&limit=2').expect(200);
    const after = (await scrape()).exposition;
    const delta = (name: string, labels: Record<string, string>): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('opitios_responses_by_data_source_total', { data_source: 'alpaca_real_time' })).toBe(1);
    expect(delta('opitios_responses_by_data_source_total', { data_source: 'alpaca_historical' })).toBe(1);
    expect(delta('opitios_data_freshness_seconds_count', { data_source: 'alpaca_real_time' })).toBe(1);
    // The fixtures are from 2021-2022: well past the one-week bucket.
    expect(delta('opitios_data_freshness_seconds_bucket', { data_source: 'alpaca_real_time', le: '604800' })).toBe(0);
  });

  it('counts data-unavailable errors by catalog code and upstream failures by outcome', async () => {
    const before = (await scrape()).exposition;
    await gw.http().get('/api/v1/stocks/ZZZZ/quote').expect(404);
    // GETs are retried (3 attempts by default), so a lasting 500 is seen three times.
    gw.emulator.injectFault({ kind: 'status', status: 500, times: 3 });
    await gw.http().get('/api/v1/stocks/AAPL/trade').expect(503);
    // A reset further away than the request deadline is not waited for: one call, then 503.
    gw.emulator.injectFault(rateLimitFault({ times: 1, resetInSeconds: 30 }));
    await gw.http().get('/api/v1/stocks/AAPL/snapshot').expect(503);
    const after = (await scrape()).exposition;
    const delta = (name: string, labels: Record<string, string>): number =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('opitios_data_unavailable_total', { code: 'SYMBOL_NOT_FOUND' })).toBe(1);
    expect(delta('opitios_http_requests_total', { method: 'GET', route: QUOTE_ROUTE, status: '404' })).toBe(1);
    expect(
      delta('opitios_upstream_requests_total', {
        api: 'data',
        endpoint: '/v2/stocks/trades/latest',
        outcome: 'server_error',
        account: 'default',
      }),
    ).toBe(3);
    expect(
      delta('opitios_upstream_requests_total', {
        api: 'data',
        endpoint: '/v2/stocks/snapshots',
        outcome: 'rate_limited',
        account: 'default',
      }),
    ).toBe(1);
    expect(valueOf(after, 'opitios_upstream_rate_limit_remaining', { api: 'data', account: 'default' })).toBe(0);
  });

  it('labels requests that matched no route "unmatched", and no symbol or raw path ever appears', async () => {
    const before = (await scrape()).exposition;
    await gw.http().get('/api/v1/stocks/AAPL').expect(404);
    await gw.http().get('/TSLA/quote').expect(404);
    await gw.http().delete('/api/v1/stocks/NVDA/quote').expect(405);
    await gw.http().get('/api/v1/stocks/IBM/quote').expect(200);
    await gw.http().get('/api/v1/stocks/TSLA/snapshot').expect(200);
    await gw
      .http()
      .post('/api/v1/stocks/quotes/batch')
      .send({ symbols: ['AAPL', 'QQQQ'] })
      .expect(200);
    await gw.anon().get('/api/v1/stocks/META/quote').expect(401);
    const { text, exposition } = await scrape();
    const unmatched = (method: string, status = '404'): number =>
      valueOf(exposition, 'opitios_http_requests_total', { method, route: 'unmatched', status }) -
      valueOf(before, 'opitios_http_requests_total', { method, route: 'unmatched', status });
    expect(unmatched('GET')).toBe(2);
    // A wrong method on a known path is a 405 (METHOD_NOT_ALLOWED), still labelled unmatched.
    expect(unmatched('DELETE', '405')).toBe(1);
    expect(
      valueOf(exposition, 'opitios_http_requests_total', { method: 'GET', route: QUOTE_ROUTE, status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    for (const symbol of ['AAPL', 'MSFT', 'ZZZZ', 'TSLA', 'NVDA', 'IBM', 'QQQQ', 'META'])
      expect(text).not.toContain(symbol);
    const routes = new Set(
      exposition.samples.filter((s) => s.name === 'opitios_http_requests_total').map((s) => s.labels['route']),
    );
    for (const route of routes)
      expect(route === 'unmatched' || route === '/metrics' || /^\/(api\/v1|docs)/.test(route ?? '')).toBe(true);
    for (const route of routes) expect(route).not.toMatch(/\/[A-Z]{2,}(\/|$)/);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ METRICS_TOKEN });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('refuses a scrape without the token with the catalog 401', async () => {
    const res = await gw.anon().get('/metrics');
    expectCatalogError(res, 401, 'AUTHENTICATION_REQUIRED');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(res.body.metadata.endpoint).toBe('/metrics');
  });

  it('refuses a wrong token, including a valid user JWT', async () => {
    expectCatalogError(
      await gw.anon().get('/metrics').set('Authorization', 'Bearer not-the-metrics-token'),
      401,
      'INVALID_TOKEN',
    );
    expectCatalogError(
      await gw
        .anon()
        .get('/metrics')
        .set('Authorization', `Bearer ${tokenFor(['admin'])}`),
      401,
      'INVALID_TOKEN',
    );
    expectCatalogError(
      await gw.anon().get('/metrics').set('Authorization', `Basic ${METRICS_TOKEN}`),
      401,
      'INVALID_TOKEN',
    );
  });

  it('serves the metrics with the token, and never shows the token', async () => {
    const res = await gw.anon().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    parseExposition(res.text);
    expect(res.text).not.toContain(METRICS_TOKEN);
  });
});
