import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { AuditController } from './audit.controller.js';
import { createAuditStore } from './store/audit-store.factory.js';
import { AccountMetrics } from './account-metrics.js';
import { AuditService } from './audit.service.js';
import { AuditStore } from './store/audit.store.js';
import { AuditCheckpointer } from './audit-checkpointer.js';
import { auditKeys, type AuditKeys } from './audit-keys.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { Tracing } from '../core/telemetry/tracing.js';
import { Clock } from '../core/time/clock.js';

function keysOf(c: AppConfig): AuditKeys {
  return auditKeys({ hmac: c.audit.hmacKey, previous: c.audit.previousHmacKeys, signing: c.audit.signingKey });
}

/**
 * The audit trail. Not global: a module that records events imports it, so who writes the trail
 * is visible in the module graph (auth, trading, health).
 */
@Module({
  controllers: [AuditController],
  providers: [
    AccountMetrics,
    {
      provide: AuditStore,
      inject: [AppConfig, Tracing, Clock],
      useFactory: (c: AppConfig, tracing: Tracing, clock: Clock) =>
        createAuditStore({ ...c, auditKeys: keysOf(c), traced: tracing.enabled, clock }),
    },
    {
      provide: AuditCheckpointer,
      inject: [AuditStore, AppConfig, WinstonLogger, Clock],
      useFactory: (store: AuditStore, c: AppConfig, logger: WinstonLogger, clock: Clock) =>
        new AuditCheckpointer(
          store,
          keysOf(c),
          { every: c.audit.checkpointEvery, seconds: c.audit.checkpointSeconds },
          logger,
          clock,
        ),
    },
    AuditService,
  ],
  exports: [AuditService],
})
export class AuditModule {}
