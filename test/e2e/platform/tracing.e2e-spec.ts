import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  eventually,
  expectCatalogError,
  KEY_ID,
  SECRET_KEY,
  startGateway,
  tokenFor,
  type Gateway,
} from '../support/harness.js';

const QUOTES = '/v2/stocks/quotes/latest';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;

const attr = (s: ReadableSpan, name: string): unknown => s.attributes[name];
const portOf = (url: string): number => Number(new URL(url).port);

describe('tracing on (an in-memory exporter in place of OTLP)', () => {
  const exporter = new InMemorySpanExporter();
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ ALPACA_REQUEST_DEADLINE_MS: '5000' }, {}, undefined, { tracing: { exporter } });
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    exporter.reset();
    await gw.reset();
  });

  it('a quote retried twice is one trace: server span, cache lookup, two failed attempts and the good one, all with the request id', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 503, times: 1 });
    gw.emulator.injectFault({ path: QUOTES, kind: 'reset', times: 1 });
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').set('traceparent', TRACEPARENT).expect(200);
    const requestId = res.headers['x-request-id'];
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(3);

    let spans: ReadableSpan[] = [];
    await eventually(() => {
      spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CLIENT_TRACE);
      expect(spans.filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1);
    });
    const server = spans.find((s) => s.kind === SpanKind.SERVER) as ReadableSpan;
    // The client's trace continues: our server span's parent is the client's span.
    expect(server.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(server.name).toBe('GET /api/v1/stocks/:symbol/quote');
    expect(server.attributes).toMatchObject({
      'http.route': '/api/v1/stocks/:symbol/quote',
      'http.response.status_code': 200,
      'opitios.cache.result': 'MISS',
    });

    const cache = spans.filter((s) => s.name === 'cache.lookup');
    expect(cache.map((s) => attr(s, 'opitios.cache.result'))).toEqual(['MISS']);
    const attempts = spans
      .filter((s) => s.kind === SpanKind.CLIENT && attr(s, 'alpaca.endpoint') === QUOTES)
      .sort((a, b) => Number(attr(a, 'opitios.upstream.attempt')) - Number(attr(b, 'opitios.upstream.attempt')));
    expect(
      attempts.map((s) => [
        s.name,
        attr(s, 'opitios.upstream.attempt'),
        attr(s, 'http.response.status_code') ?? null,
        attr(s, 'opitios.error_code') ?? null,
      ]),
    ).toEqual([
      [`GET ${QUOTES}`, 1, 503, 'UPSTREAM_API_UNAVAILABLE'],
      [`GET ${QUOTES}`, 2, null, 'UPSTREAM_API_UNAVAILABLE'],
      [`GET ${QUOTES}`, 3, 200, null],
    ]);
    for (const a of attempts) {
      expect(a.attributes).toMatchObject({ 'alpaca.api': 'data', 'alpaca.endpoint': QUOTES });
      expect(typeof attr(a, 'opitios.upstream.budget_wait_ms')).toBe('number');
    }
    // Every span of the request hangs off the server span and names the request.
    for (const s of [...cache, ...attempts]) expect(s.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    for (const s of spans) expect(attr(s, 'opitios.request_id')).toBe(requestId);
    // Nothing else, but the market clock's call (the quote's TTL depends on it) when it was not cached.
    expect(spans.filter((s) => attr(s, 'alpaca.endpoint') !== '/v2/clock')).toHaveLength(5);

    // The upstream calls' log lines carry the request id and the trace id too.
    const upstreamLines = gw.logs.filter(
      (l) =>
        (l['message'] === 'upstream_call' || l['message'] === 'upstream_network_error') &&
        l['endpoint'] === QUOTES &&
        l['request_id'] === requestId,
    );
    expect(upstreamLines.map((l) => l['attempt'])).toEqual([1, 2, 3]);
    for (const l of upstreamLines) expect(l['trace_id']).toBe(CLIENT_TRACE);
  });

  it('upstream client spans name Alpaca as their peer (OpenTelemetry HTTP client attributes), on both hosts, with no credential', async () => {
    const quote = await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
    const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'trace-peer-trader' })}` };
    const order = await gw
      .anon()
      .post('/api/v1/orders')
      .set(trader)
      .set('Idempotency-Key', 'trace-peer-1')
      .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' })
      .expect(201);
    const clientSpansOf = (requestId: unknown): ReadableSpan[] =>
      exporter
        .getFinishedSpans()
        .filter(
          (s) =>
            s.kind === SpanKind.CLIENT &&
            attr(s, 'alpaca.api') !== undefined &&
            attr(s, 'opitios.request_id') === requestId,
        );
    await eventually(() =>
      expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(2),
    );

    const read = clientSpansOf(quote.headers['x-request-id']).find((s) => attr(s, 'alpaca.endpoint') === QUOTES);
    expect(read?.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': portOf(gw.emulator.dataUrl),
      'url.full': `http://127.0.0.1:${portOf(gw.emulator.dataUrl)}${QUOTES}?symbols=MSFT&feed=iex`,
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'alpaca.api': 'data',
    });
    const write = clientSpansOf(order.headers['x-request-id']).find((s) => attr(s, 'alpaca.endpoint') === '/v2/orders');
    expect(write?.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': portOf(gw.emulator.tradingUrl),
      'url.full': `http://127.0.0.1:${portOf(gw.emulator.tradingUrl)}/v2/orders`,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'alpaca.api': 'trading',
    });
    // Alpaca's keys travel in headers, and no header value is ever an attribute.
    const everything = JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes));
    expect(everything).not.toContain(KEY_ID);
    expect(everything).not.toContain(SECRET_KEY);
  });

  it('an upstream 500 is on every failed attempt span as http.response.status_code 500, beside the peer attributes', async () => {
    gw.emulator.injectFault({ path: QUOTES, kind: 'status', status: 500, times: 3 });
    const res = await gw.http().get('/api/v1/stocks/AMD/quote');
    expectCatalogError(res, 503, 'UPSTREAM_API_UNAVAILABLE');
    expect(gw.emulator.requestsTo(QUOTES)).toHaveLength(3);
    await eventually(() =>
      expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1),
    );
    const attempts = exporter
      .getFinishedSpans()
      .filter((s) => s.kind === SpanKind.CLIENT && attr(s, 'alpaca.endpoint') === QUOTES);
    expect(
      attempts
        .map((s) => [
          attr(s, 'opitios.upstream.attempt'),
          attr(s, 'http.response.status_code'),
          attr(s, 'opitios.error_code'),
        ])
        .sort(),
    ).toEqual([
      [1, 500, 'UPSTREAM_API_UNAVAILABLE'],
      [2, 500, 'UPSTREAM_API_UNAVAILABLE'],
      [3, 500, 'UPSTREAM_API_UNAVAILABLE'],
    ]);
    for (const a of attempts) {
      expect(a.attributes).toMatchObject({
        'server.address': '127.0.0.1',
        'server.port': portOf(gw.emulator.dataUrl),
        'url.full': `http://127.0.0.1:${portOf(gw.emulator.dataUrl)}${QUOTES}?symbols=AMD&feed=iex`,
        'http.request.method': 'GET',
      });
      expect(a.status.code).toBe(SpanStatusCode.ERROR);
    }
  });

  it('a cached answer is a server span and a HIT lookup, with no upstream attempt', async () => {
    await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
    exporter.reset();
    await gw.http().get('/api/v1/stocks/MSFT/quote').expect(200);
    await eventually(() =>
      expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1),
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /api/v1/stocks/:symbol/quote', 'cache.lookup']);
    expect(spans.find((s) => s.name === 'cache.lookup')?.attributes['opitios.cache.result']).toBe('HIT');
  });

  it('does not send traceparent to Alpaca unless TRACE_PROPAGATE_UPSTREAM is set', async () => {
    await gw.http().get('/api/v1/stocks/TSLA/quote').set('traceparent', TRACEPARENT).expect(200);
    expect(gw.emulator.requestsTo(QUOTES).map((r) => r.headers['traceparent'])).toEqual([undefined]);

    const propagating = await startGateway({ TRACE_PROPAGATE_UPSTREAM: 'true' }, {}, undefined, {
      tracing: { exporter: new InMemorySpanExporter() },
    });
    try {
      await propagating.http().get('/api/v1/stocks/TSLA/quote').set('traceparent', TRACEPARENT).expect(200);
      const sent = propagating.emulator.requestsTo(QUOTES).map((r) => r.headers['traceparent']);
      expect(sent).toEqual([expect.stringMatching(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`))]);
    } finally {
      await propagating.close();
    }
  });
});

describe('tracing off (no OTEL_* set)', () => {
  it('makes no spans, and log lines still carry the request id (and the client trace id when it sent one)', async () => {
    const gw = await startGateway();
    try {
      const res = await gw.http().get('/api/v1/stocks/AAPL/quote').set('traceparent', TRACEPARENT).expect(200);
      const requestId = res.headers['x-request-id'];
      const mine = gw.logs.filter((l) => l['request_id'] === requestId);
      expect(mine.map((l) => l['message'])).toEqual(expect.arrayContaining(['upstream_call', 'http_request']));
      for (const l of mine) expect(l['trace_id']).toBe(CLIENT_TRACE);
      expect(gw.emulator.requestsTo(QUOTES).map((r) => r.headers['traceparent'])).toEqual([undefined]);
    } finally {
      await gw.close();
    }
  });

  it('the request rides on its AsyncLocalStorage scope: upstream lines of a miss, a retry and a batch name it', async () => {
    const gw = await startGateway({ ALPACA_RETRY_MAX_ATTEMPTS: '2' });
    try {
      gw.emulator.injectFault({ host: 'data', kind: 'status', status: 503, path: QUOTES, times: 1 });
      const res = await gw.http().get('/api/v1/stocks/MSFT/quote').set('traceparent', TRACEPARENT).expect(200);
      const requestId = res.headers['x-request-id'];
      // The quote calls (the market clock's call is shared by every request: it names none).
      const upstream = gw.logs.filter(
        (l) => (l['message'] === 'upstream_call' || l['message'] === 'upstream_retry') && l['endpoint'] === QUOTES,
      );
      expect(upstream.map((l) => [l['message'], l['request_id'], l['trace_id']])).toEqual([
        ['upstream_call', requestId, CLIENT_TRACE],
        ['upstream_retry', requestId, CLIENT_TRACE],
        ['upstream_call', requestId, CLIENT_TRACE],
      ]);
      // A batch of symbols asked by one client: the shared call names that client's request.
      const batch = await gw
        .http()
        .post('/api/v1/stocks/quotes/batch')
        .send({ symbols: ['AAPL', 'TSLA'] })
        .expect(200);
      const batchCalls = gw.logs.filter(
        (l) => l['message'] === 'upstream_call' && l['request_id'] === batch.headers['x-request-id'],
      );
      expect(batchCalls.map((l) => l['endpoint'])).toEqual([QUOTES]);
    } finally {
      await gw.close();
    }
  });

  it("the market clock's shared refresh, started by a request, names none (the request's own call does)", async () => {
    const gw = await startGateway();
    try {
      // A fresh gateway: the quote's TTL needs the clock, so this request starts its refresh.
      const res = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
      const requestId = res.headers['x-request-id'];
      expect(gw.emulator.requestsTo('/v2/clock', 'trading')).toHaveLength(1);
      const clock = gw.logs.filter((l) => l['message'] === 'upstream_call' && l['endpoint'] === '/v2/clock');
      expect(clock.map((l) => l['request_id'])).toEqual([undefined]);
      const quote = gw.logs.filter((l) => l['message'] === 'upstream_call' && l['endpoint'] === QUOTES);
      expect(quote.map((l) => l['request_id'])).toEqual([requestId]);
    } finally {
      await gw.close();
    }
  });

  it("every kind of route runs in its request's scope: the upstream lines of each request name it", async () => {
    const gw = await startGateway();
    const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'scope-trader' })}` };
    try {
      const asked: Array<[string, () => Promise<{ headers: Record<string, string> }>]> = [
        ['stock snapshot', () => gw.http().get('/api/v1/stocks/AAPL/snapshot').expect(200)],
        [
          'stock bars',
          () =>
            gw
              .http()
              .get('/api/v1/stocks/AAPL/bars')
              .query({ timeframe: '1Day', start: '2022-02-01', end: '2022-02-02T23:59:59Z' })
              .expect(200),
        ],
        ['news (a route table entry)', () => gw.http().get('/api/v1/news').query({ symbols: 'AAPL' }).expect(200)],
        ['option quote (batched)', () => gw.http().get('/api/v1/options/AAPL240426C00162500/quote').expect(200)],
        ['option chain', () => gw.http().get('/api/v1/options/AAPL/chain').expect(200)],
        [
          'option contracts',
          () => gw.http().get('/api/v1/options/contracts').query({ underlying_symbols: 'AAPL' }).expect(200),
        ],
        ['account (a trading read)', () => gw.anon().get('/api/v1/account').set(trader).expect(200)],
        [
          'order (a trading write)',
          () =>
            gw
              .anon()
              .post('/api/v1/orders')
              .set(trader)
              .set('Idempotency-Key', 'scope-order-1')
              .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' })
              .expect(201),
        ],
      ];
      for (const [what, ask] of asked) {
        const res = await ask();
        const named = gw.logs.filter(
          (l) => l['message'] === 'upstream_call' && l['request_id'] === res.headers['x-request-id'],
        );
        expect({ what, upstreamLinesNamingIt: named.length > 0 }).toEqual({ what, upstreamLinesNamingIt: true });
      }
    } finally {
      await gw.close();
    }
  });
});
