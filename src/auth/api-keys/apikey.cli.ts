/**
 * API key management: `npm run apikey -- create --name bot1 --roles premium [--risk-policy NAME]
 * [--accounts paper,live]`, `list`, `revoke <id|name>`, `roles <id|name> --roles ROLE[,ROLE]`,
 * `risk-policy <id|name> NAME|default`, `accounts <id|name> paper,live|none` (in the container
 * image: `node dist/src/auth/api-keys/apikey.cli.js …`). Keys are stored as sha-256 hashes
 * in API_KEYS_FILE (or --file); the key itself is printed once, at creation. Every change is
 * audited, keyed like the gateway's records; under NODE_ENV=production without AUDIT_HMAC_KEY
 * nothing is changed, as the gateway refuses to boot then. Names of policies and accounts are checked
 * against RISK_POLICY_FILE and ALPACA_ACCOUNTS when this shell has them (a warning, not a refusal).
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createAuditStore } from '../../audit/store/audit-store.factory.js';
import { auditKeysFromEnvironment, type AuditKeys } from '../../audit/audit-keys.js';
import { productionHmacKeyProblem } from '../../core/config/audit-hmac-keys.js';
import type { AuditAction } from '../../audit/audit.types.js';
import { ApiKeyStore, RISK_POLICY_NAME } from './api-key-store.js';
import { accountListOrExit, noteAccounts, notePolicy } from './apikey-cli-checks.js';
import { isRole, ROLES, type Role } from '../../core/identity/roles.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function usage(): never {
  process.stderr.write(
    'usage: apikey create --name NAME --roles ROLE[,ROLE] [--file PATH]\n' +
      '       apikey list [--file PATH]\n' +
      '       apikey revoke ID_OR_NAME [--file PATH]\n' +
      '       apikey roles ID_OR_NAME --roles ROLE[,ROLE] [--file PATH]   (tokens with a dropped role stop working)\n' +
      '       apikey create ... --risk-policy NAME   (the key\'s orders follow policy NAME of RISK_POLICY_FILE instead of "default")\n' +
      '       apikey risk-policy ID_OR_NAME NAME|default [--file PATH]   ("default": the file\'s default policy again)\n' +
      '       apikey create ... --accounts NAME[,NAME]   (the Alpaca accounts of ALPACA_ACCOUNTS it may use, its default first)\n' +
      '       apikey accounts ID_OR_NAME NAME[,NAME]|none [--file PATH]   ("none": only the gateway\'s first account)\n' +
      `roles: ${ROLES.join(', ')}\n`,
  );
  process.exit(2);
}

/**
 * The keys the change's audit record is written with, read before anything changes: a key that
 * cannot be audited (production without AUDIT_HMAC_KEY, an unreadable key) is not created either.
 */
function auditKeysOrExit(): AuditKeys {
  const problem = productionHmacKeyProblem(process.env);
  try {
    if (problem !== null) throw new Error(problem);
    return auditKeysFromEnvironment(process.env);
  } catch (e: unknown) {
    process.stderr.write(`apikey: nothing changed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

/** Key changes are audited like any other security event, with the operator as actor. */
async function audit(
  keys: AuditKeys,
  action: AuditAction,
  keyId: string,
  details: Record<string, unknown>,
): Promise<void> {
  const store = createAuditStore({
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    auditLogPath: process.env['AUDIT_LOG_PATH'] ?? './data/audit.jsonl',
    // Keyed like the gateway's own records, or the chain would break at this one.
    auditKeys: keys,
  });
  try {
    await store.init();
    await store.append({
      actor: { sub: `cli:${userInfo().username}`, roles: [], key_id: null },
      action,
      resource: `api_key:${keyId}`,
      outcome: 'ok',
      request_id: null,
      client_ip: null,
      details,
    });
  } finally {
    await store.close();
  }
}

function rolesOption(args: string[]): Role[] {
  const roles = (option(args, 'roles') ?? '').split(',').filter((r) => r !== '');
  if (roles.length === 0) usage();
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length > 0) {
    process.stderr.write(`unknown role(s): ${bad.join(', ')} (roles: ${ROLES.join(', ')})\n`);
    process.exit(2);
  }
  return roles as Role[];
}

function policyOption(args: string[]): string | null {
  const name = option(args, 'risk-policy');
  if (name === undefined) return null;
  if (!RISK_POLICY_NAME.test(name)) {
    process.stderr.write(`risk policy name "${name}": letters, digits, . _ - only (at most 64)\n`);
    process.exit(2);
  }
  return name;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const store = new ApiKeyStore(option(args, 'file') ?? process.env['API_KEYS_FILE'] ?? './data/api-keys.json');
  switch (command) {
    case 'create': {
      const name = option(args, 'name');
      const roles = rolesOption(args);
      const riskPolicy = policyOption(args);
      const accountsText = option(args, 'accounts');
      // `--accounts` with nothing after it is a slip, not "unbound".
      if (accountsText === undefined && args.includes('--accounts')) usage();
      const accounts = accountsText === undefined ? null : accountListOrExit(accountsText);
      if (name === undefined) usage();
      const keys = auditKeysOrExit();
      // The operator's command line, outside Nest: the key is created at the system's wall time.
      const { key, record } = store.create(name, roles, new Date(), riskPolicy, accounts);
      await audit(keys, 'api_key_created', record.id, {
        name: record.name,
        roles: record.roles,
        risk_policy: riskPolicy,
        accounts,
      });
      process.stdout.write(
        `created key ${record.id} "${record.name}" roles=${record.roles.join(',')}${riskPolicy === null ? '' : ` risk_policy=${riskPolicy}`}${accounts === null ? '' : ` accounts=${accounts.join(',')}`} in ${resolve(store.path)}\n`,
      );
      notePolicy(riskPolicy);
      noteAccounts(accounts);
      process.stdout.write(`${key}\n`);
      process.stderr.write('Store this key now: it is not kept and cannot be shown again.\n');
      // The usual surprise: a gateway with another API_KEYS_FILE (npm run demo has its own) rejects the key.
      process.stderr.write(
        `Only a gateway whose API_KEYS_FILE is ${resolve(store.path)} accepts it (within its API_KEYS_RELOAD_MS).\n`,
      );
      return;
    }
    case 'list':
      for (const k of store.load()) {
        process.stdout.write(
          `${k.id}  ${k.name}  roles=${k.roles.join(',')}  risk_policy=${k.risk_policy ?? 'default'}  accounts=${k.accounts?.join(',') ?? 'first'}  created=${k.created_at}  ${k.revoked_at === null ? 'active' : `revoked=${k.revoked_at}`}\n`,
        );
      }
      return;
    case 'revoke': {
      const target = args.find((a) => !a.startsWith('--') && a !== option(args, 'file'));
      if (target === undefined) usage();
      const keys = auditKeysOrExit();
      const revoked = store.revoke(target);
      if (revoked === null) {
        process.stderr.write(`no active key with id or name "${target}"\n`);
        process.exit(1);
      }
      await audit(keys, 'api_key_revoked', revoked.id, { name: revoked.name });
      process.stdout.write(`revoked ${revoked.id} "${revoked.name}"\n`);
      return;
    }
    case 'roles': {
      const target = args.find((a) => !a.startsWith('--') && a !== option(args, 'file') && a !== option(args, 'roles'));
      if (target === undefined) usage();
      const roles = rolesOption(args);
      const keys = auditKeysOrExit();
      const changed = store.setRoles(target, roles);
      if (changed === null) {
        process.stderr.write(`no active key with id or name "${target}"\n`);
        process.exit(1);
      }
      await audit(keys, 'api_key_roles_changed', changed.id, { name: changed.name, roles: changed.roles });
      process.stdout.write(`key ${changed.id} "${changed.name}" roles=${changed.roles.join(',')}\n`);
      return;
    }
    case 'risk-policy': {
      const [target, policy] = args.filter((a) => !a.startsWith('--') && a !== option(args, 'file'));
      if (target === undefined || policy === undefined) usage();
      if (policy !== 'default' && !RISK_POLICY_NAME.test(policy)) {
        process.stderr.write(`risk policy name "${policy}": letters, digits, . _ - only (at most 64)\n`);
        process.exit(2);
      }
      // "default" is the file's default policy: the key no longer names one of its own.
      const named = policy === 'default' ? null : policy;
      const keys = auditKeysOrExit();
      const changed = store.setRiskPolicy(target, named);
      if (changed === null) {
        process.stderr.write(`no active key with id or name "${target}"\n`);
        process.exit(1);
      }
      await audit(keys, 'api_key_risk_policy_changed', changed.id, { name: changed.name, risk_policy: named });
      process.stdout.write(
        `key ${changed.id} "${changed.name}" risk_policy=${named ?? 'default'} (in force within API_KEYS_RELOAD_MS)\n`,
      );
      notePolicy(named);
      return;
    }
    case 'accounts': {
      const [target, list] = args.filter((a) => !a.startsWith('--') && a !== option(args, 'file'));
      if (target === undefined || list === undefined) usage();
      // "none": unbound, the gateway's first configured account (as a key created without --accounts).
      const accounts = list === 'none' ? null : accountListOrExit(list);
      const keys = auditKeysOrExit();
      const changed = store.setAccounts(target, accounts);
      if (changed === null) {
        process.stderr.write(`no active key with id or name "${target}"\n`);
        process.exit(1);
      }
      await audit(keys, 'api_key_accounts_changed', changed.id, { name: changed.name, accounts });
      process.stdout.write(
        `key ${changed.id} "${changed.name}" accounts=${accounts?.join(',') ?? 'first'} (in force within API_KEYS_RELOAD_MS)\n`,
      );
      noteAccounts(accounts);
      return;
    }
    default:
      usage();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`apikey failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
