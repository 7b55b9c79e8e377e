import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@berth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';

const clock: Clock = { now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 6), sleep: async () => {} };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore.backup', () => {
  it('copies the live database beside itself, named for the reason, with its data', async () => {
    const file = join(dir, 'berth.db');
    const store = await SqliteStore.open(file);
    store.settings.set('docker_host', 'unix:///var/run/docker.sock');
    const copy = await store.backup('legacy import', clock);
    store.settings.set('after', 'not in the copy');
    store.close();
    expect(copy).toBe(join(dir, 'berth.db.pre-legacy-import-2025-01-02T03-04-05-006Z.bak'));
    const old = await SqliteStore.open(copy!);
    expect(old.settings.get('docker_host')).toBe('unix:///var/run/docker.sock');
    expect(old.settings.get('after')).toBeUndefined();
    old.close();
  });

  it('has nothing to copy in memory', async () => {
    const store = await SqliteStore.open(':memory:');
    expect(await store.backup('legacy import', clock)).toBeNull();
    store.close();
  });
});
