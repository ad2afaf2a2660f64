import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../audit.types.js';
import { JsonlAuditStore } from './jsonl-audit.store.js';

const entry = (outcome: string): AuditEntry => ({
  actor: { sub: null, roles: [], key_id: null },
  action: 'order_event',
  resource: 'order:c1',
  outcome,
  request_id: null,
  client_ip: null,
  details: { order_id: 'o1' },
});

describe('JsonlAuditStore.appendOnce', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-once-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a key once, even when the same key arrives concurrently and again after a restart; the chain stays whole', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new JsonlAuditStore(path);
    await store.init();
    const [first, second] = await Promise.all([
      store.appendOnce(entry('fill'), 'k1'),
      store.appendOnce(entry('fill'), 'k1'),
    ]);
    expect(first).toMatchObject({ seq: 1, details: { order_id: 'o1', dedupe_key: 'k1' } });
    expect(second).toBeNull();
    await store.append(entry('other'));
    await store.close();

    const reopened = new JsonlAuditStore(path);
    await reopened.init();
    expect(await reopened.appendOnce(entry('fill'), 'k1')).toBeNull();
    expect(await reopened.appendOnce(entry('expired'), 'k2')).toMatchObject({ seq: 3 });
    expect(await reopened.verify()).toMatchObject({ ok: true, records_checked: 3 });
    await reopened.close();
  });
});

describe('JsonlAuditStore and accounts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-accounts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps `account` where given and nowhere else, filters by it, and the mixed chain verifies', async () => {
    const store = new JsonlAuditStore(join(dir, 'audit.jsonl'));
    await store.init();
    const older = await store.append(entry('new'));
    const live = await store.append({ ...entry('fill'), account: 'live' });
    const paper = await store.append({ ...entry('fill'), account: 'paper' });
    expect(older).not.toHaveProperty('account');
    expect(await store.query({ limit: 10, account: 'live' })).toEqual([live]);
    expect(await store.query({ limit: 10, account: 'paper' })).toEqual([paper]);
    expect(await store.query({ limit: 10, account: 'margin' })).toEqual([]);
    const all = await store.query({ limit: 10 });
    expect(all).toEqual([older, live, paper]);
    expect(all[0]).not.toHaveProperty('account');
    expect(await store.verify()).toMatchObject({ ok: true, records_checked: 3 });
    await store.close();
  });
});
