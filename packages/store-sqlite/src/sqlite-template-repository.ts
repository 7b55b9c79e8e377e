import {
  formatTemplateOrigin,
  parseTemplateOrigin,
  type StoredTemplate,
  type Template,
  type TemplateRepository,
} from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';

interface TemplateRow {
  name: string;
  template: string;
  origin: string;
  updated_at: number;
}

export function templateFromRow(r: TemplateRow): StoredTemplate {
  return {
    template: JSON.parse(r.template) as Template,
    origin: parseTemplateOrigin(r.origin),
    updatedAt: r.updated_at,
  };
}

export function templateToRow(t: StoredTemplate): TemplateRow {
  return {
    name: t.template.name,
    template: JSON.stringify(t.template),
    origin: formatTemplateOrigin(t.origin),
    updated_at: t.updatedAt,
  };
}

export class SqliteTemplateRepository implements TemplateRepository {
  readonly #list: Database.Statement<[], TemplateRow>;
  readonly #find: Database.Statement<[string], TemplateRow>;
  readonly #upsert: Database.Statement<[TemplateRow]>;
  readonly #delete: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#list = db.prepare('SELECT * FROM templates ORDER BY name');
    this.#find = db.prepare('SELECT * FROM templates WHERE name = ?');
    this.#upsert = db.prepare(`${insertSql('templates', ['name', 'template', 'origin', 'updated_at'])}
      ON CONFLICT (name) DO UPDATE SET template = excluded.template, origin = excluded.origin,
      updated_at = excluded.updated_at`);
    this.#delete = db.prepare('DELETE FROM templates WHERE name = ?');
  }

  list(): StoredTemplate[] {
    return this.#list.all().map(templateFromRow);
  }

  find(name: string): StoredTemplate | undefined {
    const row = this.#find.get(name);
    return row && templateFromRow(row);
  }

  upsert(t: StoredTemplate): void {
    this.#upsert.run(templateToRow(t));
  }

  delete(name: string): boolean {
    return this.#delete.run(name).changes > 0;
  }
}
