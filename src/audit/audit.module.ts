import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { AuditController } from './audit.controller.js';
import { createAuditStore } from './audit-store.factory.js';
import { AuditService } from './audit.service.js';
import { AuditStore } from './audit.store.js';

/**
 * The audit trail. Not global: a module that records events imports it, so who writes the trail
 * is visible in the module graph (auth, trading, health).
 */
@Module({
  controllers: [AuditController],
  providers: [{ provide: AuditStore, inject: [AppConfig], useFactory: (c: AppConfig) => createAuditStore(c) }, AuditService],
  exports: [AuditService],
})
export class AuditModule {}
