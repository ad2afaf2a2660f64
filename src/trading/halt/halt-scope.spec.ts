import type { Principal } from '../../core/identity/principal.js';
import {
  applyChange,
  covers,
  haltCovering,
  parseHalt,
  parseScope,
  parseState,
  sortHalts,
  type Halt,
  type HaltScope,
} from './halt-scope.js';

const KEY = '0123456789abcdef';
const principal = (keyId: string | null, kind: Principal['kind'] = 'api_key'): Principal => ({
  kind,
  sub: keyId === null ? 'idp-user' : `key:${keyId}`,
  roles: ['trader'],
  keyId,
  ip: '127.0.0.1',
});
const halt = (scope: HaltScope, reason = 'why'): Halt => ({
  scope,
  reason,
  since: '2025-06-02T14:30:00.000Z',
  by: 'ops',
});

describe('parseScope', () => {
  it.each([
    ['all', 'all'],
    [`key:${KEY}`, `key:${KEY}`],
  ])('%s → %s', (text, scope) => {
    expect(parseScope(text)).toBe(scope);
  });

  it.each([
    'ALL',
    ' all',
    'all ',
    'everyone',
    '',
    'key:',
    `key:${KEY.toUpperCase()}`,
    `key:${KEY}0`,
    'key:0123456789abcde',
    `KEY:${KEY}`,
    `key: ${KEY}`,
    `sub:${KEY}`,
    `oa_${KEY}`,
    'key:0123456789abcdeg',
    42,
    null,
    undefined,
    ['all'],
  ])('refuses %j (exact: no trimming, no case folding)', (text) => {
    expect(parseScope(text)).toBeNull();
  });
});

describe('covers / haltCovering', () => {
  it('all covers every principal, anonymous and identity-provider tokens included', () => {
    expect(covers('all', principal(KEY))).toBe(true);
    expect(covers('all', principal(null, 'jwt'))).toBe(true);
    expect(covers('all', undefined)).toBe(true);
  });

  it('key:<id> covers that key (and tokens issued for it: the same keyId) only', () => {
    expect(covers(`key:${KEY}`, principal(KEY))).toBe(true);
    expect(covers(`key:${KEY}`, principal(KEY, 'jwt'))).toBe(true);
    expect(covers(`key:${KEY}`, principal('fedcba9876543210'))).toBe(false);
    expect(covers(`key:${KEY}`, principal(null, 'jwt'))).toBe(false);
    expect(covers(`key:${KEY}`, undefined)).toBe(false);
  });

  it('account:<name> covers every order on that account, whoever sends it, and nothing on another', () => {
    expect(covers('account:live', principal(KEY), 'live')).toBe(true);
    expect(covers('account:live', undefined, 'live')).toBe(true);
    expect(covers('account:live', principal(KEY), 'paper')).toBe(false);
    expect(covers('account:live', principal(KEY))).toBe(false);
    const halt = (scope: HaltScope): Halt => ({ scope, reason: 'r', since: '2026-12-07T00:00:00Z', by: 'ops' });
    const halts = new Map<HaltScope, Halt>([
      ['account:live', halt('account:live')],
      [`key:${KEY}`, halt(`key:${KEY}`)],
    ]);
    expect(haltCovering(halts, principal(KEY), 'live')?.scope).toBe('account:live');
    expect(haltCovering(halts, principal(KEY), 'paper')?.scope).toBe(`key:${KEY}`);
    expect(haltCovering(halts, principal('fedcba9876543210'), 'paper')).toBeNull();
    expect(parseScope('account:live')).toBe('account:live');
    expect(parseScope('account:Live')).toBeNull();
    expect(parseScope('account:')).toBeNull();
    expect(sortHalts([halt(`key:${KEY}`), halt('account:live'), halt('all')]).map((h) => h.scope)).toEqual([
      'all',
      'account:live',
      `key:${KEY}`,
    ]);
  });

  it("finds all before the key's own halt, and nothing for a principal no halt covers", () => {
    const both = new Map<HaltScope, Halt>([
      [`key:${KEY}`, halt(`key:${KEY}`, 'key')],
      ['all', halt('all', 'everyone')],
    ]);
    expect(haltCovering(both, principal(KEY))?.reason).toBe('everyone');
    const keyOnly = new Map<HaltScope, Halt>([[`key:${KEY}`, halt(`key:${KEY}`, 'key')]]);
    expect(haltCovering(keyOnly, principal(KEY))?.reason).toBe('key');
    expect(haltCovering(keyOnly, principal('fedcba9876543210'))).toBeNull();
    expect(haltCovering(keyOnly, principal(null, 'jwt'))).toBeNull();
    expect(haltCovering(new Map(), principal(KEY))).toBeNull();
  });
});

describe('applyChange', () => {
  it("a halt takes the next version and replaces the scope's earlier halt; all sorts first", () => {
    const one = applyChange({ version: 0, halts: [] }, { op: 'halt', halt: halt(`key:${KEY}`) });
    expect(one).toEqual({ state: { version: 1, halts: [halt(`key:${KEY}`)] }, previous: null });
    const two = applyChange(one.state, { op: 'halt', halt: halt('all') });
    expect(two.state.halts.map((h) => h.scope)).toEqual(['all', `key:${KEY}`]);
    const three = applyChange(two.state, { op: 'halt', halt: halt('all', 'new reason') });
    expect(three).toEqual({
      state: { version: 3, halts: [halt('all', 'new reason'), halt(`key:${KEY}`)] },
      previous: halt('all'),
    });
  });

  it("a resume ends the scope's halt (next version); of a scope not halted it changes nothing", () => {
    const state = { version: 4, halts: [halt('all'), halt(`key:${KEY}`)] };
    expect(applyChange(state, { op: 'resume', scope: 'all' })).toEqual({
      state: { version: 5, halts: [halt(`key:${KEY}`)] },
      previous: halt('all'),
    });
    const none = applyChange(state, { op: 'resume', scope: 'key:fedcba9876543210' });
    expect(none).toEqual({ state, previous: null });
    expect(none.state).toBe(state);
  });
});

describe('parseHalt / parseState (what a store, Redis or a message holds is checked, never trusted)', () => {
  it('reads a well-formed state, sorted', () => {
    expect(parseState({ version: 7, halts: [halt(`key:${KEY}`), halt('all')] })).toEqual({
      version: 7,
      halts: [halt('all'), halt(`key:${KEY}`)],
    });
  });

  it.each([
    null,
    [],
    'state',
    { halts: [] },
    { version: -1, halts: [] },
    { version: 1.5, halts: [] },
    { version: '1', halts: [] },
    { version: 1, halts: {} },
    { version: 1, halts: [{ ...halt('all'), scope: 'everyone' }] },
    { version: 1, halts: [{ ...halt('all'), reason: 3 }] },
    { version: 1, halts: [{ scope: 'all' }] },
  ])('refuses %j', (value) => {
    expect(parseState(value)).toBeNull();
  });

  it('drops nothing silently: one bad halt makes the whole state unreadable', () => {
    expect(parseHalt({ ...halt('all'), by: null })).toBeNull();
    expect(parseState({ version: 2, halts: [halt('all'), { ...halt(`key:${KEY}`), since: 5 }] })).toBeNull();
  });
});
