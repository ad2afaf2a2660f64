import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isRole, type Role } from '../../core/identity/roles.js';
import { ACCOUNT_NAME, isAccountList } from '../../core/config/alpaca-accounts.js';

/** What is stored per key: never the key itself, only its sha-256. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  roles: Role[];
  hash: string;
  created_at: string;
  revoked_at: string | null;
  /** The risk policy (RISK_POLICY_FILE) governing its orders; absent or null: the `default` policy. */
  risk_policy?: string | null;
  /** The Alpaca accounts it may use, its default first; absent or null: the first configured one. */
  accounts?: string[] | null;
}

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

/** `oa_<id>_<secret>`: the id (16 hex) locates the record; the whole string is what is hashed. */
export const API_KEY_PATTERN = /^oa_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A risk policy's name, as RISK_POLICY_FILE and `apikey … --risk-policy NAME` spell it. */
export const RISK_POLICY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function keyIdOf(key: string): string | null {
  return API_KEY_PATTERN.exec(key)?.[1] ?? null;
}

function parseRecord(v: unknown, index: number): ApiKeyRecord {
  const o = (v ?? {}) as Partial<Record<keyof ApiKeyRecord, unknown>>;
  const ok =
    typeof o.id === 'string' &&
    typeof o.name === 'string' &&
    typeof o.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(o.hash) &&
    Array.isArray(o.roles) &&
    o.roles.every(isRole) &&
    typeof o.created_at === 'string' &&
    (o.revoked_at === null || typeof o.revoked_at === 'string') &&
    (o.risk_policy === undefined ||
      o.risk_policy === null ||
      (typeof o.risk_policy === 'string' && RISK_POLICY_NAME.test(o.risk_policy))) &&
    (o.accounts === undefined || o.accounts === null || isAccountList(o.accounts));
  if (!ok) throw new Error(`API key file: entry ${index} is malformed`);
  return o as ApiKeyRecord;
}

/** An account list as `--accounts` spells it: `paper,live` (each name once, the default first). */
export function parseAccountList(text: string): string[] {
  const names = text.split(',').map((n) => n.trim());
  const bad = names.filter((n) => !ACCOUNT_NAME.test(n));
  if (bad.length > 0)
    throw new Error(
      `account name(s) ${bad.map((b) => `"${b}"`).join(', ')}: 1-32 of a-z 0-9 _, starting with a letter`,
    );
  if (new Set(names).size !== names.length) throw new Error('each account may be named once');
  return names;
}

function assertPolicyName(name: string | null): void {
  if (name !== null && !RISK_POLICY_NAME.test(name))
    throw new Error(`risk policy name "${name}": letters, digits, . _ - only (at most 64)`);
}

/**
 * The API key file (`API_KEYS_FILE`): read by the gateway, written by the CLI. Writes go through a
 * temporary file and a rename, so a reader never sees half a file.
 */
export class ApiKeyStore {
  constructor(readonly path: string) {}

  /** Modification time, or null when the file does not exist (no keys). */
  mtimeMs(): number | null {
    try {
      return statSync(this.path).mtimeMs;
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  load(): ApiKeyRecord[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const parsed = JSON.parse(text) as Partial<KeyFile>;
    if (!Array.isArray(parsed.keys)) throw new Error('API key file: "keys" must be an array');
    return parsed.keys.map(parseRecord);
  }

  /**
   * Creates a key and returns it in clear: the only time it is ever seen. Only the CLI and tests
   * write keys (the gateway reads them), so `now` defaults to the system's wall time.
   */
  create(
    name: string,
    roles: Role[],
    now = new Date(),
    riskPolicy: string | null = null,
    accounts: string[] | null = null,
  ): { key: string; record: ApiKeyRecord } {
    if (name.trim() === '') throw new Error('a key needs a name');
    if (roles.length === 0) throw new Error('a key needs at least one role');
    assertPolicyName(riskPolicy);
    const id = randomBytes(8).toString('hex');
    const key = `oa_${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      name,
      roles: [...new Set(roles)],
      hash: sha256Hex(key),
      created_at: now.toISOString(),
      revoked_at: null,
      ...(riskPolicy === null ? {} : { risk_policy: riskPolicy }),
      ...(accounts === null ? {} : { accounts: parseAccountList(accounts.join(',')) }),
    };
    this.save([...this.load(), record]);
    return { key, record };
  }

  /** Marks a key revoked (kept for the audit trail); false when no such active key. `now` as for create. */
  revoke(idOrName: string, now = new Date()): ApiKeyRecord | null {
    const keys = this.load();
    const target = keys.find((k) => (k.id === idOrName || k.name === idOrName) && k.revoked_at === null);
    if (target === undefined) return null;
    target.revoked_at = now.toISOString();
    this.save(keys);
    return target;
  }

  /**
   * Replaces an active key's roles. Tokens issued from it with a role it no longer has stop
   * working (ApiKeyService.bindingProblem); null when no such active key.
   */
  setRoles(idOrName: string, roles: Role[]): ApiKeyRecord | null {
    if (roles.length === 0) throw new Error('a key needs at least one role');
    const keys = this.load();
    const target = keys.find((k) => (k.id === idOrName || k.name === idOrName) && k.revoked_at === null);
    if (target === undefined) return null;
    target.roles = [...new Set(roles)];
    this.save(keys);
    return target;
  }

  /**
   * Names the risk policy governing an active key's orders (and its tokens'), or null for the
   * `default` policy; takes effect within API_KEYS_RELOAD_MS. Null when no such active key.
   */
  setRiskPolicy(idOrName: string, riskPolicy: string | null): ApiKeyRecord | null {
    assertPolicyName(riskPolicy);
    const keys = this.load();
    const target = keys.find((k) => (k.id === idOrName || k.name === idOrName) && k.revoked_at === null);
    if (target === undefined) return null;
    if (riskPolicy === null) delete target.risk_policy;
    else target.risk_policy = riskPolicy;
    this.save(keys);
    return target;
  }

  /**
   * Binds an active key (and its tokens) to `accounts`, its default first, or unbinds it (null: the
   * first configured account); takes effect within API_KEYS_RELOAD_MS. Null when no such active key.
   */
  setAccounts(idOrName: string, accounts: string[] | null): ApiKeyRecord | null {
    const names = accounts === null ? null : parseAccountList(accounts.join(','));
    const keys = this.load();
    const target = keys.find((k) => (k.id === idOrName || k.name === idOrName) && k.revoked_at === null);
    if (target === undefined) return null;
    if (names === null) delete target.accounts;
    else target.accounts = names;
    this.save(keys);
    return target;
  }

  private save(keys: ApiKeyRecord[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const file: KeyFile = { version: 1, keys };
    writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
