import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';

/** The risk gate's Prometheus series, in the gateway's registry. Labels: rule names (a fixed set) and outcomes. */
@Injectable()
export class RiskMetrics {
  private readonly refusals: Counter<'rule'>;
  private readonly reloads: Counter<'outcome'>;
  private readonly policiesLoaded: Gauge;

  constructor(metrics: GatewayMetrics) {
    const registers = [metrics.registry];
    this.refusals = new Counter({
      name: 'opitios_risk_refusals_total',
      help: 'Order writes refused by the risk gate (422 RISK_LIMIT_EXCEEDED), by the rule that refused them.',
      labelNames: ['rule'],
      registers,
    });
    this.reloads = new Counter({
      name: 'opitios_risk_policy_reloads_total',
      help: 'RISK_POLICY_FILE loads after boot, by outcome (loaded | invalid: the last good policies stay in force).',
      labelNames: ['outcome'],
      registers,
    });
    this.policiesLoaded = new Gauge({
      name: 'opitios_risk_policies',
      help: 'Policies in force from RISK_POLICY_FILE (0 with no file: no rule applies).',
      registers,
    });
  }

  observeRefusal(rule: string): void {
    this.refusals.inc({ rule });
  }

  observeReload(outcome: 'loaded' | 'invalid'): void {
    this.reloads.inc({ outcome });
  }

  setPolicies(count: number): void {
    this.policiesLoaded.set(count);
  }
}
