import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@berth/core';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Migration, MigrationFailed, migrations, SqliteStore } from '../src/index.js';

const clock: Clock = { now: () => Date.UTC(2025, 0, 2, 3, 4, 5, 6), sleep: async () => {} };
const addNotes: Migration = {
  version: migrations.length + 1,
  name: 'settings-notes',
  up: "ALTER TABLE settings ADD COLUMN note TEXT NOT NULL DEFAULT '';",
};
const broken: Migration = {
  version: migrations.length + 1,
  name: 'broken-step',
  up: 'CREATE TABLE half_done (id TEXT); INSERT INTO no_such_table VALUES (1);',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const backups = () => readdirSync(dir).filter((f) => f.endsWith('.bak'));

function inspect(file: string): { version: number; tables: string[]; settingColumns: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    const settingColumns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('settings');
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      tables: tables as string[],
      settingColumns: settingColumns as string[],
    };
  } finally {
    db.close();
  }
}

describe('SqliteStore migrations', () => {
  it('a fresh database gets every migration and no copy', async () => {
    const store = await SqliteStore.open(join(dir, 'berth.db'), { clock });
    expect(store.schemaVersion).toBe(migrations.length);
    expect(store.migration).toEqual({ from: 0, to: migrations.length, backup: null });
    store.close();
    expect(backups()).toEqual([]);
  });

  it('reopening an up-to-date database takes no copy', async () => {
    const file = join(dir, 'berth.db');
    (await SqliteStore.open(file, { clock })).close();
    const again = await SqliteStore.open(file, { clock });
    expect(again.migration.backup).toBeNull();
    again.close();
    expect(backups()).toEqual([]);
  });

  it('copies an existing database beside itself, at its old version with its data, before migrating', async () => {
    const file = join(dir, 'berth.db');
    // A database as a berth of schema version 1 left it (today's repositories need later columns,
    // so the old schema is written by hand, not through a store opened at version 1).
    const old = new Database(file);
    old.exec(migrations[0]!.up);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('proxy.domain', 'berth.test');
    old.close();

    const store = await SqliteStore.open(file, { clock, migrations: [...migrations, addNotes] });
    const from = 1;
    const to = addNotes.version;
    const name = `berth.db.pre-v${from}-to-v${to}-2025-01-02T03-04-05-006Z.bak`;
    expect(store.migration).toEqual({ from, to, backup: join(dir, name) });
    expect(store.schemaVersion).toBe(to);
    expect(store.settings.get('proxy.domain')).toBe('berth.test');
    store.settings.set('after', 'a column was added');
    expect(store.settings.get('after')).toBe('a column was added');
    store.close();

    expect(backups()).toEqual([name]);
    const copy = inspect(join(dir, name));
    expect(copy.version).toBe(from);
    expect(copy.settingColumns).not.toContain('note');
    const db = new Database(join(dir, name), { readonly: true });
    expect(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('proxy.domain')).toBe(
      'berth.test',
    );
    db.close();
    expect(inspect(file).settingColumns).toContain('note');
  });

  it('a failing migration names itself and leaves the database at the version before it', async () => {
    const file = join(dir, 'berth.db');
    (await SqliteStore.open(file, { clock })).close();

    const opening = SqliteStore.open(file, { clock, migrations: [...migrations, broken] });
    await expect(opening).rejects.toThrow(MigrationFailed);
    await expect(SqliteStore.open(file, { clock, migrations: [...migrations, broken] })).rejects.toThrow(
      /migration \d+ \(broken-step\) failed: no such table: no_such_table/,
    );

    const after = inspect(file);
    expect(after.version).toBe(migrations.length);
    expect(after.tables).not.toContain('half_done');
    const store = await SqliteStore.open(file, { clock });
    expect(store.schemaVersion).toBe(migrations.length);
    store.close();
  });

  it('refuses a database newer than the migrations it knows', async () => {
    const file = join(dir, 'berth.db');
    (await SqliteStore.open(file, { clock, migrations: [...migrations, addNotes] })).close();
    await expect(SqliteStore.open(file, { clock })).rejects.toThrow(/newer than this berth knows/);
  });

  it('refuses migrations out of order', async () => {
    const gap = { ...addNotes, version: addNotes.version + 1 };
    await expect(SqliteStore.open(':memory:', { migrations: [...migrations, gap] })).rejects.toThrow(
      /expected \d+/,
    );
  });

  it('leaves the database file in WAL mode', async () => {
    const store = await SqliteStore.open(join(dir, 'berth.db'), { clock });
    store.close();
    const db = new Database(join(dir, 'berth.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
