export type { MigrationResult } from './migrate.js';
export { MigrationFailed } from './migration-failed.js';
export { type Migration, migrations } from './migrations.js';
export { type RecoveryResult, recoverDatabase, type TableRecovery } from './recover-database.js';
export type { NotificationChannelRecord } from './sqlite-notification-channel-repository.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
