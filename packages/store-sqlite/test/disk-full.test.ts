import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, StorageUnavailable } from '@berth/core';
import { sampleDeployment, sampleInstance, sampleTemplate } from '@berth/testkit';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';

// A tiny tmpfs is the one honest way to fill a disk; mounting it needs root, which CI has.
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.BERTH_REQUIRE_DOCKER === '1') {
  throw new Error('BERTH_REQUIRE_DOCKER=1 but the disk-full store test needs root to mount a tmpfs');
}

/** Writes a filler file until the disk answers ENOSPC; returns its path. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [1 << 16, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** Moves everything in the WAL into the database file and empties it: the next write must grow it. */
function checkpoint(file: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

describe.skipIf(!isRoot)('SqliteStore on a full disk', () => {
  const mnt = mkdtempSync(join(tmpdir(), 'berth-full-'));
  const file = join(mnt, 'berth.db');
  const logged: { obj: object; msg?: string | undefined }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (obj, msg) => void logged.push({ obj, msg }),
    child: () => log,
  };
  let store: SqliteStore;
  let filler: string;

  beforeAll(async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
    store = await SqliteStore.open(file, { log });
    store.templates.upsert(sampleTemplate('web'));
    store.instances.insert(sampleInstance({ status: 'running' }));
    store.deployments.insert(sampleDeployment());
    store.events.append({ type: 'instance.created', message: 'created', data: {}, ts: 1 });
    checkpoint(file);
    filler = fillDisk(mnt);
  });

  afterAll(() => {
    store?.close();
    try {
      execFileSync('umount', [mnt]);
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  const full = expect.objectContaining({ kind: 'storage_full', code: 'STORAGE_FULL' });

  it('throws StorageUnavailable for a patch that did not commit (UPDATE … RETURNING), and keeps the old row', () => {
    expect(() =>
      store.instances.update('id-web-1', { status: 'stopping', errorMessage: 'x'.repeat(8000) }),
    ).toThrow(StorageUnavailable);
    expect(() => store.instances.update('id-web-1', { status: 'stopping' })).toThrow(
      /could not save this change: the disk holding its database \(.*berth\.db\) is full/,
    );
    expect(store.instances.find('id-web-1')?.status).toBe('running');
  });

  it('throws for every other write: deployments, events (INSERT … RETURNING), leases, inserts, transactions', () => {
    const writes: Record<string, () => unknown> = {
      'deployments.update': () => store.deployments.update('dep-1', { status: 'stopped', stoppedAt: 5 }),
      'events.append': () => store.events.append({ type: 'instance.status', message: 'm', data: {}, ts: 2 }),
      'leases.insert': () =>
        store.leases.insert({
          host: 'local',
          protocol: 'tcp',
          port: 18_080,
          ownerKind: 'instance',
          ownerId: 'id-web-1',
          ownerName: 'web-1',
          portName: 'http',
          createdAt: 3,
        }),
      'instances.insert': () => store.instances.insert(sampleInstance({ name: 'web-2', id: 'id-web-2' })),
      'instances.delete': () => store.instances.delete('id-web-1'),
      transaction: () => store.transaction(() => store.settings.set('k', 'v')),
    };
    for (const [name, write] of Object.entries(writes)) {
      let thrown: unknown;
      try {
        write();
      } catch (err) {
        thrown = err;
      }
      expect(thrown, name).toEqual(full);
    }
    expect(store.events.list().map((e) => e.type)).toEqual(['instance.created']);
    expect(store.deployments.find('dep-1')?.status).toBe(sampleDeployment().status);
    expect(store.leases.listAll()).toEqual([]);
    expect(store.instances.list().map((i) => i.name)).toEqual(['web-1']);
  });

  it('logs each failure with its SQLite cause', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]?.obj).toMatchObject({ operation: 'instances.update', code: 'SQLITE_FULL' });
  });

  it('saves again once there is space', () => {
    unlinkSync(filler);
    expect(store.instances.update('id-web-1', { status: 'stopping' }).status).toBe('stopping');
    store.close();
    const again = new Database(file, { readonly: true });
    expect(again.prepare('SELECT status FROM instances WHERE id = ?').get('id-web-1')).toEqual({
      status: 'stopping',
    });
    again.close();
  });
});

describe.skipIf(!isRoot)('SqliteStore on a read-only BERTH_HOME', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rw-'));
  const ro = mkdtempSync(join(tmpdir(), 'berth-ro-'));

  afterAll(() => {
    try {
      execFileSync('umount', [ro]);
    } finally {
      rmSync(ro, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused at open with StorageUnavailable (503) saying what to fix, not a raw SQLite error', async () => {
    const store = await SqliteStore.open(join(dir, 'berth.db'));
    store.templates.upsert(sampleTemplate('web'));
    store.close();
    execFileSync('mount', ['--bind', dir, ro]);
    execFileSync('mount', ['-o', 'remount,ro,bind', ro]);
    const opening = SqliteStore.open(join(ro, 'berth.db'));
    await expect(opening).rejects.toThrow(StorageUnavailable);
    await expect(opening).rejects.toMatchObject({
      kind: 'storage_unavailable',
      message: expect.stringMatching(/^berth cannot use its database .*berth\.db: .*writable/),
    });
  });
});
