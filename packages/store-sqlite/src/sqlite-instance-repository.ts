import {
  type ConfigValue,
  Conflict,
  type DesiredState,
  type Health,
  type Instance,
  type InstanceFilter,
  type InstanceRepository,
  type InstanceStatus,
  NotFound,
  type ObservedReplicas,
  type RestartPolicy,
} from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';
import { type Columns, type PatchTable, patchRow } from './patch-row.js';
import { isConstraint } from './sqlite-errors.js';
import type { StatementCache } from './statement-cache.js';

interface InstanceRow {
  id: string;
  name: string;
  template: string;
  node: string;
  config: string;
  port_overrides: string;
  desired_state: string;
  status: string;
  health: string | null;
  error_message: string | null;
  restart_count: number;
  last_exit_code: number | null;
  next_retry_at: number | null;
  current_deployment_id: string | null;
  data_dir: string;
  replicas: number | null;
  observed_replicas: string | null;
  env: string | null;
  restart: string | null;
  labels: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = [
  'id',
  'name',
  'template',
  'node',
  'config',
  'port_overrides',
  'desired_state',
  'status',
  'health',
  'error_message',
  'restart_count',
  'last_exit_code',
  'next_retry_at',
  'current_deployment_id',
  'data_dir',
  'replicas',
  'observed_replicas',
  'env',
  'restart',
  'labels',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof InstanceRow)[];

type InstancePatch = Omit<Instance, 'id' | 'createdAt'>;

const patchable: PatchTable<InstancePatch> = {
  table: 'instances',
  columns: {
    name: 'name',
    template: 'template',
    node: 'node',
    config: 'config',
    portOverrides: 'port_overrides',
    desiredState: 'desired_state',
    status: 'status',
    health: 'health',
    errorMessage: 'error_message',
    restartCount: 'restart_count',
    lastExitCode: 'last_exit_code',
    nextRetryAt: 'next_retry_at',
    currentDeploymentId: 'current_deployment_id',
    dataDir: 'data_dir',
    replicas: 'replicas',
    observedReplicas: 'observed_replicas',
    env: 'env',
    restart: 'restart',
    labels: 'labels',
    updatedAt: 'updated_at',
  } satisfies Columns<InstancePatch>,
  json: new Set(['config', 'portOverrides', 'observedReplicas', 'env', 'restart', 'labels']),
};

const filterColumns: Columns<InstanceFilter> = { template: 'template', status: 'status', node: 'node' };

export function instanceFromRow(r: InstanceRow): Instance {
  return {
    id: r.id,
    name: r.name,
    template: r.template,
    node: r.node,
    config: JSON.parse(r.config) as Record<string, ConfigValue>,
    portOverrides: JSON.parse(r.port_overrides) as Record<string, number>,
    desiredState: r.desired_state as DesiredState,
    status: r.status as InstanceStatus,
    health: r.health as Health | null,
    errorMessage: r.error_message,
    restartCount: r.restart_count,
    lastExitCode: r.last_exit_code,
    nextRetryAt: r.next_retry_at,
    currentDeploymentId: r.current_deployment_id,
    dataDir: r.data_dir,
    ...replicasFromRow(r),
    ...editsFromRow(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The two replica fields, present only when set (an instance without them reads back as written). */
function replicasFromRow(r: InstanceRow): Pick<Instance, 'replicas' | 'observedReplicas'> {
  const observed =
    r.observed_replicas === null ? null : (JSON.parse(r.observed_replicas) as ObservedReplicas | null);
  return {
    ...(r.replicas !== null ? { replicas: r.replicas } : {}),
    ...(observed !== null ? { observedReplicas: observed } : {}),
  };
}

/** The edit fields, present only when set (an instance without them reads back as written). */
function editsFromRow(r: InstanceRow): Pick<Instance, 'env' | 'restart' | 'labels'> {
  const env = r.env === null ? null : (JSON.parse(r.env) as Record<string, string> | null);
  const restart = r.restart === null ? null : (JSON.parse(r.restart) as RestartPolicy | null);
  const labels = r.labels === null ? null : (JSON.parse(r.labels) as Record<string, string> | null);
  return {
    ...(env !== null ? { env } : {}),
    ...(restart !== null ? { restart } : {}),
    ...(labels !== null ? { labels } : {}),
  };
}

export function instanceToRow(i: Instance): InstanceRow {
  return {
    id: i.id,
    name: i.name,
    template: i.template,
    node: i.node,
    config: JSON.stringify(i.config),
    port_overrides: JSON.stringify(i.portOverrides),
    desired_state: i.desiredState,
    status: i.status,
    health: i.health,
    error_message: i.errorMessage,
    restart_count: i.restartCount,
    last_exit_code: i.lastExitCode,
    next_retry_at: i.nextRetryAt,
    current_deployment_id: i.currentDeploymentId,
    data_dir: i.dataDir,
    replicas: i.replicas ?? null,
    observed_replicas: i.observedReplicas ? JSON.stringify(i.observedReplicas) : null,
    env: i.env ? JSON.stringify(i.env) : null,
    restart: i.restart ? JSON.stringify(i.restart) : null,
    labels: i.labels ? JSON.stringify(i.labels) : null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}

/** A row's values in COLUMNS order: what a decoded instance keeps to tell a changed row (~200 bytes). */
type RowValues = InstanceRow[keyof InstanceRow][];

function rowValues(r: InstanceRow): RowValues {
  return COLUMNS.map((c) => r[c]);
}

function sameRow(values: RowValues, r: InstanceRow): boolean {
  for (let i = 0; i < COLUMNS.length; i++) if (values[i] !== r[COLUMNS[i]!]) return false;
  return true;
}

/** Lists kept (the tick's, the sampler's and the rotation's queries, and one more). */
const KEPT_LISTS = 4;

export class SqliteInstanceRepository implements InstanceRepository {
  readonly #cache: StatementCache;
  readonly #version: (() => string) | undefined;
  /** The last list per query, while the data has not changed (frozen: it is handed out again). */
  readonly #lists = new Map<string, { version: string; instances: readonly Instance[] }>();
  /**
   * Each listed instance with the row it was decoded from: when the data changes, a list decodes
   * only the rows that differ. While creates stream in, every change made the tick decode all rows
   * again (~2 MB at 1,000), and those objects lived a tick, long enough to die in old space. The
   * row is kept as an array of its values: the row object itself took 1.7 KB (10,000: 17 MB).
   */
  readonly #decoded = new Map<string, { values: RowValues; instance: Instance }>();
  readonly #find: Database.Statement<[string], InstanceRow>;
  readonly #findByName: Database.Statement<[string], InstanceRow>;
  readonly #count: Database.Statement<[string], { n: number }>;
  readonly #names: Database.Statement<[{ lo: string; hi: string }], { name: string }>;
  readonly #insert: Database.Statement<[InstanceRow]>;
  readonly #delete: Database.Statement<[string]>;

  /**
   * With `version` (the store's `dataVersion`), a list is read once per change of the data: the
   * reconciler's tick, the sampler and the log rotation each list every instance every few
   * seconds, ~17 ms per 1,000 rows decoded.
   */
  constructor(db: Database.Database, cache: StatementCache, version?: () => string) {
    this.#cache = cache;
    this.#version = version;
    this.#find = db.prepare('SELECT * FROM instances WHERE id = ?');
    this.#findByName = db.prepare('SELECT * FROM instances WHERE name = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM instances WHERE template = ?');
    this.#names = db.prepare('SELECT name FROM instances WHERE name >= @lo AND name < @hi ORDER BY name');
    this.#insert = db.prepare(insertSql('instances', COLUMNS));
    this.#delete = db.prepare('DELETE FROM instances WHERE id = ?');
  }

  list(filter: InstanceFilter = {}): Instance[] {
    const given = (Object.keys(filterColumns) as (keyof InstanceFilter)[]).filter(
      (k) => filter[k] !== undefined,
    );
    const where = given.map((k) => `${filterColumns[k]} = @${k}`).join(' AND ');
    const sql = `SELECT * FROM instances${where ? ` WHERE ${where}` : ''} ORDER BY created_at, name`;
    const params = Object.fromEntries(given.map((k) => [k, filter[k]]));
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    const version = this.#version?.();
    const last = this.#lists.get(key);
    if (version !== undefined && last?.version === version) return [...last.instances];
    const rows = this.#cache.get(sql).all(params) as InstanceRow[];
    if (version === undefined) return rows.map(instanceFromRow);
    const instances = rows.map((row) => this.#decode(row));
    if (given.length === 0 && this.#decoded.size > rows.length) this.#forgetAllBut(rows);
    this.#lists.delete(key);
    this.#lists.set(key, { version, instances });
    for (const old of this.#lists.keys()) if (this.#lists.size > KEPT_LISTS) this.#lists.delete(old);
    return [...instances];
  }

  /** The row as a frozen instance (it is handed out again), decoded anew only when it changed. */
  #decode(row: InstanceRow): Instance {
    const known = this.#decoded.get(row.id);
    if (known && sameRow(known.values, row)) return known.instance;
    const instance = Object.freeze(instanceFromRow(row));
    this.#decoded.set(row.id, { values: rowValues(row), instance });
    return instance;
  }

  /** Drops the decoded instances whose rows are gone (removed here or by another connection). */
  #forgetAllBut(rows: readonly InstanceRow[]): void {
    const present = new Set(rows.map((r) => r.id));
    for (const id of this.#decoded.keys()) if (!present.has(id)) this.#decoded.delete(id);
  }

  find(id: string): Instance | undefined {
    const row = this.#find.get(id);
    return row && instanceFromRow(row);
  }

  findByName(name: string): Instance | undefined {
    const row = this.#findByName.get(name);
    return row && instanceFromRow(row);
  }

  countByTemplate(template: string): number {
    return this.#count.get(template)?.n ?? 0;
  }

  namesWithPrefix(prefix: string): string[] {
    return this.#names.all({ lo: prefix, hi: `${prefix}\u{10FFFF}` }).map((r) => r.name);
  }

  insert(i: Instance): void {
    try {
      this.#insert.run(instanceToRow(i));
    } catch (err) {
      throw asNameConflict(err, `'${i.name}' (id ${i.id})`);
    }
  }

  update(id: string, patch: Partial<InstancePatch>): Instance {
    let row: InstanceRow | undefined;
    try {
      row = patchRow(this.#cache, patchable, id, patch) as InstanceRow | undefined;
    } catch (err) {
      throw asNameConflict(err, `'${patch.name}'`);
    }
    if (!row) throw new NotFound('instance', id);
    return instanceFromRow(row);
  }

  delete(id: string): void {
    this.#delete.run(id);
    this.#decoded.delete(id);
  }
}

/** A duplicate name or id becomes core's Conflict; anything else is rethrown as it is. */
function asNameConflict(err: unknown, what: string): unknown {
  if (!isConstraint(err, 'UNIQUE') && !isConstraint(err, 'PRIMARYKEY')) return err;
  return new Conflict(`an instance ${what} already exists`, { code: 'INSTANCE_EXISTS', cause: err });
}
