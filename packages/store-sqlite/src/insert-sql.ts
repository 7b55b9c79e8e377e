/**
 * `INSERT INTO t (a, b) VALUES (@a, @b)`: columns are named, so a column a later migration adds
 * never shifts the values. Rows bind by column name.
 */
export function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
}
