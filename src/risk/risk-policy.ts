import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RISK_POLICY_NAME } from '../auth/api-keys/api-key-store.js';
import { isAccountList } from '../core/config/alpaca-accounts.js';
import { Dec } from './exact-decimal.js';

/** The order types a policy may allow (Alpaca's `type`). */
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** The policy of every principal without a named one. */
export const DEFAULT_POLICY = 'default';

/** A ticker, a class share (BRK.B) or an OCC option symbol; compared upper-cased. */
const SYMBOL = /^[A-Za-z0-9./-]{1,21}$/;

/** Places a JSON number is written with (its shortest form), exponent included: 1e-7 has 7. */
function placesOf(n: number): number {
  const d = Dec.parse(String(n));
  return d === null ? Number.POSITIVE_INFINITY : d.scale;
}

function amount(max: number, places: number): z.ZodType<number> {
  return z
    .number()
    .min(0)
    .max(max)
    .refine((n) => placesOf(n) <= places);
}

const symbols = z
  .array(
    z
      .string()
      .regex(SYMBOL)
      .transform((s) => s.toUpperCase()),
  )
  .min(1);

/**
 * Every rule a policy may hold: its schema, and what it must be (the message naming it when a
 * file gets it wrong). Limits are inclusive. USD amounts have at most 2 decimal places (the daily
 * counter holds whole cents), quantities at most 9 (Alpaca's), percentages at most 4.
 */
const RULES = {
  symbols_allowed: { schema: symbols, must: 'a non-empty list of symbols (tickers or OCC option symbols)' },
  symbols_denied: { schema: symbols, must: 'a non-empty list of symbols (tickers or OCC option symbols)' },
  max_order_qty: {
    schema: amount(1e9, 9),
    must: 'a number from 0 to 1000000000 with at most 9 decimal places (shares or contracts)',
  },
  max_order_notional: {
    schema: amount(1e12, 2),
    must: 'a number of USD from 0 to 1000000000000 with at most 2 decimal places',
  },
  price_band_pct: { schema: amount(1000, 4), must: 'a percentage from 0 to 1000 with at most 4 decimal places' },
  max_orders_per_minute: { schema: z.number().int().min(0).max(100_000), must: 'a whole number from 0 to 100000' },
  // Alpaca lists at most 500 orders per call: one call can tell whether 499 are open, not more.
  max_open_orders: { schema: z.number().int().min(0).max(499), must: 'a whole number from 0 to 499' },
  max_position_qty: {
    schema: amount(1e9, 9),
    must: 'a number from 0 to 1000000000 with at most 9 decimal places (shares or contracts)',
  },
  max_daily_notional: {
    schema: amount(1e12, 2),
    must: 'a number of USD from 0 to 1000000000000 with at most 2 decimal places',
  },
  allow_short: { schema: z.boolean(), must: 'true or false' },
  allow_options: { schema: z.boolean(), must: 'true or false' },
  order_types: {
    schema: z.array(z.enum(ORDER_TYPES)).min(1),
    must: `a non-empty list of order types (${ORDER_TYPES.join(', ')})`,
  },
  reduce_only: { schema: z.boolean(), must: 'true or false' },
} as const;

export type RuleName = keyof typeof RULES;
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/** One policy: the rules it sets (a rule it does not set does not apply). */
export type RiskRules = { -readonly [K in RuleName]?: z.output<(typeof RULES)[K]['schema']> };

const rulesSchema = z.strictObject(
  Object.fromEntries(RULE_NAMES.map((r) => [r, RULES[r].schema.optional()])) as {
    [K in RuleName]: z.ZodOptional<(typeof RULES)[K]['schema']>;
  },
);
const fileSchema = z.strictObject({ policies: z.record(z.string().regex(RISK_POLICY_NAME), z.unknown()) });

/** A policy file as loaded: the policies by name, and the accounts of those limited to some. */
export interface PolicySet {
  readonly policies: ReadonlyMap<string, RiskRules>;
  /** A policy's `accounts` (it applies to orders on those only); a policy absent here applies to every account. */
  readonly accounts: ReadonlyMap<string, readonly string[]>;
}

/** Whether a policy applies to an order on this account: it names none, or names this one. */
export function appliesTo(set: PolicySet, policy: string, account: string): boolean {
  const only = set.accounts.get(policy);
  return only === undefined || only.includes(account);
}

/** A policy file that cannot be used; the message names the file, the policy and the rule. */
export class RiskPolicyError extends Error {
  override readonly name = 'RiskPolicyError';
}

function parseText(text: string, file: string): unknown {
  try {
    return file.toLowerCase().endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (e: unknown) {
    const kind = file.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new RiskPolicyError(`RISK_POLICY_FILE ${file}: not valid ${kind}: ${why}`);
  }
}

const ACCOUNTS_MUST =
  'a non-empty list of account names, each once (1-32 of a-z 0-9 _, starting with a letter, as in ALPACA_ACCOUNTS)';

/** A policy's `accounts`: the names it applies to (each ACCOUNT_NAME, each once), or undefined when absent. */
function accountsOf(where: string, raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!isAccountList(raw) || new Set(raw).size !== raw.length)
    throw new RiskPolicyError(`${where}, accounts: must be ${ACCOUNTS_MUST}`);
  return raw;
}

function policyOf(name: string, raw: unknown, file: string): { rules: RiskRules; accounts: string[] | undefined } {
  const where = `RISK_POLICY_FILE ${file}: policy "${name}"`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new RiskPolicyError(`${where} must be an object of rules (rules: ${RULE_NAMES.join(', ')})`);
  const { accounts, ...rules } = raw as Record<string, unknown>;
  return { rules: rulesOf(where, rules), accounts: accountsOf(where, accounts) };
}

function rulesOf(where: string, raw: Record<string, unknown>): RiskRules {
  const parsed = rulesSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new RiskPolicyError(
      `${where}: unknown rule ${issue.keys.map((k) => `"${k}"`).join(', ')} (rules: ${RULE_NAMES.join(', ')})`,
    );
  }
  const rule = issue?.path[0];
  if (typeof rule === 'string' && rule in RULES)
    throw new RiskPolicyError(`${where}, rule ${rule}: must be ${RULES[rule as RuleName].must}`);
  throw new RiskPolicyError(`${where}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Reads a policy file's text (`.json`: JSON, anything else: YAML, of which JSON is a part):
 * `{"policies": {"NAME": {rule: limit, …, "accounts": [ACCOUNT, …]}, …}}` (`accounts` optional: absent, the
 * policy applies to every account). Throws RiskPolicyError naming what is wrong.
 */
export function parsePolicyFile(text: string, file: string): PolicySet {
  const doc = parseText(text, file);
  const shape = fileSchema.safeParse(doc);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    const bad =
      issue?.path[0] === 'policies' && typeof issue.path[1] === 'string'
        ? ` (policy name "${issue.path[1]}": letters, digits, . _ - only)`
        : '';
    throw new RiskPolicyError(`RISK_POLICY_FILE ${file}: must be {"policies": {"NAME": {rule: limit, …}, …}}${bad}`);
  }
  const policies = new Map<string, RiskRules>();
  const accounts = new Map<string, readonly string[]>();
  for (const [name, raw] of Object.entries(shape.data.policies)) {
    const policy = policyOf(name, raw, file);
    policies.set(name, policy.rules);
    if (policy.accounts !== undefined) accounts.set(name, policy.accounts);
  }
  return { policies, accounts };
}

/** Whether a policy needs the fleet's counters (orders per minute, daily notional). */
export function usesCounters(rules: RiskRules): boolean {
  return rules.max_orders_per_minute !== undefined || rules.max_daily_notional !== undefined;
}
