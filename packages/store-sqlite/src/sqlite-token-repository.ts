import type { ApiToken, TokenRepository } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  role: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export function tokenFromRow(r: TokenRow): ApiToken {
  return {
    id: r.id,
    name: r.name,
    hash: r.hash,
    role: r.role as ApiToken['role'],
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export function tokenToRow(t: ApiToken): TokenRow {
  return {
    id: t.id,
    name: t.name,
    hash: t.hash,
    role: t.role,
    created_at: t.createdAt,
    last_used_at: t.lastUsedAt,
    revoked_at: t.revokedAt,
  };
}

export class SqliteTokenRepository implements TokenRepository {
  readonly #list: Database.Statement<[], TokenRow>;
  readonly #findByHash: Database.Statement<[string], TokenRow>;
  readonly #find: Database.Statement<[string], TokenRow>;
  readonly #insert: Database.Statement<[TokenRow]>;
  readonly #touch: Database.Statement<[{ id: string; at: number }]>;
  readonly #revoke: Database.Statement<[{ id: string; at: number }]>;
  readonly #rehash: Database.Statement<[{ id: string; hash: string }]>;

  /**
   * `quiet`: told how many rows each last-used touch changed (the store's `dataVersion` leaves
   * those out).
   */
  constructor(
    db: Database.Database,
    private readonly quiet: (changes: number) => void = () => undefined,
  ) {
    this.#list = db.prepare('SELECT * FROM tokens ORDER BY created_at, id');
    this.#findByHash = db.prepare('SELECT * FROM tokens WHERE hash = ?');
    this.#find = db.prepare('SELECT * FROM tokens WHERE id = ?');
    this.#insert = db.prepare(
      insertSql('tokens', ['id', 'name', 'hash', 'role', 'created_at', 'last_used_at', 'revoked_at']),
    );
    this.#touch = db.prepare('UPDATE tokens SET last_used_at = @at WHERE id = @id');
    this.#revoke = db.prepare('UPDATE tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL');
    this.#rehash = db.prepare('UPDATE tokens SET hash = @hash WHERE id = @id');
  }

  list(): ApiToken[] {
    return this.#list.all().map(tokenFromRow);
  }

  findByHash(hash: string): ApiToken | undefined {
    const row = this.#findByHash.get(hash);
    return row && tokenFromRow(row);
  }

  find(id: string): ApiToken | undefined {
    const row = this.#find.get(id);
    return row && tokenFromRow(row);
  }

  insert(t: ApiToken): void {
    this.#insert.run(tokenToRow(t));
  }

  touch(id: string, at: number): void {
    this.quiet(this.#touch.run({ id, at }).changes);
  }

  /** False when there is no such token or it was already revoked (the first revocation time stays). */
  revoke(id: string, at: number): boolean {
    return this.#revoke.run({ id, at }).changes > 0;
  }

  rehash(id: string, hash: string): void {
    this.#rehash.run({ id, hash });
  }
}
