import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AppConfig } from '../core/config/app-config.js';
import { ReadinessRegistry, type ReadinessCheck } from '../core/readiness/readiness.registry.js';

/**
 * PostgreSQL accepts a connection and answers `SELECT 1`; registered only when DATABASE_URL is
 * set. Asked through the audit store's own pool (the one thing the gateway keeps in PostgreSQL), so
 * readiness opens no second pool; `audit_store` beside it says whether the trail can be written.
 */
@Injectable()
export class PostgresReadiness implements ReadinessCheck, OnModuleInit {
  readonly name = 'postgres';

  constructor(
    private readonly config: AppConfig,
    private readonly registry: ReadinessRegistry,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    if (this.config.databaseUrl !== undefined) this.registry.register(this);
  }

  check(): Promise<void> {
    return this.audit.ping();
  }
}
