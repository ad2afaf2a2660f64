import { UNKEYED, type AuditKeys } from './audit-keys.js';
import type { AuditStore } from './audit.store.js';
import { JsonlAuditStore } from './jsonl-audit.store.js';
import { PostgresAuditStore } from './postgres-audit.store.js';

/** PostgreSQL when DATABASE_URL is set, else the JSONL file at AUDIT_LOG_PATH; keyed with `keys`. */
export function createAuditStore(settings: { databaseUrl: string | undefined; auditLogPath: string; auditKeys?: AuditKeys }): AuditStore {
  const keys = settings.auditKeys ?? UNKEYED;
  return settings.databaseUrl !== undefined ? new PostgresAuditStore(settings.databaseUrl, keys) : new JsonlAuditStore(settings.auditLogPath, keys);
}
