import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuildRecord } from './build-record.js';
import { JsonBuildStore } from './build-store.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const record = (message: string) =>
  ({ id: 'b1', createdAt: 1, status: 'running', logs: [{ message }] }) as unknown as BuildRecord;

describe('the build store', () => {
  it('writes saves of one record made at once in the order asked, each whole, leaving no temporary file', async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-build-store-'));
    const store = new JsonBuildStore(root);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.save(record(`save ${i}`))));
    const kept = JSON.parse(await readFile(join(root, 'b1', 'build.json'), 'utf8')) as BuildRecord;
    expect(kept.logs[0]!.message).toBe('save 29');
    expect(await readdir(join(root, 'b1'))).toEqual(['build.json']);
  });

  it('fails the save that could not be written and still writes the next one', async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-build-store-'));
    const store = new JsonBuildStore(root);
    const bad = { ...record('x'), self: undefined as unknown };
    (bad as { self: unknown }).self = bad; // JSON.stringify throws on a cycle
    await expect(store.save(bad as BuildRecord)).rejects.toThrow();
    await store.save(record('after'));
    expect((await store.find('b1'))!.logs[0]!.message).toBe('after');
  });
});
