/**
 * `npm run audit:verify`: checks the audit chain (PostgreSQL with DATABASE_URL, else the JSONL
 * file at AUDIT_LOG_PATH or --file) with the gateway's keys (AUDIT_HMAC_KEY,
 * AUDIT_HMAC_PREVIOUS_KEYS, AUDIT_SIGNING_KEY for the checkpoints) and prints the first broken link. Exit 0 when whole, 1 when
 * broken, 2 when the store cannot be read.
 */
import { createAuditStore } from './audit-store.factory.js';
import { auditKeysFromEnvironment } from './audit-keys.js';

async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--file');
  const file = i >= 0 ? argv[i + 1] : undefined;
  const store = createAuditStore({
    databaseUrl: file === undefined ? process.env['DATABASE_URL'] || undefined : undefined,
    auditLogPath: file ?? process.env['AUDIT_LOG_PATH'] ?? './data/audit.jsonl',
    auditKeys: auditKeysFromEnvironment(process.env),
  });
  try {
    const result = await store.verify();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`audit verify failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
