import { UNKEYED, type AuditKeys } from '../audit-keys.js';
import type { AuditStore } from './audit.store.js';
import { JsonlAuditStore } from './jsonl-audit.store.js';
import { PostgresAuditStore } from './postgres-audit.store.js';

/**
 * PostgreSQL when DATABASE_URL is set, else the JSONL file at AUDIT_LOG_PATH; keyed with `keys`.
 * `traced` (tracing is on): PostgreSQL queries made for a request get spans.
 */
export function createAuditStore(settings: { databaseUrl: string | undefined; auditLogPath: string; auditKeys?: AuditKeys; traced?: boolean }): AuditStore {
  const keys = settings.auditKeys ?? UNKEYED;
  return settings.databaseUrl !== undefined
    ? new PostgresAuditStore(settings.databaseUrl, { keys, traced: settings.traced ?? false })
    : new JsonlAuditStore(settings.auditLogPath, keys);
}
