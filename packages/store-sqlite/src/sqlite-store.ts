import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type Clock,
  type Logger,
  StorageUnavailable,
  type Store,
  silentLogger,
  systemClock,
} from '@berth/core';
import Database from 'better-sqlite3';
import { guarded } from './guarded.js';
import { checkIntegrity } from './integrity.js';
import { isMemoryPath, type MigrationResult, migrate, userVersion } from './migrate.js';
import { migrations as allMigrations, type Migration } from './migrations.js';
import { SqliteDeploymentRepository } from './sqlite-deployment-repository.js';
import { SqliteEventRepository } from './sqlite-event-repository.js';
import { SqliteInstanceRepository } from './sqlite-instance-repository.js';
import { SqliteIntegrationRepository } from './sqlite-integration-repository.js';
import { SqliteLeaseRepository } from './sqlite-lease-repository.js';
import { SqliteNodeRepository } from './sqlite-node-repository.js';
import { SqliteNotificationChannelRepository } from './sqlite-notification-channel-repository.js';
import { SqliteScanRepository } from './sqlite-scan-repository.js';
import { SqliteSettingsRepository } from './sqlite-settings-repository.js';
import { SqliteTemplateRepository } from './sqlite-template-repository.js';
import { SqliteTokenRepository } from './sqlite-token-repository.js';
import { StatementCache } from './statement-cache.js';
import { asStorageError } from './storage-error.js';
import { StorageFailureLog } from './storage-failure-log.js';

export interface SqliteStoreOptions {
  /** Names the pre-migration copy. */
  clock?: Clock;
  /** The schema to bring the database to; all of berth's migrations by default. */
  migrations?: readonly Migration[];
  /** How long a writer waits for another connection's lock, in ms. */
  busyTimeoutMs?: number;
  /** Where storage failures (disk full, read-only, I/O errors) are logged, under `ns: store`. */
  log?: Logger;
}

/** berth's Store on one SQLite database file (or `:memory:`). */
export class SqliteStore implements Store {
  readonly templates: SqliteTemplateRepository;
  readonly instances: SqliteInstanceRepository;
  readonly deployments: SqliteDeploymentRepository;
  readonly leases: SqliteLeaseRepository;
  readonly nodes: SqliteNodeRepository;
  readonly events: SqliteEventRepository;
  readonly settings: SqliteSettingsRepository;
  readonly tokens: SqliteTokenRepository;
  readonly integrations: SqliteIntegrationRepository;
  readonly scans: SqliteScanRepository;
  readonly notificationChannels: SqliteNotificationChannelRepository;
  readonly #db: Database.Database;
  readonly #dataVersion: Database.Statement<[], { own: number; other: number }>;
  readonly #failures: StorageFailureLog;
  /** Rows changed by token touches (see dataVersion). */
  #quietChanges = 0;

  private constructor(
    db: Database.Database,
    readonly file: string,
    /** What opening did to the schema, including the path of the copy taken before migrating. */
    readonly migration: MigrationResult,
    log: Logger,
    clock: Clock,
  ) {
    this.#db = db;
    this.#failures = new StorageFailureLog(log.child({ ns: 'store', file }), clock);
    this.#dataVersion = db.prepare(
      'SELECT total_changes() AS own, (SELECT data_version FROM pragma_data_version) AS other',
    );
    const cache = new StatementCache(db);
    // Every repository's SQLite storage failure leaves as core's StorageUnavailable, logged once.
    const guard = <R extends object>(name: string, repo: R): R =>
      guarded(repo, (err, method) => this.#storageError(err, `${name}.${method}`));
    this.templates = guard('templates', new SqliteTemplateRepository(db));
    this.instances = guard('instances', new SqliteInstanceRepository(db, cache, () => this.dataVersion()));
    this.deployments = guard('deployments', new SqliteDeploymentRepository(db, cache));
    this.leases = guard('leases', new SqliteLeaseRepository(db));
    this.nodes = guard('nodes', new SqliteNodeRepository(db));
    this.events = guard('events', new SqliteEventRepository(db, cache));
    this.settings = guard('settings', new SqliteSettingsRepository(db));
    this.tokens = guard(
      'tokens',
      new SqliteTokenRepository(db, (n) => {
        this.#quietChanges += n;
      }),
    );
    this.integrations = guard('integrations', new SqliteIntegrationRepository(cache));
    this.scans = guard('scans', new SqliteScanRepository(db, cache));
    this.notificationChannels = guard('notificationChannels', new SqliteNotificationChannelRepository(db));
  }

  /** A SQLite storage failure as StorageUnavailable, logged; anything else as it is. */
  #storageError(err: unknown, operation: string): unknown {
    const mapped = asStorageError(err, this.file);
    if (mapped !== err && mapped instanceof StorageUnavailable) this.#failures.report(mapped, operation);
    return mapped;
  }

  /** Opens (creating if needed) and migrates the database; copies it first if it has a schema. */
  /**
   * A database that fails SQLite's `quick_check` is refused with StorageUnavailable naming the
   * file and what to do (restore a `.bak` copy, or `berth db recover`); a disk that is full or
   * read-only is refused the same way.
   */
  static async open(file: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const clock = opts.clock ?? systemClock;
    if (!isMemoryPath(file)) mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (err) {
      throw asStorageError(err, file);
    }
    try {
      checkIntegrity(db, file);
      configure(db, opts.busyTimeoutMs ?? 5000);
      const result = await migrate(db, file, opts.migrations ?? allMigrations, clock);
      return new SqliteStore(db, file, result, opts.log ?? silentLogger, clock);
    } catch (err) {
      db.close();
      throw asStorageError(err, file);
    }
  }

  /**
   * Changes whenever a row is written, through this connection (`total_changes()`) or another one
   * (`data_version`): a reader can keep what it derived from the data until this moves on. A
   * token's last-used time is left out: each token writes it once a minute while used, and with
   * 10,000 instances every such touch made the next GET /instances rebuild its 8 MB answer.
   */
  dataVersion(): string {
    const v = this.#dataVersion.get()!;
    return `${v.other}:${v.own - this.#quietChanges}`;
  }

  get schemaVersion(): number {
    return userVersion(this.#db);
  }

  /** Nested calls become savepoints: an inner throw caught by the outer rolls back only the inner. */
  transaction<T>(fn: () => T): T {
    try {
      return this.#db.transaction(() => {
        const result = fn();
        if (isThenable(result)) throw new TypeError('Store.transaction takes a synchronous function');
        return result;
      })();
    } catch (err) {
      throw this.#storageError(err, 'transaction');
    }
  }

  /**
   * Copies the live database beside its file, named for `reason` and stamped with the time, with
   * SQLite's online backup (before an import, say); returns the copy's path, or null in memory.
   */
  async backup(reason: string, clock: Clock = systemClock): Promise<string | null> {
    if (isMemoryPath(this.file)) return null;
    const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
    const target = `${this.file}.pre-${reason.replace(/[^a-z0-9-]+/gi, '-')}-${stamp}.bak`;
    try {
      await this.#db.backup(target);
    } catch (err) {
      throw this.#storageError(err, 'backup');
    }
    return target;
  }

  /** Lets SQLite refresh its planner statistics, then closes; closing twice is harmless. */
  close(): void {
    if (!this.#db.open) return;
    try {
      this.#db.pragma('optimize');
    } catch {
      // statistics are an optimisation: a full or read-only disk must not keep the file open
    }
    this.#db.close();
  }
}

function configure(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  db.pragma('synchronous = NORMAL');
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
