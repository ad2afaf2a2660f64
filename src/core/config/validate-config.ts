import type { z } from 'zod';
import { AppConfig } from './app-config.js';
import { CONFIG_SECTIONS, type ConfigValues } from './sections/index.js';
import { PROBLEM_KINDS, type ProblemKind } from './sections/fields.js';

export { DEFAULT_JWT_KID } from './sections/jwt.js';

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Drops empty strings so that `VAR=` means "unset" and the default applies. */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function kindOf(issue: z.core.$ZodIssue): ProblemKind {
  const kind: unknown = issue.code === 'custom' ? issue.params?.['kind'] : undefined;
  return PROBLEM_KINDS.find((k) => k === kind) ?? 'invalid';
}

/** `VARIABLE: message` (a rule's message may name its variable itself). */
function lineOf(issue: z.core.$ZodIssue): string {
  const [variable] = issue.path;
  return variable === undefined ? issue.message : `${String(variable)}: ${issue.message}`;
}

/**
 * One line per bad variable, never echoing its value: its own problem first, then a rule that
 * involves another variable, then "is required". A variable already refused on its own is not also
 * reported by a rule (JWT_TTL_SECONDS=90000 is out of range; that it also exceeds
 * JWT_MAX_TTL_SECONDS adds nothing), and a rule naming an alternative ("required unless
 * JWT_SECRETS is set") says more than a bare "is required".
 */
function problemsOf(issues: z.core.$ZodIssue[]): string[] {
  const ordered = PROBLEM_KINDS.flatMap((kind) => issues.filter((i) => kindOf(i) === kind).map(lineOf));
  const seen = new Set<string>();
  return ordered.filter((p) => {
    const variable = p.slice(0, p.indexOf(':'));
    if (seen.has(variable)) return false;
    seen.add(variable);
    return true;
  });
}

/** Validates the environment once and builds the typed configuration. */
export function validateConfig(env: Record<string, string | undefined>): AppConfig {
  const vars = withoutEmpty(env);
  const results = CONFIG_SECTIONS.map((section) => section.safeParse(vars));
  const problems = problemsOf(results.flatMap((r) => (r.success ? [] : r.error.issues)));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  const values = Object.assign({}, ...results.map((r) => r.data)) as ConfigValues;
  return new AppConfig(values);
}
