import type { StatementCache } from './statement-cache.js';

/** Domain field → column, for every field a patch may carry. */
export type Columns<T> = { readonly [K in keyof T]-?: string };

export interface PatchTable<T> {
  table: string;
  columns: Columns<T>;
  /** Fields stored as JSON text. */
  json: ReadonlySet<keyof T>;
}

/**
 * Writes only the fields present in `patch` (undefined means absent) and returns the row as it
 * is now, or undefined when no row has that id. One cached statement per set of fields.
 *
 * The UPDATE runs to its end with `.all()`: `.get()` stops at the first RETURNING row and resets
 * the statement, and outside a transaction the commit happens in that reset, whose error (a full
 * or read-only disk) better-sqlite3 drops — the caller got a row that was never saved.
 */
export function patchRow<T>(
  cache: StatementCache,
  spec: PatchTable<T>,
  id: string,
  patch: Partial<T>,
): unknown {
  const fields = (Object.keys(patch) as (keyof T & string)[])
    .filter((f) => Object.hasOwn(spec.columns, f) && patch[f] !== undefined)
    .sort();
  if (fields.length === 0) return cache.get(`SELECT * FROM ${spec.table} WHERE id = @id`).get({ id });
  const sets = fields.map((f) => `${spec.columns[f]} = @${f}`).join(', ');
  const params: Record<string, unknown> = { id };
  for (const f of fields) params[f] = spec.json.has(f) ? JSON.stringify(patch[f]) : patch[f];
  return cache.get(`UPDATE ${spec.table} SET ${sets} WHERE id = @id RETURNING *`).all(params)[0];
}
