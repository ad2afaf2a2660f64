import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { GatewayMetrics } from '../../core/metrics/gateway-metrics.js';
import type { Halt } from './halt-scope.js';

/** What a halt refused: a new order (multi-leg included), a replacement, an exercise. */
export type HaltedOperation = 'submit' | 'replace' | 'exercise';

/** The halt's Prometheus series, in the gateway's registry. */
@Injectable()
export class HaltMetrics {
  private readonly active: Gauge<'kind'>;
  private readonly unknown: Gauge;
  private readonly refusals: Counter<'operation'>;

  constructor(metrics: GatewayMetrics) {
    const registers = [metrics.registry];
    this.active = new Gauge({
      name: 'opitios_trading_halts_active',
      help: 'Trading halts in force as this instance knows them, by kind: all (every principal), account (one Alpaca account) or key (one API key).',
      labelNames: ['kind'],
      registers,
    });
    this.unknown = new Gauge({
      name: 'opitios_trading_halt_state_unknown',
      help: '1 while this instance cannot read the halt state (its store unreadable and nothing heard from the fleet): it refuses every order.',
      registers,
    });
    this.refusals = new Counter({
      name: 'opitios_trading_halt_refusals_total',
      help: 'Order writes refused with 423 TRADING_HALTED, by operation (submit, replace, exercise).',
      labelNames: ['operation'],
      registers,
    });
    this.active.set({ kind: 'all' }, 0);
    this.active.set({ kind: 'account' }, 0);
    this.active.set({ kind: 'key' }, 0);
  }

  /** Called with every state this instance adopts (and with null while it knows none). */
  observeState(halts: readonly Halt[] | null): void {
    this.unknown.set(halts === null ? 1 : 0);
    const list = halts ?? [];
    this.active.set({ kind: 'all' }, list.filter((h) => h.scope === 'all').length);
    this.active.set({ kind: 'account' }, list.filter((h) => h.scope.startsWith('account:')).length);
    this.active.set({ kind: 'key' }, list.filter((h) => h.scope.startsWith('key:')).length);
  }

  observeRefusal(operation: HaltedOperation): void {
    this.refusals.inc({ operation });
  }
}
