import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { AppConfig } from '../core/config/app-config.js';

/**
 * Orders, fills and refusals per Alpaca account, counted where they are recorded (every audit
 * record of an order, a position write, an order event or a refusal names its account), so the
 * count and the trail cannot disagree.
 */
@Injectable()
export class AccountMetrics {
  private readonly events: Counter<'account' | 'event'>;

  constructor(metrics: GatewayMetrics, config: AppConfig) {
    this.events = new Counter({
      name: 'opitios_account_events_total',
      help: 'Audited order events per Alpaca account, by event (order_accepted, order_refused, order_event fills...).',
      labelNames: ['account', 'event'],
      registers: [metrics.registry],
    });
    // Every configured account is a series from the start (a dashboard's account selector lists it).
    for (const a of config.accounts.list) this.events.inc({ account: a.name, event: 'order_accepted' }, 0);
  }

  observe(account: string, event: string): void {
    this.events.inc({ account, event });
  }
}
