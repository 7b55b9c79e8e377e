import { existsSync, renameSync } from 'node:fs';
import { type Clock, InvalidInput, systemClock, userMessage } from '@berth/core';
import Database from 'better-sqlite3';
import { SqliteStore } from './sqlite-store.js';

export interface TableRecovery {
  table: string;
  /** Rows copied into the fresh database. */
  saved: number;
  /** Rows the damaged file counted but that could not be read or kept; null when it could not count. */
  lost: number | null;
  /** What went wrong while reading this table, in SQLite's words. */
  errors: string[];
}

export interface RecoveryResult {
  /** The fresh database, at the damaged one's path. */
  file: string;
  /** Where the damaged file (and its -wal/-shm) now are. */
  damaged: string;
  tables: TableRecovery[];
  saved: number;
  /** Rows known lost; tables whose count was unreadable add nothing here (see `tables`). */
  lost: number;
}

/** Each failed read skips further ahead: 1, 10, 100… rows past the last one read. */
const MAX_SKIPS = 8;

/**
 * Saves what a damaged database still holds, offline (berth must not be running on it): the file
 * and its -wal/-shm are set aside as `<file>.corrupt-<time>`, a fresh database with the current
 * schema takes its place, and every row that can be read is copied into it table by table (the
 * columns both schemas have; reads resume past unreadable pages). Rows whose parent was lost are
 * dropped so the result keeps its foreign keys.
 */
export async function recoverDatabase(file: string, opts: { clock?: Clock } = {}): Promise<RecoveryResult> {
  if (!existsSync(file)) throw new InvalidInput(`there is no database at ${file} to recover`);
  const stamp = new Date((opts.clock ?? systemClock).now()).toISOString().replace(/[:.]/g, '-');
  const damaged = `${file}.corrupt-${stamp}`;
  const moved: [string, string][] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(file + suffix)) continue;
    renameSync(file + suffix, damaged + suffix);
    moved.push([damaged + suffix, file + suffix]);
  }
  try {
    (await SqliteStore.open(file)).close();
  } catch (err) {
    for (const [from, to] of moved) renameSync(from, to);
    throw err;
  }
  const src = new Database(damaged, { fileMustExist: true });
  const dst = new Database(file);
  try {
    dst.pragma('foreign_keys = OFF');
    const tables = tablesOf(dst).map((t) => copyTable(src, dst, t));
    dropOrphans(dst, tables);
    const saved = tables.reduce((n, t) => n + t.saved, 0);
    const lost = tables.reduce((n, t) => n + (t.lost ?? 0), 0);
    return { file, damaged, tables, saved, lost };
  } finally {
    src.close();
    dst.close();
  }
}

function tablesOf(db: Database.Database): string[] {
  return (
    db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
}

function columnsOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${quote(table)})`) as { name: string }[]).map((c) => c.name);
}

function hasRowid(db: Database.Database, table: string): boolean {
  try {
    db.prepare(`SELECT rowid FROM ${quote(table)} LIMIT 0`).all();
    return true;
  } catch {
    return false;
  }
}

function copyTable(src: Database.Database, dst: Database.Database, table: string): TableRecovery {
  const out: TableRecovery = { table, saved: 0, lost: null, errors: [] };
  let theirs: Set<string>;
  try {
    theirs = new Set(columnsOf(src, table));
  } catch (err) {
    out.errors.push(userMessage(err)); // its schema is unreadable: nothing of it can be read
    return out;
  }
  if (theirs.size === 0) return { ...out, lost: 0 }; // a table the damaged file's schema did not have yet
  const columns = columnsOf(dst, table).filter((c) => theirs.has(c));
  const rowid = hasRowid(src, table);
  try {
    out.lost = (src.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
  } catch (err) {
    out.errors.push(userMessage(err));
  }
  if (columns.length === 0) return out;
  const list = columns.map(quote).join(', ');
  const insert = dst.prepare(
    `INSERT OR IGNORE INTO ${quote(table)} (${list}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  const save = (row: unknown[]) => {
    if (insert.run(...row).changes > 0) out.saved++;
  };
  dst.transaction(() => {
    if (!rowid) {
      readAll(src.prepare(`SELECT ${list} FROM ${quote(table)}`).raw(), [], save, out);
      return;
    }
    let after: number | null = null;
    for (let skips = 0; skips <= MAX_SKIPS; skips++) {
      const where = after === null ? '' : 'WHERE rowid > ?';
      const read = src.prepare(`SELECT rowid, ${list} FROM ${quote(table)} ${where} ORDER BY rowid`).raw();
      let last: number | null = after;
      const ok = readAll(
        read,
        after === null ? [] : [after],
        (row) => {
          last = row[0] as number;
          save(row.slice(1));
        },
        out,
      );
      if (ok) break;
      after = (last ?? 0) + 10 ** skips;
    }
  })();
  if (out.lost !== null) out.lost = Math.max(0, out.lost - out.saved);
  return out;
}

/** Reads every row it can; false when a read failed part-way (recorded in `out.errors`). */
function readAll(
  statement: Database.Statement,
  params: unknown[],
  each: (row: unknown[]) => void,
  out: TableRecovery,
): boolean {
  try {
    for (const row of statement.iterate(...params)) each(row as unknown[]);
    return true;
  } catch (err) {
    out.errors.push(userMessage(err));
    return false;
  }
}

/** Deletes rows whose parent row was lost, counting them as lost from their table. */
function dropOrphans(db: Database.Database, tables: TableRecovery[]): void {
  const violations = db.pragma('foreign_key_check') as { table: string; rowid: number | null }[];
  for (const v of violations) {
    const t = tables.find((x) => x.table === v.table);
    if (v.rowid === null) continue;
    if (db.prepare(`DELETE FROM ${quote(v.table)} WHERE rowid = ?`).run(v.rowid).changes > 0 && t) {
      t.saved--;
      t.lost = (t.lost ?? 0) + 1;
    }
  }
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
