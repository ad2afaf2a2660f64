/**
 * The observability files in docker/ hang together: every alert has a runbook section and a
 * firing and a non-firing promtool case, the dashboard is valid JSON whose panels use only series
 * and recording rules that exist, and the compose stack mounts files that exist. (promtool itself
 * runs in .ci/run; a real Prometheus loads the rules in test/integration/prometheus-scrape.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const DOCKER = join(process.cwd(), 'docker');
const read = (path: string): string => readFileSync(join(DOCKER, path), 'utf8');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }>;
}

const rules = (
  parse(read('prometheus/rules/opitios-alpaca.rules.yml')) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const records = rules.flatMap((r) => (r.record === undefined ? [] : [r.record]));

describe('alert rules', () => {
  it('cover every promise and every operational condition the service names', () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'OpitiosRealDataBelow95Percent',
        'OpitiosCacheHitRateLow',
        'OpitiosQuotesStale',
        'OpitiosNotRecoveringAfterUpstream',
        'OpitiosTracingIncomplete',
        'OpitiosGatewayDown',
        'OpitiosCircuitOpen',
        'OpitiosUpstreamBudgetExhausted',
        'OpitiosAuditStoreFailing',
        'OpitiosStreamUpstreamDown',
        'OpitiosReadinessFailing',
        'OpitiosHealthDegraded',
        'OpitiosRateLimitRefusals',
        'OpitiosAuthLockouts',
        'OpitiosTradingHalted',
        'OpitiosTradingHaltStateUnknown',
        'OpitiosTradingHaltDiverged',
        'OpitiosRiskRefusalBurst',
        'OpitiosRiskPolicyReloadFailed',
      ].sort(),
    );
  });

  it('each has a severity and a runbook section that exists', () => {
    const headings = new Set(
      [...read('prometheus/RUNBOOK.md').matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()),
    );
    for (const a of alerts) {
      expect({ alert: a.alert, severity: typeof a.labels?.['severity'] }).toEqual({
        alert: a.alert,
        severity: 'string',
      });
      expect(a.annotations?.['runbook']).toBe(`docker/prometheus/RUNBOOK.md#${a.alert.toLowerCase()}`);
      expect({ alert: a.alert, section: headings.has(a.alert.toLowerCase()) }).toEqual({
        alert: a.alert,
        section: true,
      });
    }
  });

  it('each has a firing and a non-firing promtool case', () => {
    const tests = (parse(read('prometheus/tests/opitios-alpaca.test.yml')) as { tests: RuleTest[] }).tests.flatMap(
      (t) => t.alert_rule_test,
    );
    for (const a of alerts) {
      const cases = tests.filter((t) => t.alertname === a.alert);
      expect({
        alert: a.alert,
        firing: cases.some((c) => c.exp_alerts.length > 0),
        silent: cases.some((c) => c.exp_alerts.length === 0),
      }).toEqual({ alert: a.alert, firing: true, silent: true });
    }
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(read('grafana/dashboards/opitios-alpaca.json')) as {
    uid: string;
    templating: { list: Array<Record<string, unknown>> };
    panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('is JSON with a panel for each promise, reading only recording rules that exist', () => {
    expect(dashboard.uid).toBe('opitios-alpaca');
    for (const promise of [
      'opitios:real_data_answers:ratio_rate5m',
      'opitios:cache_hit:ratio_rate10m',
      'opitios:quote_fresh_30s:ratio_rate5m',
      'opitios:traced_requests:ratio_rate5m',
      'opitios:upstream_error_answers:rate1m',
    ]) {
      expect(exprs.some((e) => e.includes(promise))).toBe(true);
    }
    for (const used of exprs.flatMap((e) => e.match(/opitios:[a-z0-9_:]+/g) ?? [])) expect(records).toContain(used);
  });

  it('selects the Alpaca account: an `account` variable from opitios_circuit_state, used by every per-account series', () => {
    expect(dashboard.templating.list.map((v) => v['name'])).toEqual(['account']);
    expect(dashboard.templating.list[0]).toMatchObject({
      type: 'query',
      datasource: { type: 'prometheus', uid: 'prometheus' },
      definition: 'label_values(opitios_circuit_state, account)',
      query: { query: 'label_values(opitios_circuit_state, account)' },
      includeAll: true,
      multi: true,
      allValue: '.*',
    });
    // The series the gateway labels with the account whose keys made the call.
    const metrics = readFileSync(join(process.cwd(), 'src', 'core', 'metrics', 'gateway-metrics.ts'), 'utf8');
    const perAccount = [
      'opitios_upstream_requests_total',
      'opitios_upstream_rate_limit_remaining',
      'opitios_circuit_state',
      'opitios_upstream_budget_refusals_total',
    ];
    for (const name of perAccount) {
      const labels = new RegExp(`name: '${name}',[^}]*?labelNames: \\[([^\\]]*)\\]`).exec(metrics)?.[1] ?? '';
      expect({ name, labels: labels.includes("'account'") }).toEqual({ name, labels: true });
    }
    const using = exprs.filter((e) => perAccount.some((m) => e.includes(m)));
    expect(using).toHaveLength(4);
    for (const expr of using) {
      expect(expr).toMatch(/\{account=~"\$account"\}/);
      // Summed or maxed per account, so two accounts are two lines, never one.
      expect(expr).toMatch(/^(sum|max|min) by \(account, /);
    }
    expect(dashboard.panels.some((p) => p.type === 'row' && p.title.includes('$account'))).toBe(true);
  });

  it('names only metrics the gateway exports', () => {
    const source = [
      ['core', 'metrics', 'gateway-metrics.ts'],
      ['health', 'readiness.service.ts'],
      ['streams', 'stream-metrics.ts'],
      ['risk', 'risk-metrics.ts'],
      ['trading', 'halt', 'halt-metrics.ts'],
    ]
      .map((parts) => readFileSync(join(process.cwd(), 'src', ...parts), 'utf8'))
      .join('');
    const names = new Set(
      [...exprs, ...rules.map((r) => r.expr)]
        .flatMap((e) => e.match(/opitios_[a-z_]+/g) ?? [])
        .map((n) => n.replace(/_(bucket|count|sum)$/, '')),
    );
    for (const name of names)
      expect({ name, exported: source.includes(`'${name}'`) }).toEqual({ name, exported: true });
  });
});

describe('docker compose stack', () => {
  const compose = parse(read('docker-compose.yml')) as {
    services: Record<string, { volumes?: string[]; environment?: Record<string, string> }>;
  };

  it('runs the gateway with Redis, PostgreSQL, Prometheus with the rules, Grafana provisioned and Jaeger for traces', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'gateway',
      'grafana',
      'jaeger',
      'postgres',
      'prometheus',
      'redis',
    ]);
    expect(compose.services['prometheus']?.volumes).toEqual(
      expect.arrayContaining(['./prometheus/rules:/etc/prometheus/rules:ro']),
    );
    expect(compose.services['gateway']?.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT']).toMatch(/jaeger:4318/);
  });

  it('mounts only files and folders that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const local = volume.split(':')[0] ?? '';
        if (!local.startsWith('.')) continue;
        expect({ service: name, local, exists: existsSync(join(DOCKER, local)) }).toEqual({
          service: name,
          local,
          exists: true,
        });
      }
    }
  });
});
