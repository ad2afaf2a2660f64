import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Halt } from './halt-scope.js';
import { createHaltStore, EMPTY_STATE, FileHaltStore, PostgresHaltStore } from './halt-store.js';

const KEY = '0123456789abcdef';
const halt = (scope: Halt['scope'], reason = 'why'): Halt => ({
  scope,
  reason,
  since: '2025-06-02T14:30:00.000Z',
  by: 'ops',
});

describe('FileHaltStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'halt-store-'));
    path = join(dir, 'nested', 'trading-halts.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no file yet: no halts, version 0', async () => {
    const store = new FileHaltStore(path);
    await store.init();
    expect(await store.load()).toEqual(EMPTY_STATE);
  });

  it('keeps every change across a reopen, as one JSON file with owner-only permissions and no temporary file left', async () => {
    const store = new FileHaltStore(path);
    await store.init();
    const first = await store.apply({ op: 'halt', halt: halt('all') }, await store.load());
    expect(first).toEqual({ state: { version: 1, halts: [halt('all')] }, previous: null });
    const second = await store.apply({ op: 'halt', halt: halt(`key:${KEY}`) }, first.state);
    await store.close();

    const reopened = new FileHaltStore(path);
    await reopened.init();
    expect(await reopened.load()).toEqual(second.state);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 2, halts: [halt('all'), halt(`key:${KEY}`)] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['trading-halts.json']);

    const resumed = await reopened.apply({ op: 'resume', scope: 'all' }, second.state);
    expect(resumed).toEqual({ state: { version: 3, halts: [halt(`key:${KEY}`)] }, previous: halt('all') });
    expect(await new FileHaltStore(path).load()).toEqual(resumed.state);
  });

  it('a resume of a scope not halted writes nothing', async () => {
    const store = new FileHaltStore(path);
    await store.init();
    const { state } = await store.apply({ op: 'halt', halt: halt('all') }, await store.load());
    const before = statSync(path).mtimeMs;
    const none = await store.apply({ op: 'resume', scope: `key:${KEY}` }, state);
    expect(none).toEqual({ state, previous: null });
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('keep() writes a state learned from the fleet only when it is newer than the file', async () => {
    const store = new FileHaltStore(path);
    await store.init();
    await store.load();
    await store.keep({ version: 5, halts: [halt('all')] });
    await store.keep({ version: 4, halts: [] });
    await store.keep({ version: 5, halts: [] });
    expect(await new FileHaltStore(path).load()).toEqual({ version: 5, halts: [halt('all')] });
  });

  it('concurrent changes are written one at a time, the last write holding the newest state', async () => {
    const store = new FileHaltStore(path);
    await store.init();
    const base = await store.load();
    const a = store.apply({ op: 'halt', halt: halt('all') }, base);
    const b = store.keep({ version: 9, halts: [halt(`key:${KEY}`)] });
    await Promise.all([a, b]);
    expect(await new FileHaltStore(path).load()).toEqual({ version: 9, halts: [halt(`key:${KEY}`)] });
  });

  it.each([
    ['not JSON', '{"version": 1, "hal'],
    ['not a state', '{"version": 1}'],
    ['a halt with a bad scope', JSON.stringify({ version: 1, halts: [{ ...halt('all'), scope: 'everyone' }] })],
  ])('a file that is %s is an error, never "no halts"', async (_label, text) => {
    const store = new FileHaltStore(path);
    await store.init();
    writeFileSync(path, text);
    await expect(store.load()).rejects.toThrow(/trading halt file/);
  });
});

describe('createHaltStore', () => {
  it('PostgreSQL with DATABASE_URL (shared by every instance), else the file', async () => {
    const pg = createHaltStore({ databaseUrl: 'postgres://u@127.0.0.1:1/db', file: '/tmp/x.json' });
    expect(pg).toBeInstanceOf(PostgresHaltStore);
    expect([pg.kind, pg.shared]).toEqual(['postgres', true]);
    await pg.close();
    const file = createHaltStore({ databaseUrl: undefined, file: '/tmp/x.json' });
    expect(file).toBeInstanceOf(FileHaltStore);
    expect([file.kind, file.shared]).toEqual(['file', false]);
  });
});
