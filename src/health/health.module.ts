import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AlpacaReadiness } from './alpaca.health.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { PostgresReadiness } from './postgres.health.js';
import { ReadinessService } from './readiness.service.js';
import { RedisReadiness } from './redis.health.js';

/**
 * Operations endpoints: Kubernetes probes (terminus) and Prometheus metrics. Readiness runs every
 * check in core's ReadinessRegistry; this module registers the ones nobody else owns yet (Redis,
 * PostgreSQL, Alpaca reachability). Terminus' own logger is off: ReadinessService logs changes.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AlpacaModule, AuditModule],
  controllers: [HealthController, MetricsController],
  providers: [ReadinessService, RedisReadiness, PostgresReadiness, AlpacaReadiness, MetricsTokenGuard],
})
export class HealthModule {}
