/**
 * `npm run audit:verify [-- --file PATH] [--no-checkpoints]` (or `node dist/src/audit/audit-verify.cli.js`):
 * checks the audit chain (PostgreSQL with DATABASE_URL, else the JSONL file at AUDIT_LOG_PATH or
 * --file) and prints the verdict as JSON, naming the first broken link.
 *
 * Keys: AUDIT_HMAC_KEY and AUDIT_HMAC_PREVIOUS_KEYS check the records' HMACs (the chain's secret).
 * The signed checkpoints need only a public key: AUDIT_VERIFY_PUBLIC_KEY (PEM, the URL of the
 * gateway's /.well-known/jwks.json, or a file holding either); AUDIT_SIGNING_KEY works too, but an
 * auditor has no reason to hold it. Checkpoints stored beside the trail that no key given can check
 * are not skipped in silence: that is exit 3, unless --no-checkpoints asks for the chain alone.
 *
 * Exit 0 whole, 1 broken, 2 the store or a key cannot be read, 3 checkpoints exist but none could be checked.
 */
import { createAuditStore } from './store/audit-store.factory.js';
import { auditKeysFromEnvironment, checkpointPublicKeys } from './audit-keys.js';

const NO_KEY_HINT =
  "set AUDIT_VERIFY_PUBLIC_KEY to the checkpoint signing key's public half (PEM, or the gateway's JWKS URL, e.g. https://gateway/.well-known/jwks.json), or pass --no-checkpoints to check the chain alone";

async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const i = argv.indexOf('--file');
  const file = i >= 0 ? argv[i + 1] : undefined;
  const noCheckpoints = argv.includes('--no-checkpoints');
  const source = env['AUDIT_VERIFY_PUBLIC_KEY'] || undefined;
  const verifying =
    source === undefined || noCheckpoints
      ? []
      : await checkpointPublicKeys(source).catch((e: unknown) => {
          throw new Error(`AUDIT_VERIFY_PUBLIC_KEY: ${e instanceof Error ? e.message : String(e)}`);
        });
  const keys = auditKeysFromEnvironment(env, verifying);
  const store = createAuditStore({
    databaseUrl: file === undefined ? env['DATABASE_URL'] || undefined : undefined,
    auditLogPath: file ?? env['AUDIT_LOG_PATH'] ?? './data/audit.jsonl',
    // --no-checkpoints: the chain alone, whatever keys are set.
    auditKeys: noCheckpoints ? { ...keys, checkpointKeys: new Map() } : keys,
  });
  try {
    const result = await store.verify();
    const stored = await store.checkpoints();
    const checkable = noCheckpoints ? [] : stored.filter((cp) => keys.checkpointKeys.has(cp.kid));
    process.stdout.write(
      `${JSON.stringify({ ...result, checkpoints_stored: stored.length, checkpoints_checked: checkable.length }, null, 2)}\n`,
    );
    if (!result.ok) return 1;
    const otherKids = [...new Set(stored.filter((cp) => !keys.checkpointKeys.has(cp.kid)).map((cp) => cp.kid))];
    if (noCheckpoints) {
      if (stored.length > 0)
        process.stderr.write(
          `${stored.length} signed checkpoint(s) not checked (--no-checkpoints): a removed tail or a rolled-back store would go unnoticed.\n`,
        );
      return 0;
    }
    if (stored.length === 0) {
      process.stderr.write(
        'No signed checkpoints are stored (the gateway runs without AUDIT_SIGNING_KEY): a removed tail cannot be detected.\n',
      );
      return 0;
    }
    if (checkable.length === 0) {
      process.stderr.write(
        keys.checkpointKeys.size === 0
          ? `${stored.length} signed checkpoint(s) are stored beside the trail but no key to check them was given: ${NO_KEY_HINT}.\n`
          : `${stored.length} signed checkpoint(s) are stored (kid ${otherKids.join(', ')}), none signed by the key(s) given (kid ${[...keys.checkpointKeys.keys()].join(', ')}): ${NO_KEY_HINT}.\n`,
      );
      return 3;
    }
    if (otherKids.length > 0) {
      process.stderr.write(
        `${stored.length - checkable.length} of ${stored.length} checkpoint(s) are signed by key(s) not given (kid ${otherKids.join(', ')}) and were skipped.\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`audit verify failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
