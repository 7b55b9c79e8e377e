import {
  Conflict,
  type Integration,
  type IntegrationRepository,
  type IntegrationType,
  NotFound,
  type ScanStatus,
} from '@berth/core';
import { insertSql } from './insert-sql.js';
import { type Columns, type PatchTable, patchRow } from './patch-row.js';
import { isConstraint } from './sqlite-errors.js';
import type { StatementCache } from './statement-cache.js';

interface IntegrationRow {
  id: string;
  name: string;
  type: string;
  enabled: number;
  auto_detect: number;
  scan_interval_seconds: number;
  config: string;
  secrets: string | null;
  created_at: number;
  updated_at: number;
  last_scan_at: number | null;
  last_scan_error: string | null;
  last_scan_status: string | null;
}

const COLUMNS = [
  'id',
  'name',
  'type',
  'enabled',
  'auto_detect',
  'scan_interval_seconds',
  'config',
  'secrets',
  'created_at',
  'updated_at',
  'last_scan_at',
  'last_scan_error',
  'last_scan_status',
] as const satisfies readonly (keyof IntegrationRow)[];

type IntegrationPatch = Omit<Integration, 'id' | 'createdAt'>;
/** A patch as SQLite binds it: booleans become 0/1. */
type StoredPatch = Omit<IntegrationPatch, 'enabled' | 'autoDetect'> & { enabled: number; autoDetect: number };

const patchable: PatchTable<StoredPatch> = {
  table: 'integrations',
  columns: {
    name: 'name',
    type: 'type',
    enabled: 'enabled',
    autoDetect: 'auto_detect',
    scanIntervalSeconds: 'scan_interval_seconds',
    config: 'config',
    secrets: 'secrets',
    updatedAt: 'updated_at',
    lastScanAt: 'last_scan_at',
    lastScanError: 'last_scan_error',
    lastScanStatus: 'last_scan_status',
  } satisfies Columns<StoredPatch>,
  json: new Set(['config']),
};

export function integrationFromRow(r: IntegrationRow): Integration {
  return {
    id: r.id,
    name: r.name,
    type: r.type as IntegrationType,
    enabled: r.enabled === 1,
    autoDetect: r.auto_detect === 1,
    scanIntervalSeconds: r.scan_interval_seconds,
    config: JSON.parse(r.config) as Record<string, unknown>,
    secrets: r.secrets,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastScanAt: r.last_scan_at,
    lastScanError: r.last_scan_error,
    lastScanStatus: r.last_scan_status as ScanStatus | null,
  };
}

export function integrationToRow(i: Integration): IntegrationRow {
  return {
    id: i.id,
    name: i.name,
    type: i.type,
    enabled: i.enabled ? 1 : 0,
    auto_detect: i.autoDetect ? 1 : 0,
    scan_interval_seconds: i.scanIntervalSeconds,
    config: JSON.stringify(i.config),
    secrets: i.secrets,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    last_scan_at: i.lastScanAt,
    last_scan_error: i.lastScanError,
    last_scan_status: i.lastScanStatus,
  };
}

function toStored(patch: Partial<IntegrationPatch>): Partial<StoredPatch> {
  const { enabled, autoDetect, ...rest } = patch;
  return {
    ...rest,
    ...(enabled === undefined ? {} : { enabled: enabled ? 1 : 0 }),
    ...(autoDetect === undefined ? {} : { autoDetect: autoDetect ? 1 : 0 }),
  };
}

/** Statements are prepared on first use, so a store opened at an older schema still opens. */
export class SqliteIntegrationRepository implements IntegrationRepository {
  readonly #cache: StatementCache;

  constructor(cache: StatementCache) {
    this.#cache = cache;
  }

  list(): Integration[] {
    const rows = this.#cache.get('SELECT * FROM integrations ORDER BY created_at, name').all({});
    return (rows as IntegrationRow[]).map(integrationFromRow);
  }

  find(id: string): Integration | undefined {
    return this.#one('SELECT * FROM integrations WHERE id = @id', { id });
  }

  findByName(name: string): Integration | undefined {
    return this.#one('SELECT * FROM integrations WHERE name = @name', { name });
  }

  insert(i: Integration): void {
    try {
      this.#cache.get(insertSql('integrations', COLUMNS)).run({ ...integrationToRow(i) });
    } catch (err) {
      throw asNameConflict(err, i.name);
    }
  }

  update(id: string, patch: Partial<IntegrationPatch>): Integration {
    let row: IntegrationRow | undefined;
    try {
      row = patchRow(this.#cache, patchable, id, toStored(patch)) as IntegrationRow | undefined;
    } catch (err) {
      throw asNameConflict(err, patch.name ?? id);
    }
    if (!row) throw new NotFound('integration', id);
    return integrationFromRow(row);
  }

  delete(id: string): boolean {
    return this.#cache.get('DELETE FROM integrations WHERE id = @id').run({ id }).changes > 0;
  }

  #one(sql: string, params: Record<string, unknown>): Integration | undefined {
    const row = this.#cache.get(sql).get(params) as IntegrationRow | undefined;
    return row && integrationFromRow(row);
  }
}

function asNameConflict(err: unknown, name: string): unknown {
  if (!isConstraint(err, 'UNIQUE') && !isConstraint(err, 'PRIMARYKEY')) return err;
  return new Conflict(`an integration named '${name}' already exists`, {
    code: 'INTEGRATION_EXISTS',
    cause: err,
    details: { field: 'name' },
  });
}
