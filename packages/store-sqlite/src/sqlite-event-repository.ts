import type { BerthEvent, EventQuery, EventRepository, EventType, NewEvent } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';
import type { StatementCache } from './statement-cache.js';

interface EventRow {
  id: number;
  ts: number;
  type: string;
  instance_id: string | null;
  instance_name: string | null;
  message: string;
  data: string;
}

export function eventFromRow(r: EventRow): BerthEvent {
  return {
    id: r.id,
    ts: r.ts,
    type: r.type as EventType,
    instanceId: r.instance_id,
    instanceName: r.instance_name,
    message: r.message,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

export function eventToRow(e: NewEvent & { ts: number }): Omit<EventRow, 'id'> {
  return {
    ts: e.ts,
    type: e.type,
    instance_id: e.instanceId,
    instance_name: e.instanceName,
    message: e.message,
    data: JSON.stringify(e.data),
  };
}

/** The SQL for one shape of query; the values are bound separately. */
function eventSql(q: EventQuery): string {
  const where = [
    q.instanceId !== undefined && 'instance_id = @instanceId',
    q.sinceId !== undefined && 'id > @sinceId',
    q.sinceTs !== undefined && 'ts >= @sinceTs',
  ].filter(Boolean);
  const filtered = `SELECT * FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const since = q.sinceId !== undefined || q.sinceTs !== undefined;
  if (q.limit === undefined) return `${filtered} ORDER BY id`;
  if (since) return `${filtered} ORDER BY id LIMIT @limit`;
  return `SELECT * FROM (${filtered} ORDER BY id DESC LIMIT @limit) ORDER BY id`;
}

export class SqliteEventRepository implements EventRepository {
  readonly #cache: StatementCache;
  readonly #append: Database.Statement<[Omit<EventRow, 'id'>], { id: number }>;

  constructor(db: Database.Database, cache: StatementCache) {
    this.#cache = cache;
    this.#append = db.prepare(
      `${insertSql('events', ['ts', 'type', 'instance_id', 'instance_name', 'message', 'data'])} RETURNING id`,
    );
  }

  append(e: NewEvent & { ts: number }): BerthEvent {
    const row = eventToRow(e);
    // `.all()`, never `.get()`: the statement must run to its end so a failed commit throws (see patchRow).
    const [{ id }] = this.#append.all(row) as [{ id: number }];
    return eventFromRow({ id, ...row });
  }

  /**
   * Oldest first. With `sinceId`/`sinceTs`, the first `limit` events after that point; without,
   * the latest `limit` events.
   */
  list(q: EventQuery = {}): BerthEvent[] {
    const params = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
    return (this.#cache.get(eventSql(q)).all(params) as EventRow[]).map(eventFromRow);
  }
}
