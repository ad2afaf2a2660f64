import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_PATTERN, ApiKeyStore, keyIdOf, sha256Hex } from './api-key-store.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function freshStore(): ApiKeyStore {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'));
  made.push(dir);
  return new ApiKeyStore(join(dir, 'nested', 'api-keys.json'));
}

describe('ApiKeyStore', () => {
  it('creates keys, storing only their sha-256, in a file only its owner can read', () => {
    const store = freshStore();
    const { key, record } = store.create('bot1', ['premium']);
    expect(key).toMatch(API_KEY_PATTERN);
    expect(keyIdOf(key)).toBe(record.id);
    expect(record).toMatchObject({ name: 'bot1', roles: ['premium'], hash: sha256Hex(key), revoked_at: null });
    const text = readFileSync(store.path, 'utf8');
    expect(text).not.toContain(key);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(store.load()).toEqual([record]);
  });

  it('gives every key a different id and secret', () => {
    const store = freshStore();
    const a = store.create('a', ['viewer']);
    const b = store.create('b', ['viewer']);
    expect(a.record.id).not.toBe(b.record.id);
    expect(a.key).not.toBe(b.key);
  });

  it('revokes by id or name, keeping the record', () => {
    const store = freshStore();
    const { record } = store.create('bot1', ['viewer']);
    store.create('bot2', ['viewer']);
    expect(store.revoke('bot1')?.id).toBe(record.id);
    expect(store.revoke('bot1')).toBeNull();
    const kept = store.load().find((k) => k.id === record.id);
    expect(kept?.revoked_at).not.toBeNull();
    expect(store.load().filter((k) => k.revoked_at === null)).toHaveLength(1);
  });

  it('refuses empty names, no roles, and malformed files', () => {
    const store = freshStore();
    expect(() => store.create(' ', ['viewer'])).toThrow();
    expect(() => store.create('x', [])).toThrow();
    store.create('ok', ['viewer']);
    writeFileSync(store.path, JSON.stringify({ version: 1, keys: [{ id: 'x', roles: ['god'] }] }));
    expect(() => store.load()).toThrow(/malformed/);
  });

  it('names a risk policy per key (create --risk-policy, risk-policy), absent meaning the default; a bad name is refused', () => {
    const store = freshStore();
    const plain = store.create('plain', ['trader']).record;
    const bot = store.create('bot', ['trader'], new Date(), 'bots').record;
    expect(plain.risk_policy).toBeUndefined();
    expect(bot.risk_policy).toBe('bots');
    expect(store.setRiskPolicy('plain', 'careful')?.risk_policy).toBe('careful');
    expect(store.setRiskPolicy(bot.id, null)?.risk_policy).toBeUndefined();
    expect(store.load().map((k) => [k.name, k.risk_policy ?? null])).toEqual([
      ['plain', 'careful'],
      ['bot', null],
    ]);
    expect(store.setRiskPolicy('nobody', 'x')).toBeNull();
    expect(() => store.create('x', ['trader'], new Date(), 'has space')).toThrow(/risk policy name/);
    // A hand-edited file with a bad policy name is refused like any malformed entry.
    writeFileSync(store.path, JSON.stringify({ version: 1, keys: [{ ...plain, risk_policy: 'a b' }] }));
    expect(() => store.load()).toThrow(/entry 0 is malformed/);
  });

  it('reads a missing file as no keys', () => {
    expect(freshStore().load()).toEqual([]);
    expect(freshStore().mtimeMs()).toBeNull();
  });

  it.each(['', 'oa_123_abc', `oa_${'g'.repeat(16)}_${'a'.repeat(43)}`, `xx_${'0'.repeat(16)}_${'a'.repeat(43)}`])(
    'finds no id in %p',
    (key) => {
      expect(keyIdOf(key)).toBeNull();
    },
  );
});
