import { UNKEYED, type AuditKeys } from '../audit-keys.js';
import type { AuditStore } from './audit.store.js';
import type { Clock } from '../../core/time/clock.js';
import { JsonlAuditStore } from './jsonl-audit.store.js';
import { PostgresAuditStore } from './postgres-audit.store.js';

/**
 * PostgreSQL when DATABASE_URL is set, else the JSONL file at AUDIT_LOG_PATH; keyed with `keys`.
 * `traced` (tracing is on): PostgreSQL queries made for a request get spans. `clock` stamps the
 * records (the gateway's; the CLIs leave it out and write at the system's wall time).
 */
export function createAuditStore(settings: {
  databaseUrl: string | undefined;
  auditLogPath: string;
  auditKeys?: AuditKeys;
  traced?: boolean;
  clock?: Clock;
}): AuditStore {
  const keys = settings.auditKeys ?? UNKEYED;
  return settings.databaseUrl !== undefined
    ? new PostgresAuditStore(settings.databaseUrl, { keys, traced: settings.traced ?? false, clock: settings.clock })
    : new JsonlAuditStore(settings.auditLogPath, keys, settings.clock);
}
