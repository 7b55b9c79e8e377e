import type Database from 'better-sqlite3';

export type Params = Record<string, unknown>;
export type Statement = Database.Statement<[Params] | [], unknown>;

/** Prepares each distinct SQL text once, for statements whose shape depends on the call. */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare<[Params] | [], unknown>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
