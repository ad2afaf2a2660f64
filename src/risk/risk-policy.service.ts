import { readFileSync, statSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import type { Principal } from '../core/identity/principal.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { Clock } from '../core/time/clock.js';
import { RiskMetrics } from './risk-metrics.js';
import {
  appliesTo,
  DEFAULT_POLICY,
  parsePolicyFile,
  RiskPolicyError,
  type PolicySet,
  type RiskRules,
} from './risk-policy.js';

/** Which policy governs a principal's orders. */
export type Governing =
  /**
   * No rule applies: no RISK_POLICY_FILE, no policy of that name nor a default one, or the policy
   * names `accounts` and the order's account is not among them.
   */
  | { kind: 'none' }
  | { kind: 'policy'; name: string; rules: RiskRules }
  /** The principal's key names a policy the file does not hold: its orders are refused (never a silent default). */
  | { kind: 'missing'; name: string };

/** What identifies a version of the file: a rename (how editors and the CLI save) changes the inode. */
function versionOf(path: string): string {
  const s = statSync(path);
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** Loads RISK_POLICY_FILE, or throws RiskPolicyError naming the file, the policy and the rule. */
export function loadPolicyFile(path: string): PolicySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e: unknown) {
    throw new RiskPolicyError(
      `RISK_POLICY_FILE ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  return parsePolicyFile(text, path);
}

/**
 * The risk policies in force. Read at boot (a bad file stops the gateway, naming the rule), then
 * checked for changes at most every API_KEYS_RELOAD_MS, like the key file: a good new file takes
 * effect at once, a bad one is logged and counted and the last good policies stay in force.
 */
@Injectable()
export class RiskPolicyService {
  private readonly path: string | undefined;
  private set: PolicySet = { policies: new Map(), accounts: new Map() };
  private version: string | null = null;
  private checkedAt = 0;
  /** The version last found bad, so a bad file is reported once, not on every order. */
  private rejected: string | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    private readonly clock: Clock,
    private readonly metrics: RiskMetrics,
  ) {
    this.path = config.risk.policyFile;
    if (this.path === undefined) {
      logger.event('info', 'risk_policy_off', {
        note: 'RISK_POLICY_FILE is not set: no risk rule applies to any order',
      });
      metrics.setPolicies(0);
      return;
    }
    this.set = loadPolicyFile(this.path);
    this.version = versionOf(this.path);
    this.checkedAt = clock.now();
    metrics.setPolicies(this.set.policies.size);
    logger.event('info', 'risk_policy_loaded', {
      file: this.path,
      policies: [...this.set.policies.keys()],
      default_policy: this.set.policies.has(DEFAULT_POLICY),
      ...this.scopes(),
    });
  }

  /**
   * The policy governing a principal's orders on an account: its key's named policy (replacing the
   * default), else `default`; none when that policy's `accounts` leave this account out.
   */
  governing(principal: Principal | undefined, account: string): Governing {
    if (this.path === undefined) return { kind: 'none' };
    this.refresh();
    const named = principal?.riskPolicy ?? null;
    const name = named ?? DEFAULT_POLICY;
    const rules = this.set.policies.get(name);
    if (rules !== undefined)
      return appliesTo(this.set, name, account) ? { kind: 'policy', name, rules } : { kind: 'none' };
    return named === null ? { kind: 'none' } : { kind: 'missing', name: named };
  }

  /** Policy names in force (for the refusal of a key whose policy is not among them). */
  names(): string[] {
    return [...this.set.policies.keys()];
  }

  private refresh(): void {
    const path = this.path;
    if (path === undefined) return;
    const now = this.clock.now();
    if (now - this.checkedAt < this.config.apiKeysReloadMs) return;
    this.checkedAt = now;
    let version: string;
    try {
      version = versionOf(path);
    } catch (e: unknown) {
      this.reject(
        `missing:${(e as NodeJS.ErrnoException).code ?? ''}`,
        `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      );
      return;
    }
    if (version === this.version || version === this.rejected) return;
    try {
      this.set = loadPolicyFile(path);
    } catch (e: unknown) {
      this.reject(version, e instanceof Error ? e.message : String(e));
      return;
    }
    this.version = version;
    this.rejected = null;
    this.metrics.observeReload('loaded');
    this.metrics.setPolicies(this.set.policies.size);
    this.logger.event('info', 'risk_policy_reloaded', {
      file: path,
      policies: [...this.set.policies.keys()],
      ...this.scopes(),
    });
  }

  /**
   * The policies limited to some accounts, and the account names they use that this gateway does
   * not serve (a file shared by gateways of other accounts is allowed; a typo is said once here).
   */
  private scopes(): Record<string, unknown> {
    if (this.set.accounts.size === 0) return {};
    const served = new Set(this.config.accounts.list.map((a) => a.name));
    const named = [...this.set.accounts.values()].flat();
    const unknown = [...new Set(named.filter((a) => !served.has(a)))];
    return {
      policy_accounts: Object.fromEntries(this.set.accounts),
      ...(unknown.length > 0 ? { unserved_accounts: unknown } : {}),
    };
  }

  private reject(version: string, error: string): void {
    if (version === this.rejected) return;
    this.rejected = version;
    this.metrics.observeReload('invalid');
    // Keep the last good policies: a half-edited file must not lift every limit, nor stop all trading.
    this.logger.event('error', 'risk_policy_reload_failed', {
      file: this.path,
      error,
      kept: [...this.set.policies.keys()],
    });
  }
}
