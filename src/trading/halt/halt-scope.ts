import type { Principal } from '../../core/identity/principal.js';
import { isRecord } from '../../core/validation/is-record.js';

/**
 * Every principal (`all`), the orders on one Alpaca account (`account:<name>`, whoever sends them),
 * or the principals of one API key (`key:<16 hex digits>`, tokens issued for it included).
 */
export type HaltScope = 'all' | `account:${string}` | `key:${string}`;

/** One trading halt in force: what it covers, why, since when (ISO-8601) and who set it (the admin's principal `sub`). */
export interface Halt {
  scope: HaltScope;
  reason: string;
  since: string;
  by: string;
}

/**
 * Every halt in force and the version of that set. Versions only grow: each change made by the
 * authority (PostgreSQL, else Redis, else this instance alone) takes the next one, so an instance
 * adopts what it hears only when it is newer than what it holds, whatever order it hears it in.
 */
export interface HaltState {
  version: number;
  halts: Halt[];
}

export type HaltChange = { op: 'halt'; halt: Halt } | { op: 'resume'; scope: HaltScope };

/** An API key id as the key store makes them (the 16 hex digits after `oa_`). */
const KEY_SCOPE = /^key:[0-9a-f]{16}$/;
/** An account as ALPACA_ACCOUNTS names it (ACCOUNT_NAME). */
const ACCOUNT_SCOPE = /^account:[a-z][a-z0-9_]{0,31}$/;
export const SCOPE_PATTERN = /^(all|key:[0-9a-f]{16}|account:[a-z][a-z0-9_]{0,31})$/;
export const MAX_REASON_LENGTH = 500;

/** The scope as given, or null when it is not `all`, `account:<name>` or `key:<key id>` (no trimming, no case folding: a scope names one thing exactly). */
export function parseScope(text: unknown): HaltScope | null {
  if (text === 'all') return 'all';
  return typeof text === 'string' && (KEY_SCOPE.test(text) || ACCOUNT_SCOPE.test(text)) ? (text as HaltScope) : null;
}

/**
 * Whether a halt of this scope covers an order of the principal on `account`: `all` covers
 * everyone, `account:<name>` every order on that account, `key:<id>` the key and its tokens.
 */
export function covers(scope: HaltScope, principal: Principal | undefined, account?: string): boolean {
  if (scope === 'all') return true;
  if (scope.startsWith('account:')) return account !== undefined && scope === `account:${account}`;
  const keyId = principal?.keyId ?? null;
  return keyId !== null && scope === `key:${keyId}`;
}

/** The halt that refuses this principal's orders on `account`, if any: `all`, then the account's, then its key's own. */
export function haltCovering(
  halts: ReadonlyMap<HaltScope, Halt>,
  principal: Principal | undefined,
  account?: string,
): Halt | null {
  const all = halts.get('all');
  if (all !== undefined) return all;
  const onAccount = account === undefined ? undefined : halts.get(`account:${account}`);
  if (onAccount !== undefined) return onAccount;
  const keyId = principal?.keyId ?? null;
  return keyId === null ? null : (halts.get(`key:${keyId}`) ?? null);
}

/** The account an `account:<name>` scope names; null for `all` and key scopes. */
export function accountOfScope(scope: HaltScope): string | null {
  return scope.startsWith('account:') ? scope.slice('account:'.length) : null;
}

/** A change made: the state after it and the halt it replaced or ended (null: none was in force for that scope). */
export interface Applied {
  state: HaltState;
  previous: Halt | null;
}

/** The state after a change (a resume of a scope not halted changes nothing: same state, same version). */
export function applyChange(state: HaltState, change: HaltChange): Applied {
  const scope = change.op === 'halt' ? change.halt.scope : change.scope;
  const previous = state.halts.find((h) => h.scope === scope) ?? null;
  if (change.op === 'halt') {
    return {
      state: {
        version: state.version + 1,
        halts: sortHalts([...state.halts.filter((h) => h.scope !== scope), change.halt]),
      },
      previous,
    };
  }
  if (previous === null) return { state, previous };
  return { state: { version: state.version + 1, halts: state.halts.filter((h) => h.scope !== scope) }, previous };
}

/** `all` first, then accounts by name, then keys by id: one order for every store and answer. */
export function sortHalts(halts: Halt[]): Halt[] {
  return [...halts].sort((a, b) =>
    a.scope === b.scope ? 0 : a.scope === 'all' ? -1 : b.scope === 'all' ? 1 : a.scope < b.scope ? -1 : 1,
  );
}

/** A halt read back from a store, Redis or a message, or null when it is not one (never trusted blindly). */
export function parseHalt(v: unknown): Halt | null {
  if (!isRecord(v)) return null;
  const scope = parseScope(v['scope']);
  const { reason, since, by } = v;
  if (scope === null || typeof reason !== 'string' || typeof since !== 'string' || typeof by !== 'string') return null;
  return { scope, reason, since, by };
}

/** A whole state read back (file, message), or null when any part of it is not one. */
export function parseState(v: unknown): HaltState | null {
  if (!isRecord(v)) return null;
  const version = v['version'];
  const list = v['halts'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0 || !Array.isArray(list)) return null;
  const halts = list.map(parseHalt);
  if (halts.some((h) => h === null)) return null;
  return { version, halts: sortHalts(halts as Halt[]) };
}
