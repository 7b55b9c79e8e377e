import type { Clock } from '@berth/core';
import type Database from 'better-sqlite3';
import { MigrationFailed } from './migration-failed.js';
import type { Migration } from './migrations.js';

export interface MigrationResult {
  from: number;
  to: number;
  /** Path of the copy taken before migrating, when there was a schema to protect. */
  backup: string | null;
}

/**
 * Brings the database to the last migration's version. A database that already has a schema is
 * copied beside its file first; each migration runs in its own transaction.
 */
export async function migrate(
  db: Database.Database,
  file: string,
  list: readonly Migration[],
  clock: Clock,
): Promise<MigrationResult> {
  assertOrdered(list);
  const from = userVersion(db);
  const latest = list.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new Error(`${file} is at schema version ${from}, newer than this berth knows (${latest})`);
  }
  const pending = list.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from, backup: null };
  const backup = from >= 1 && !isMemoryPath(file) ? await copyBeside(db, file, from, latest, clock) : null;
  for (const m of pending) runOne(db, m);
  return { from, to: latest, backup };
}

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function runOne(db: Database.Database, m: Migration): void {
  try {
    db.transaction(() => {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    })();
  } catch (err) {
    throw new MigrationFailed(m, err);
  }
}

async function copyBeside(
  db: Database.Database,
  file: string,
  from: number,
  to: number,
  clock: Clock,
): Promise<string> {
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const target = `${file}.pre-v${from}-to-v${to}-${stamp}.bak`;
  await db.backup(target);
  return target;
}

/** `:memory:`, `''` (a temporary database) and memory URIs have no file to copy. */
export function isMemoryPath(file: string): boolean {
  return file === '' || file === ':memory:' || file.startsWith('file::memory:');
}

function assertOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration '${m.name}' has version ${m.version}; expected ${i + 1}`);
    }
  });
}
