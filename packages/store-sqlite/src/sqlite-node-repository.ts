import type { NodeKind, NodeRecord, NodeRepository } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';

interface NodeRow {
  name: string;
  kind: string;
  host: string;
  config: string;
  created_at: number;
}

export function nodeFromRow(r: NodeRow): NodeRecord {
  return {
    name: r.name,
    kind: r.kind as NodeKind,
    host: r.host,
    config: JSON.parse(r.config) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

export function nodeToRow(n: NodeRecord): NodeRow {
  return {
    name: n.name,
    kind: n.kind,
    host: n.host,
    config: JSON.stringify(n.config),
    created_at: n.createdAt,
  };
}

export class SqliteNodeRepository implements NodeRepository {
  readonly #list: Database.Statement<[], NodeRow>;
  readonly #find: Database.Statement<[string], NodeRow>;
  readonly #upsert: Database.Statement<[NodeRow]>;
  readonly #delete: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#list = db.prepare('SELECT * FROM nodes ORDER BY name');
    this.#find = db.prepare('SELECT * FROM nodes WHERE name = ?');
    this.#upsert = db.prepare(`${insertSql('nodes', ['name', 'kind', 'host', 'config', 'created_at'])}
      ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, host = excluded.host, config = excluded.config`);
    this.#delete = db.prepare('DELETE FROM nodes WHERE name = ?');
  }

  list(): NodeRecord[] {
    return this.#list.all().map(nodeFromRow);
  }

  find(name: string): NodeRecord | undefined {
    const row = this.#find.get(name);
    return row && nodeFromRow(row);
  }

  /** Replaces kind, host and config; a node keeps the createdAt it was first stored with. */
  upsert(n: NodeRecord): void {
    this.#upsert.run(nodeToRow(n));
  }

  delete(name: string): boolean {
    return this.#delete.run(name).changes > 0;
  }
}
