import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleInstance, sampleTemplate, storeContract } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SqliteStore (file)', () => SqliteStore.open(join(dir, `berth-${++n}.db`)));
storeContract('SqliteStore (:memory:)', () => SqliteStore.open(':memory:'));

describe('SqliteStore.transaction', () => {
  it('refuses an async function and keeps nothing it wrote before its first await', async () => {
    const store = await SqliteStore.open(':memory:');
    const write = async () => {
      store.settings.set('half', 'written');
      await Promise.resolve();
    };
    expect(() => store.transaction(write)).toThrow(TypeError);
    expect(store.settings.get('half')).toBeUndefined();
    store.close();
  });
});

describe('SqliteStore.dataVersion', () => {
  it('moves on with every write, its own or another connection’s, and stays put on reads', async () => {
    const file = join(dir, 'version.db');
    const store = await SqliteStore.open(file);
    const v0 = store.dataVersion();
    expect(store.settings.get('x')).toBeUndefined();
    expect(store.dataVersion()).toBe(v0);
    store.settings.set('x', '1');
    const v1 = store.dataVersion();
    expect(v1).not.toBe(v0);
    store.settings.set('x', '1'); // the same value written again is still a write
    const v2 = store.dataVersion();
    expect(v2).not.toBe(v1);
    const other = await SqliteStore.open(file);
    other.settings.set('y', '2');
    other.close();
    expect(store.dataVersion()).not.toBe(v2);
    store.close();
  });

  it('stays put when a token’s last-used time is touched, and moves on when a token is made', async () => {
    const store = await SqliteStore.open(join(dir, 'touch.db'));
    const token = {
      id: 't1',
      name: 'ci',
      hash: 'h',
      role: 'admin',
      createdAt: 1,
      lastUsedAt: null,
      revokedAt: null,
    };
    store.tokens.insert(token as Parameters<typeof store.tokens.insert>[0]);
    const v0 = store.dataVersion();
    store.tokens.touch('t1', 5);
    expect(store.tokens.find('t1')?.lastUsedAt).toBe(5);
    expect(store.dataVersion()).toBe(v0);
    store.settings.set('x', '1');
    expect(store.dataVersion()).not.toBe(v0);
    store.close();
  });
});

describe('SqliteStore: instances.list', () => {
  it('reads once per change of the data: the same instances until a write, another connection’s too', async () => {
    const file = join(dir, 'list-cache.db');
    const store = await SqliteStore.open(file);
    const other = await SqliteStore.open(file);
    store.templates.upsert(sampleTemplate('web'));
    store.instances.insert(sampleInstance({ id: 'a', name: 'a', template: 'web' }));
    const first = store.instances.list();
    const again = store.instances.list();
    expect(again).not.toBe(first);
    expect(again[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(store.instances.list({ status: 'running' })).toEqual(first.filter((i) => i.status === 'running'));
    store.instances.update('a', { status: 'stopped' });
    expect(store.instances.list()[0]?.status).toBe('stopped');
    other.instances.update('a', { status: 'error' });
    expect(store.instances.list()[0]?.status).toBe('error');
    other.close();
    store.close();
  });

  it('decodes only the rows that changed: the others are the same objects; a row gone is gone', async () => {
    const file = join(dir, 'list-decode.db');
    const store = await SqliteStore.open(file);
    const other = await SqliteStore.open(file);
    store.templates.upsert(sampleTemplate('web'));
    for (const id of ['a', 'b', 'c'])
      store.instances.insert(sampleInstance({ id, name: id, template: 'web' }));
    const [a, b, c] = store.instances.list();
    // a change that does not touch updatedAt, made by another connection, is still seen
    other.instances.update('b', { config: { greeting: 'bonjour' } });
    store.instances.update('c', { status: 'stopped' });
    const after = store.instances.list();
    expect(after[0]).toBe(a);
    expect(after[1]).not.toBe(b);
    expect(after[1]?.config).toEqual({ greeting: 'bonjour' });
    expect(after[2]?.status).toBe('stopped');
    expect(c?.status).not.toBe('stopped');
    expect(Object.isFrozen(after[1])).toBe(true);
    expect(store.instances.list({ status: 'stopped' })[0]).toBe(after[2]);
    other.instances.delete('a');
    store.instances.delete('b');
    expect(store.instances.list().map((i) => i.id)).toEqual(['c']);
    // inserted again under the same id: read as the new row, not the one decoded before
    other.instances.insert(sampleInstance({ id: 'a', name: 'a2', template: 'web' }));
    expect(store.instances.list().map((i) => i.name)).toEqual(['a2', 'c']); // by creation time, then name
    other.close();
    store.close();
  });
});
