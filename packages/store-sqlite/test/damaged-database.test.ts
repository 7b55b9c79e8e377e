import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageUnavailable } from '@berth/core';
import { sampleDeployment, sampleInstance, sampleTemplate } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverDatabase, SqliteStore } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'berth-damaged-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A real berth database with templates, instances, deployments and many events, closed. */
async function populated(): Promise<string> {
  const dir = join(root, `home-${++n}`);
  const file = join(dir, 'berth.db');
  const store = await SqliteStore.open(file);
  store.templates.upsert(sampleTemplate('web'));
  for (let i = 1; i <= 3; i++)
    store.instances.insert(sampleInstance({ name: `web-${i}`, id: `id-web-${i}` }));
  store.deployments.insert(sampleDeployment());
  store.transaction(() => {
    for (let i = 0; i < 3000; i++)
      store.events.append({
        type: 'instance.status',
        message: `event ${i} ${'x'.repeat(200)}`,
        data: { i },
        ts: i,
      });
  });
  store.close();
  return file;
}

/** Overwrites `count` pages from `first` (1-based) with garbage, as a failing disk might. */
function damage(file: string, first: number, count: number): void {
  const fd = openSync(file, 'r+');
  const garbage = Buffer.alloc(4096 * count, 0xa5);
  writeSync(fd, garbage, 0, garbage.length, 4096 * (first - 1));
  closeSync(fd);
}

describe('a damaged database', () => {
  it('is refused at open with the file, the .bak copy to restore and `berth db recover`', async () => {
    const file = await populated();
    const before = await SqliteStore.open(file);
    const bak = await before.backup('test', { now: () => Date.UTC(2025, 0, 2) });
    before.close();
    damage(file, 40, 20);
    const opening = SqliteStore.open(file);
    await expect(opening).rejects.toThrow(StorageUnavailable);
    const err = (await opening.catch((e: unknown) => e)) as StorageUnavailable;
    expect(err.kind).toBe('storage_unavailable');
    expect(err.message).toContain(`berth's database ${file} is damaged (quick_check:`);
    expect(err.message).toContain(bak!);
    expect(err.message).toContain('`berth db recover`');
  });

  it('whose header is gone says the same, not "file is not a database" from deep inside', async () => {
    const file = await populated();
    damage(file, 1, 1);
    await expect(SqliteStore.open(file)).rejects.toThrow(
      /is damaged .*restore a backup of it.*berth db recover/,
    );
  });

  it('is recovered: every readable row copied into a fresh database, the damaged file kept, losses counted', async () => {
    const file = await populated();
    const pages = statSync(file).size / 4096;
    damage(file, Math.floor(pages / 2), 3); // some of the events' pages
    const result = await recoverDatabase(file, { clock: { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) } });
    expect(result.damaged).toBe(`${file}.corrupt-2025-01-02T03-04-05-000Z`);
    expect(existsSync(result.damaged)).toBe(true);
    const by = Object.fromEntries(result.tables.map((t) => [t.table, t]));
    expect(by.instances).toMatchObject({ saved: 3, lost: 0 });
    expect(by.templates).toMatchObject({ saved: 1, lost: 0 });
    expect(by.deployments).toMatchObject({ saved: 1, lost: 0 });
    expect(by.events!.saved).toBeGreaterThan(2000);
    expect(by.events!.saved).toBeLessThan(3000);
    expect(by.events!.errors.length).toBeGreaterThan(0);
    const store = await SqliteStore.open(file); // passes quick_check, current schema
    expect(store.instances.list().map((i) => i.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(store.events.list().length).toBe(by.events!.saved);
    store.close();
    expect(readdirSync(join(file, '..')).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('refuses a home with no database, leaving nothing behind', async () => {
    const dir = join(root, 'empty');
    await expect(recoverDatabase(join(dir, 'berth.db'))).rejects.toThrow(
      /no database at .*berth\.db to recover/,
    );
    expect(existsSync(dir)).toBe(false);
  });
});
