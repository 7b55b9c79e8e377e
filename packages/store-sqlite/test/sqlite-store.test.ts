import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '@berth/testkit';
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
