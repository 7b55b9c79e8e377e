import type { Deployment } from './deployment.js';
import type { BerthEvent, NewEvent } from './event.js';
import type { Instance, InstanceStatus } from './instance.js';
import type { Integration, ScanResult } from './integration.js';
import type { NodeRecord } from './node.js';
import type { PortLease, Protocol } from './port-lease.js';
import type { Template } from './template.js';
import type { TemplateOrigin } from './template-origin.js';

/**
 * Persistence, as core needs it. Synchronous on purpose: the embedded store (SQLite) is, and a
 * synchronous transaction is what makes "check free + lease" atomic without locks.
 */
export interface Store {
  templates: TemplateRepository;
  instances: InstanceRepository;
  deployments: DeploymentRepository;
  leases: LeaseRepository;
  nodes: NodeRepository;
  events: EventRepository;
  settings: SettingsRepository;
  tokens: TokenRepository;
  integrations: IntegrationRepository;
  scans: ScanRepository;
  /** Runs fn in one transaction; a throw rolls everything back. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface StoredTemplate {
  template: Template;
  /** A file of the templates folder, or the API. */
  origin: TemplateOrigin;
  updatedAt: number;
}

export interface TemplateRepository {
  list(): StoredTemplate[];
  find(name: string): StoredTemplate | undefined;
  upsert(t: StoredTemplate): void;
  delete(name: string): boolean;
}

export interface InstanceFilter {
  template?: string;
  status?: InstanceStatus;
  node?: string;
}

export interface InstanceRepository {
  list(filter?: InstanceFilter): Instance[];
  find(id: string): Instance | undefined;
  findByName(name: string): Instance | undefined;
  countByTemplate(template: string): number;
  /** Names starting with `<prefix>` — for picking the next `<template>-<n>`. */
  namesWithPrefix(prefix: string): string[];
  insert(i: Instance): void;
  /** Writes the given fields; returns the updated instance. */
  update(id: string, patch: Partial<Omit<Instance, 'id' | 'createdAt'>>): Instance;
  delete(id: string): void;
}

export interface DeploymentRepository {
  listByInstance(instanceId: string, limit?: number): Deployment[];
  find(id: string): Deployment | undefined;
  insert(d: Deployment): void;
  update(id: string, patch: Partial<Omit<Deployment, 'id' | 'instanceId' | 'createdAt'>>): Deployment;
}

export interface LeaseRepository {
  /** Every lease on a host — read once at start-up to build the in-memory index. */
  listByHost(host: string): PortLease[];
  listAll(): PortLease[];
  hosts(): string[];
  find(host: string, protocol: Protocol, port: number): PortLease | undefined;
  listByOwner(ownerId: string): PortLease[];
  /** Throws LeaseTaken when (host, protocol, port) is already leased. */
  insert(l: PortLease): void;
  delete(host: string, protocol: Protocol, port: number): boolean;
  deleteByOwner(ownerId: string): PortLease[];
}

/** Thrown by LeaseRepository.insert on a unique-constraint violation. */
export class LeaseTaken extends Error {
  constructor(
    readonly host: string,
    readonly protocol: Protocol,
    readonly port: number,
  ) {
    super(`port ${protocol}/${port} on ${host} is already leased`);
  }
}

export interface NodeRepository {
  list(): NodeRecord[];
  find(name: string): NodeRecord | undefined;
  upsert(n: NodeRecord): void;
  delete(name: string): boolean;
}

export interface EventQuery {
  instanceId?: string;
  sinceId?: number;
  sinceTs?: number;
  limit?: number;
}

export interface EventRepository {
  append(e: NewEvent & { ts: number }): BerthEvent;
  list(q?: EventQuery): BerthEvent[];
}

export interface SettingsRepository {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/**
 * What a token may do: `metrics` (only Prometheus' scrape of /metrics), `read` (+ every GET, logs,
 * events, stats), `operate` (+ start, stop, restart, kill), `admin` (everything, including
 * templates — which run any command — tokens, nodes, integrations and builds).
 */
export type TokenRole = 'metrics' | 'read' | 'operate' | 'admin';

export interface ApiToken {
  id: string;
  name: string;
  /** `hmac-sha256:<hex>` of the secret under the server's token key (bare SHA-256 hex from older
   * versions); the secret itself is never stored. */
  hash: string;
  role: TokenRole;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface TokenRepository {
  list(): ApiToken[];
  findByHash(hash: string): ApiToken | undefined;
  find(id: string): ApiToken | undefined;
  insert(t: ApiToken): void;
  touch(id: string, at: number): void;
  revoke(id: string, at: number): boolean;
  /** Replaces a token's stored hash (an older scheme's, on first use). */
  rehash(id: string, hash: string): void;
}

export interface IntegrationRepository {
  list(): Integration[];
  find(id: string): Integration | undefined;
  findByName(name: string): Integration | undefined;
  /** Throws Conflict when the name is taken. */
  insert(i: Integration): void;
  /** Writes the given fields; returns the updated integration; NotFound when missing. */
  update(id: string, patch: Partial<Omit<Integration, 'id' | 'createdAt'>>): Integration;
  /** Deletes the integration and its scan results. */
  delete(id: string): boolean;
}

export interface ScanRepository {
  /** Replaces everything the integration's previous scan recorded with `rows`. */
  replace(integrationId: string, rows: ScanResult[]): void;
  listByIntegration(integrationId: string): ScanResult[];
  listByHost(host: string): ScanResult[];
  listAll(): ScanResult[];
  hosts(): string[];
}
