/**
 * What the `apikey` CLI checks a key's binding against before it is stored: names that must be
 * spelled right (refused, exit 2) and names the gateway must know (only warned about: the CLI's
 * shell need not hold the gateway's configuration).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseAccountList } from './api-key-store.js';

function firstLine(e: unknown): string {
  return e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
}

/**
 * A policy the key is given must exist where the gateway looks (its orders are refused otherwise):
 * checked against RISK_POLICY_FILE when this shell has it, else only said.
 */
export function notePolicy(name: string | null, env: NodeJS.ProcessEnv = process.env): void {
  if (name === null) return;
  const file = env['RISK_POLICY_FILE'];
  if (file === undefined || file === '') {
    process.stderr.write(
      `risk policy "${name}": RISK_POLICY_FILE is not set here, so it was not checked; the gateway refuses this key's orders if its file has no such policy.\n`,
    );
    return;
  }
  try {
    // Only the names: the gateway itself validates the rules (and names a bad one).
    const text = readFileSync(file, 'utf8');
    const doc = (file.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as {
      policies?: Record<string, unknown>;
    } | null;
    const names = Object.keys(doc?.policies ?? {});
    if (!names.includes(name))
      process.stderr.write(
        `warning: ${file} has no policy "${name}" (it has: ${names.join(', ') || 'none'}); the gateway refuses this key's orders until it does.\n`,
      );
  } catch (e: unknown) {
    process.stderr.write(`warning: RISK_POLICY_FILE ${file} could not be read to check the name (${firstLine(e)})\n`);
  }
}

/** `paper,live` as the key's accounts, or the CLI's usage error (exit 2) naming the bad name. */
export function accountListOrExit(text: string): string[] {
  try {
    return parseAccountList(text);
  } catch (e: unknown) {
    process.stderr.write(`accounts "${text}": ${firstLine(e)}\n`);
    process.exit(2);
  }
}

/**
 * Accounts the key is bound to must be ones the gateway serves (a request for any other is
 * `403 ACCOUNT_NOT_ALLOWED`): checked against ALPACA_ACCOUNTS when this shell has it, else only said.
 */
export function noteAccounts(accounts: readonly string[] | null, env: NodeJS.ProcessEnv = process.env): void {
  if (accounts === null) return;
  const configured = env['ALPACA_ACCOUNTS'];
  if (configured === undefined || configured === '') {
    process.stderr.write(
      `accounts ${accounts.join(',')}: ALPACA_ACCOUNTS is not set here, so they were not checked; the gateway lets this key use only the ones it serves.\n`,
    );
    return;
  }
  const known = configured.split(',').map((n) => n.trim());
  const unknown = accounts.filter((a) => !known.includes(a));
  if (unknown.length > 0)
    process.stderr.write(
      `warning: ALPACA_ACCOUNTS (${known.join(', ')}) has no account ${unknown.map((u) => `"${u}"`).join(', ')}; this key cannot use ${unknown.length === 1 ? 'it' : 'them'} until the gateway serves ${unknown.length === 1 ? 'it' : 'them'}.\n`,
    );
}
