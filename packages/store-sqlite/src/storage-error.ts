import { StorageUnavailable } from '@berth/core';

/** SQLite's code on a better-sqlite3 error (`SQLITE_FULL`, `SQLITE_IOERR_WRITE`…), if any. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** What a SQLite code says about berth's database, in words a user can act on; undefined when it is no storage failure. */
function reasonOf(code: string): { full: boolean; reason: string } | undefined {
  switch (code.replace(/^(SQLITE_[A-Z]+)(_.*)?$/, '$1')) {
    case 'SQLITE_FULL':
      return { full: true, reason: 'free some space there and try again' };
    case 'SQLITE_READONLY':
      return { full: false, reason: 'it is read-only; make BERTH_HOME writable by the user running berth' };
    case 'SQLITE_IOERR':
      return { full: false, reason: 'a disk I/O error; check the disk holding BERTH_HOME' };
    case 'SQLITE_CANTOPEN':
      return { full: false, reason: 'it cannot be opened; check that BERTH_HOME exists and is writable' };
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return {
        full: false,
        reason: 'it is damaged; stop berth and run `berth db recover`, or restore a .bak copy beside it',
      };
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return { full: false, reason: 'it is locked by another program; try again' };
    case 'SQLITE_NOMEM':
      return { full: false, reason: 'the machine is out of memory; try again' };
    default:
      return undefined;
  }
}

/**
 * SQLite's disk-full, read-only, I/O, open, corruption and lock errors as core's
 * StorageUnavailable (507 when full, 503 otherwise); any other value is returned as it is.
 */
export function asStorageError(err: unknown, file: string): unknown {
  const code = sqliteCode(err);
  const what = code && reasonOf(code);
  if (!what) return err;
  const message = what.full
    ? `berth could not save this change: the disk holding its database (${file}) is full; ${what.reason} (${code})`
    : `berth cannot use its database ${file}: ${what.reason} (${code})`;
  return new StorageUnavailable(message, { full: what.full, cause: err, details: { sqliteCode: code } });
}
