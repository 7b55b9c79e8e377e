import type { Clock } from '@berth/core';
import { SqliteStore } from '@berth/store-sqlite';

/** berth's real SQLite store on a private in-memory database: migrated, empty, gone when closed. */
export function memoryStore(opts: { clock?: Clock } = {}): Promise<SqliteStore> {
  return SqliteStore.open(':memory:', opts);
}
