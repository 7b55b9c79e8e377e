import type { PublishedPort, ScanRepository, ScanResult } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';
import type { StatementCache } from './statement-cache.js';

interface ScanRow {
  integration_id: string;
  host: string;
  container_name: string;
  container_id: string | null;
  image: string;
  state: string;
  ports: string;
  last_seen: number;
}

const COLUMNS = [
  'integration_id',
  'host',
  'container_name',
  'container_id',
  'image',
  'state',
  'ports',
  'last_seen',
] as const satisfies readonly (keyof ScanRow)[];

export function scanFromRow(r: ScanRow): ScanResult {
  return {
    integrationId: r.integration_id,
    host: r.host,
    containerName: r.container_name,
    containerId: r.container_id,
    image: r.image,
    state: r.state,
    ports: JSON.parse(r.ports) as PublishedPort[],
    lastSeen: r.last_seen,
  };
}

export function scanToRow(s: ScanResult): ScanRow {
  return {
    integration_id: s.integrationId,
    host: s.host,
    container_name: s.containerName,
    container_id: s.containerId,
    image: s.image,
    state: s.state,
    ports: JSON.stringify(s.ports),
    last_seen: s.lastSeen,
  };
}

const ORDER = 'ORDER BY host, container_name, rowid';

/** Statements are prepared on first use, so a store opened at an older schema still opens. */
export class SqliteScanRepository implements ScanRepository {
  readonly #db: Database.Database;
  readonly #cache: StatementCache;

  constructor(db: Database.Database, cache: StatementCache) {
    this.#db = db;
    this.#cache = cache;
  }

  /** In one transaction (a savepoint inside the caller's): the old rows go, the new ones come. */
  replace(integrationId: string, rows: ScanResult[]): void {
    this.#db.transaction(() => {
      this.#cache
        .get('DELETE FROM scan_results WHERE integration_id = @integrationId')
        .run({ integrationId });
      const insert = this.#cache.get(insertSql('scan_results', COLUMNS));
      for (const r of rows) insert.run({ ...scanToRow({ ...r, integrationId }) });
    })();
  }

  listByIntegration(integrationId: string): ScanResult[] {
    return this.#all(`SELECT * FROM scan_results WHERE integration_id = @integrationId ${ORDER}`, {
      integrationId,
    });
  }

  listByHost(host: string): ScanResult[] {
    return this.#all(`SELECT * FROM scan_results WHERE host = @host ${ORDER}`, { host });
  }

  listAll(): ScanResult[] {
    return this.#all(`SELECT * FROM scan_results ${ORDER}`, {});
  }

  hosts(): string[] {
    const rows = this.#cache.get('SELECT DISTINCT host FROM scan_results ORDER BY host').all({});
    return (rows as { host: string }[]).map((r) => r.host);
  }

  #all(sql: string, params: Record<string, unknown>): ScanResult[] {
    return (this.#cache.get(sql).all(params) as ScanRow[]).map(scanFromRow);
  }
}
