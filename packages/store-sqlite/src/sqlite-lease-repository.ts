import { type LeaseRepository, LeaseTaken, type PortLease, type Protocol } from '@berth/core';
import type Database from 'better-sqlite3';
import { insertSql } from './insert-sql.js';
import { isConstraint } from './sqlite-errors.js';

interface LeaseRow {
  host: string;
  protocol: string;
  port: number;
  owner_kind: string;
  owner_id: string;
  owner_name: string;
  port_name: string | null;
  created_at: number;
}

type Key = [host: string, protocol: Protocol, port: number];

export function leaseFromRow(r: LeaseRow): PortLease {
  return {
    host: r.host,
    protocol: r.protocol as Protocol,
    port: r.port,
    ownerKind: r.owner_kind as PortLease['ownerKind'],
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    portName: r.port_name,
    createdAt: r.created_at,
  };
}

export function leaseToRow(l: PortLease): LeaseRow {
  return {
    host: l.host,
    protocol: l.protocol,
    port: l.port,
    owner_kind: l.ownerKind,
    owner_id: l.ownerId,
    owner_name: l.ownerName,
    port_name: l.portName,
    created_at: l.createdAt,
  };
}

const ORDER = 'ORDER BY host, protocol, port';

export class SqliteLeaseRepository implements LeaseRepository {
  readonly #byHost: Database.Statement<[string], LeaseRow>;
  readonly #all: Database.Statement<[], LeaseRow>;
  readonly #hosts: Database.Statement<[], { host: string }>;
  readonly #find: Database.Statement<Key, LeaseRow>;
  readonly #byOwner: Database.Statement<[string], LeaseRow>;
  readonly #insert: Database.Statement<[LeaseRow]>;
  readonly #delete: Database.Statement<Key>;
  readonly #deleteByOwner: Database.Statement<[string], LeaseRow>;

  constructor(db: Database.Database) {
    this.#byHost = db.prepare(`SELECT * FROM leases WHERE host = ? ${ORDER}`);
    this.#all = db.prepare(`SELECT * FROM leases ${ORDER}`);
    this.#hosts = db.prepare('SELECT DISTINCT host FROM leases ORDER BY host');
    this.#find = db.prepare('SELECT * FROM leases WHERE host = ? AND protocol = ? AND port = ?');
    this.#byOwner = db.prepare(`SELECT * FROM leases WHERE owner_id = ? ${ORDER}`);
    this.#insert = db.prepare(
      insertSql('leases', [
        'host',
        'protocol',
        'port',
        'owner_kind',
        'owner_id',
        'owner_name',
        'port_name',
        'created_at',
      ]),
    );
    this.#delete = db.prepare('DELETE FROM leases WHERE host = ? AND protocol = ? AND port = ?');
    this.#deleteByOwner = db.prepare('DELETE FROM leases WHERE owner_id = ? RETURNING *');
  }

  listByHost(host: string): PortLease[] {
    return this.#byHost.all(host).map(leaseFromRow);
  }

  listAll(): PortLease[] {
    return this.#all.all().map(leaseFromRow);
  }

  hosts(): string[] {
    return this.#hosts.all().map((r) => r.host);
  }

  find(host: string, protocol: Protocol, port: number): PortLease | undefined {
    const row = this.#find.get(host, protocol, port);
    return row && leaseFromRow(row);
  }

  listByOwner(ownerId: string): PortLease[] {
    return this.#byOwner.all(ownerId).map(leaseFromRow);
  }

  insert(l: PortLease): void {
    try {
      this.#insert.run(leaseToRow(l));
    } catch (err) {
      if (isConstraint(err, 'PRIMARYKEY')) throw new LeaseTaken(l.host, l.protocol, l.port);
      throw err;
    }
  }

  delete(host: string, protocol: Protocol, port: number): boolean {
    return this.#delete.run(host, protocol, port).changes > 0;
  }

  /** Returns what it deleted, ordered like the lists. */
  deleteByOwner(ownerId: string): PortLease[] {
    return this.#deleteByOwner.all(ownerId).map(leaseFromRow).sort(compareLeases);
  }
}

function compareLeases(a: PortLease, b: PortLease): number {
  return compareText(a.host, b.host) || compareText(a.protocol, b.protocol) || a.port - b.port;
}

/** Byte order, as SQLite's BINARY collation sorts. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
