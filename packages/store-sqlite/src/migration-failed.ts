import type { Migration } from './migrations.js';

/** A migration threw; the database was left at the version before it. */
export class MigrationFailed extends Error {
  readonly version: number;
  readonly migrationName: string;

  constructor(migration: Migration, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`migration ${migration.version} (${migration.name}) failed: ${reason}`, { cause });
    this.name = 'MigrationFailed';
    this.version = migration.version;
    this.migrationName = migration.name;
  }
}
