import { Conflict, NotFound } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';

/** One notification channel as stored: `secrets` is sealed, never clear. */
export interface NotificationChannelRecord {
  id: string;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  secrets: string | null;
  rules: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastDeliveryAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  config: string;
  secrets: string | null;
  rules: string;
  created_at: number;
  updated_at: number;
  last_delivery_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
}

const COLUMNS = [
  'id',
  'name',
  'kind',
  'config',
  'secrets',
  'rules',
  'created_at',
  'updated_at',
  'last_delivery_at',
  'last_error',
  'last_error_at',
] as const satisfies readonly (keyof ChannelRow)[];

function fromRow(r: ChannelRow): NotificationChannelRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    config: JSON.parse(r.config) as Record<string, unknown>,
    secrets: r.secrets,
    rules: JSON.parse(r.rules) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastDeliveryAt: r.last_delivery_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
  };
}

/**
 * Notification channels. Kept beside core's Store rather than in it: only the server's
 * notifier reads them, and nothing in core decides anything about them.
 */
export class SqliteNotificationChannelRepository {
  /** The notifier lists the channels on every event: prepared once, not per event (~70 µs each). */
  readonly #list: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.#list = db.prepare('SELECT * FROM notification_channels ORDER BY name');
  }

  list(): NotificationChannelRecord[] {
    return (this.#list.all() as ChannelRow[]).map(fromRow);
  }

  findByName(name: string): NotificationChannelRecord | undefined {
    const row = this.db.prepare('SELECT * FROM notification_channels WHERE name = ?').get(name) as
      | ChannelRow
      | undefined;
    return row && fromRow(row);
  }

  /** Throws Conflict when the name is taken. */
  insert(c: NotificationChannelRecord): void {
    if (this.findByName(c.name)) throw new Conflict(`a notification channel named ${c.name} exists`);
    this.db.prepare(insertSql('notification_channels', COLUMNS)).run({
      id: c.id,
      name: c.name,
      kind: c.kind,
      config: JSON.stringify(c.config),
      secrets: c.secrets,
      rules: JSON.stringify(c.rules),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      last_delivery_at: c.lastDeliveryAt,
      last_error: c.lastError,
      last_error_at: c.lastErrorAt,
    });
  }

  /** New settings for a channel; its name, kind and delivery record stay. */
  update(id: string, c: Pick<NotificationChannelRecord, 'config' | 'secrets' | 'rules' | 'updatedAt'>): void {
    const r = this.db
      .prepare(
        'UPDATE notification_channels SET config = ?, secrets = ?, rules = ?, updated_at = ? WHERE id = ?',
      )
      .run(JSON.stringify(c.config), c.secrets, JSON.stringify(c.rules), c.updatedAt, id);
    if (r.changes === 0) throw new NotFound('notification channel', id);
  }

  /** Throws NotFound when no channel has that id. */
  remove(id: string): void {
    const r = this.db.prepare('DELETE FROM notification_channels WHERE id = ?').run(id);
    if (r.changes === 0) throw new NotFound('notification channel', id);
  }

  /** A message reached the channel: the last error is cleared. */
  recordDelivery(id: string, at: number): void {
    this.db
      .prepare(
        'UPDATE notification_channels SET last_delivery_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?',
      )
      .run(at, id);
  }

  /** An attempt failed: shown on the channel until a delivery succeeds. */
  recordFailure(id: string, error: string, at: number): void {
    this.db
      .prepare('UPDATE notification_channels SET last_error = ?, last_error_at = ? WHERE id = ?')
      .run(error, at, id);
  }
}
