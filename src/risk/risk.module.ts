import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { MarketDataModule } from '../market-data/market-data.module.js';
import { OptionsModule } from '../options/options.module.js';
import { RiskCounters } from './risk-counters.js';
import { RiskLookups } from './risk-facts.js';
import { RiskGate } from './risk-gate.service.js';
import { RiskMetrics } from './risk-metrics.js';
import { RiskPolicyService } from './risk-policy.service.js';

/**
 * The pre-trade risk gate (RISK_POLICY_FILE): one RiskGate that the trading services call on
 * every order write of both faces. Prices come through the market-data and options services
 * (cache, stream, shared upstream budget), positions and open orders from the trading gateway.
 */
@Module({
  imports: [AlpacaModule, AuditModule, MarketDataModule, OptionsModule],
  providers: [RiskPolicyService, RiskLookups, RiskCounters, RiskMetrics, RiskGate],
  exports: [RiskGate],
})
export class RiskModule {}
