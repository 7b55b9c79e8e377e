import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StorageUnavailable } from '@berth/core';
import type Database from 'better-sqlite3';
import { isMemoryPath } from './migrate.js';
import { sqliteCode } from './storage-error.js';

/**
 * Runs SQLite's `quick_check`; a damaged database is refused with StorageUnavailable naming the
 * file and the two ways out (restore the newest `.bak` copy beside it, or `berth db recover`)
 * instead of being served and failing request by request.
 */
export function checkIntegrity(db: Database.Database, file: string): void {
  if (isMemoryPath(file)) return;
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as { quick_check: string }[])
      .map((r) => r.quick_check)
      .filter((m) => m !== 'ok');
  } catch (err) {
    const code = sqliteCode(err);
    if (!code?.startsWith('SQLITE_CORRUPT') && code !== 'SQLITE_NOTADB') throw err;
    problems = [(err as Error).message];
  }
  if (problems.length === 0) return;
  throw new StorageUnavailable(damagedMessage(file, problems), {
    full: false,
    details: { file, problems: problems.slice(0, 20), backup: newestBackup(file) },
  });
}

function damagedMessage(file: string, problems: string[]): string {
  const first = problems[0]?.split('\n')[0] ?? 'quick_check failed';
  const more = problems.length > 1 ? ` and ${problems.length - 1} more problem(s)` : '';
  const bak = newestBackup(file);
  const restore = bak
    ? `restore the copy taken before the last migration (${bak}: move ${basename(file)} and its -wal/-shm files aside, then copy it to ${file})`
    : 'restore a backup of it';
  return (
    `berth's database ${file} is damaged (quick_check: ${first}${more}). berth will not start on it. ` +
    `Either ${restore}, or run \`berth db recover\`, which copies every row it can still read into a fresh database and keeps the damaged file as ${basename(file)}.corrupt-<time>.`
  );
}

/** The newest `<file>.pre-*.bak` beside the database (migrations and imports take them), if any. */
export function newestBackup(file: string): string | null {
  const prefix = `${basename(file)}.pre-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter((n) => n.startsWith(prefix) && n.endsWith('.bak'));
  } catch {
    return null;
  }
  // Every name ends with an ISO time stamp before `.bak`: the last in that order is the newest.
  const stamp = (n: string) => n.slice(-28, -4);
  const newest = names.sort((a, b) => (stamp(a) < stamp(b) ? -1 : stamp(a) > stamp(b) ? 1 : 0)).at(-1);
  return newest ? join(dirname(file), newest) : null;
}
