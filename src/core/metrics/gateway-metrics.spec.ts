import { BoundedLabel, OVERFLOW_LABEL } from './bounded-label.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { outcomeForStatus, parseRateLimitRemaining } from './upstream-observer.js';

describe('BoundedLabel', () => {
  it('keeps the first values up to its cap and folds the rest into "other"', () => {
    const label = new BoundedLabel(2);
    expect(label.value('/v2/stocks/bars')).toBe('/v2/stocks/bars');
    expect(label.value('/v1beta1/options/snapshots/{underlying}')).toBe('/v1beta1/options/snapshots/{underlying}');
    expect(label.value('/v2/clock')).toBe(OVERFLOW_LABEL);
    expect(label.value('/v2/stocks/bars')).toBe('/v2/stocks/bars');
  });

  it.each(['', 'has space', 'quote"d', 'x'.repeat(101), 'line\nbreak'])('refuses unsafe value %p', (raw) => {
    expect(new BoundedLabel(10).value(raw)).toBe(OVERFLOW_LABEL);
  });
});

describe('upstream outcomes', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [429, 'rate_limited'],
    [404, 'client_error'],
    [403, 'client_error'],
    [500, 'server_error'],
    [503, 'server_error'],
    [302, 'server_error'],
  ] as const)('%p → %p', (status, outcome) => {
    expect(outcomeForStatus(status)).toBe(outcome);
  });

  it('reads X-RateLimit-Remaining only when it is a plain count', () => {
    expect(parseRateLimitRemaining('187')).toBe(187);
    expect(parseRateLimitRemaining(' 0 ')).toBe(0);
    expect(parseRateLimitRemaining(undefined)).toBeNull();
    expect(parseRateLimitRemaining('-1')).toBeNull();
    expect(parseRateLimitRemaining('12.5')).toBeNull();
  });
});

describe('GatewayMetrics', () => {
  it('keeps one registry per instance, so two apps in one process never share counts', async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics();
    a.observeHttpRequest({ method: 'GET', route: '/api/v1/stocks/:symbol/quote', status: 200, durationSeconds: 0.01 });
    expect(await a.render()).toContain(
      'opitios_http_requests_total{method="GET",route="/api/v1/stocks/:symbol/quote",status="200"} 1',
    );
    expect(await b.render()).not.toContain('route="/api/v1/stocks/:symbol/quote"');
    expect(a.contentType).toMatch(/^text\/plain/);
  });

  it('records the hooks for circuits, caches and audit events with bounded labels', async () => {
    const m = new GatewayMetrics();
    m.setCircuitState('data', 'open', 'paper');
    m.observeCacheLookup('redis', 'hit');
    m.observeAuditEvent('order_submitted', 'recorded');
    m.observeAttributedResponse('alpaca_real_time', -0.5);
    const text = await m.render();
    expect(text).toContain('opitios_circuit_state{upstream="data",account="paper"} 2');
    expect(text).toContain('opitios_cache_lookups_total{layer="redis",result="hit"} 1');
    expect(text).toContain('opitios_audit_events_total{event="order_submitted",outcome="recorded"} 1');
    // A timestamp slightly in the future (clock skew) counts as fresh, not negative.
    expect(text).toContain('opitios_data_freshness_seconds_bucket{le="1",data_source="alpaca_real_time"} 1');
  });
});
