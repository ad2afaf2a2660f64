import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { AuditController } from './audit.controller.js';
import { createAuditStore } from './audit-store.factory.js';
import { AuditService } from './audit.service.js';
import { AuditStore } from './audit.store.js';

/** The audit trail; global so any feature can record where its events happen. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [{ provide: AuditStore, inject: [AppConfig], useFactory: (c: AppConfig) => createAuditStore(c) }, AuditService],
  exports: [AuditService],
})
export class AuditModule {}
