import {
  type DeployedSpec,
  type Deployment,
  type DeploymentRepository,
  type InstanceStatus,
  NotFound,
  type WorkloadHandle,
} from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';
import { type Columns, type PatchTable, patchRow } from './patch-row.js';
import { isConstraint } from './sqlite-errors.js';
import type { StatementCache } from './statement-cache.js';

interface DeploymentRow {
  id: string;
  instance_id: string;
  node: string;
  runtime: string;
  handle: string | null;
  ports: string;
  url: string | null;
  status: string;
  started_at: number | null;
  stopped_at: number | null;
  exit_code: number | null;
  error: string | null;
  created_at: number;
  spec: string | null;
}

const COLUMNS = [
  'id',
  'instance_id',
  'node',
  'runtime',
  'handle',
  'ports',
  'url',
  'status',
  'started_at',
  'stopped_at',
  'exit_code',
  'error',
  'created_at',
  'spec',
] as const satisfies readonly (keyof DeploymentRow)[];

type DeploymentPatch = Omit<Deployment, 'id' | 'instanceId' | 'createdAt'>;

const patchable: PatchTable<DeploymentPatch> = {
  table: 'deployments',
  columns: {
    node: 'node',
    runtime: 'runtime',
    handle: 'handle',
    ports: 'ports',
    url: 'url',
    status: 'status',
    startedAt: 'started_at',
    stoppedAt: 'stopped_at',
    exitCode: 'exit_code',
    error: 'error',
    spec: 'spec',
  } satisfies Columns<DeploymentPatch>,
  json: new Set(['handle', 'ports', 'spec']),
};

export function deploymentFromRow(r: DeploymentRow): Deployment {
  return {
    id: r.id,
    instanceId: r.instance_id,
    node: r.node,
    runtime: r.runtime,
    handle: r.handle === null ? null : (JSON.parse(r.handle) as WorkloadHandle | null),
    ports: JSON.parse(r.ports) as Record<string, number>,
    url: r.url,
    status: r.status as InstanceStatus,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
    exitCode: r.exit_code,
    error: r.error,
    createdAt: r.created_at,
    ...(r.spec === null ? {} : { spec: JSON.parse(r.spec) as DeployedSpec | null }),
  };
}

export function deploymentToRow(d: Deployment): DeploymentRow {
  return {
    id: d.id,
    instance_id: d.instanceId,
    node: d.node,
    runtime: d.runtime,
    handle: d.handle === null ? null : JSON.stringify(d.handle),
    ports: JSON.stringify(d.ports),
    url: d.url,
    status: d.status,
    started_at: d.startedAt,
    stopped_at: d.stoppedAt,
    exit_code: d.exitCode,
    error: d.error,
    created_at: d.createdAt,
    spec: d.spec ? JSON.stringify(d.spec) : null,
  };
}

export class SqliteDeploymentRepository implements DeploymentRepository {
  readonly #cache: StatementCache;
  readonly #list: Database.Statement<[{ instanceId: string; limit: number }], DeploymentRow>;
  readonly #find: Database.Statement<[string], DeploymentRow>;
  readonly #insert: Database.Statement<[DeploymentRow]>;

  constructor(db: Database.Database, cache: StatementCache) {
    this.#cache = cache;
    this.#list = db.prepare(`SELECT * FROM deployments WHERE instance_id = @instanceId
      ORDER BY created_at DESC, rowid DESC LIMIT @limit`);
    this.#find = db.prepare('SELECT * FROM deployments WHERE id = ?');
    this.#insert = db.prepare(insertSql('deployments', COLUMNS));
  }

  /** Newest first. */
  listByInstance(instanceId: string, limit = -1): Deployment[] {
    return this.#list.all({ instanceId, limit }).map(deploymentFromRow);
  }

  find(id: string): Deployment | undefined {
    const row = this.#find.get(id);
    return row && deploymentFromRow(row);
  }

  insert(d: Deployment): void {
    try {
      this.#insert.run(deploymentToRow(d));
    } catch (err) {
      if (isConstraint(err, 'FOREIGNKEY')) throw new NotFound('instance', d.instanceId, { cause: err });
      throw err;
    }
  }

  update(id: string, patch: Partial<DeploymentPatch>): Deployment {
    const row = patchRow(this.#cache, patchable, id, patch) as DeploymentRow | undefined;
    if (!row) throw new NotFound('deployment', id);
    return deploymentFromRow(row);
  }
}
