import type { AuditStore } from './audit.store.js';
import { JsonlAuditStore } from './jsonl-audit.store.js';
import { PostgresAuditStore } from './postgres-audit.store.js';

/** PostgreSQL when DATABASE_URL is set, else the JSONL file at AUDIT_LOG_PATH. */
export function createAuditStore(settings: { databaseUrl: string | undefined; auditLogPath: string }): AuditStore {
  return settings.databaseUrl !== undefined ? new PostgresAuditStore(settings.databaseUrl) : new JsonlAuditStore(settings.auditLogPath);
}
