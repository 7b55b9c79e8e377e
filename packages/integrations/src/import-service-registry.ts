import type { RegistryImportResult } from '@berth/contracts';
import {
  type Clock,
  type Instance,
  LeaseTaken,
  LOCAL_NODE,
  nameProblem,
  type PortLedger,
  resolveConfig,
  type Store,
  type Workspace,
} from '@berth/core';
import { z } from 'zod';
import { validationError } from './validation-error.js';

const entrySchema = z.object({
  template: z.string().min(1),
  container_name: z.string().min(1).optional(),
  container_id: z.string().optional(),
  port: z.coerce.number().int().min(1).max(65535),
  instance_id: z.string().min(1).optional(),
  project_dir: z.string().optional(),
  status: z.string().optional(),
});
export type RegistryEntry = z.output<typeof entrySchema>;

/** `service_registry.json`: an array of entries, or a map of them keyed by instance id. */
const registrySchema = z.array(entrySchema);

/** A map becomes an array, each entry's key standing in for a missing instance_id. */
function asList(json: unknown): unknown {
  if (Array.isArray(json) || json === null || typeof json !== 'object') return json;
  return Object.entries(json).map(([key, e]) =>
    e !== null && typeof e === 'object' ? { instance_id: key, ...(e as object) } : e,
  );
}

export interface RegistryImportDeps {
  store: Store;
  ledger: PortLedger;
  workspace: Workspace;
  clock: Clock;
  newId: () => string;
}

export type { RegistryImportResult };

/**
 * Turns a legacy `service_registry.json` into stopped instances on the local node, each holding a
 * lease on its old port (the port stays theirs; it is not pinned). The instance is named after
 * `instance_id` (or the container); one whose name exists already is left alone, so importing the
 * same file twice changes nothing. Nothing is started: the old containers may still hold the ports.
 */
export function importServiceRegistry(d: RegistryImportDeps, json: unknown): RegistryImportResult {
  const parsed = registrySchema.safeParse(asList(json));
  if (!parsed.success) throw validationError(parsed.error, 'registry', 'service registry');
  const entries = parsed.data.map((e) => [e.instance_id ?? e.container_name ?? '', e] as const);
  const result: RegistryImportResult = { imported: [], skipped: [] };
  for (const [rawName, entry] of entries) {
    const name = toName(rawName);
    const skipped = importOne(d, name, entry);
    if (skipped) result.skipped.push({ name, reason: skipped });
    else result.imported.push({ name, template: entry.template, port: entry.port });
  }
  d.ledger.invalidate();
  return result;
}

/** Imports one entry; returns why not, or null when it was imported. */
function importOne(d: RegistryImportDeps, name: string, e: RegistryEntry): string | null {
  const problem = nameProblem(name);
  if (problem) return `the name ${problem}`;
  if (d.store.instances.findByName(name)) return 'an instance with this name exists already';
  const stored = d.store.templates.find(e.template);
  if (!stored) return `template '${e.template}' is not known to berth; add it, then import again`;
  const portSpec = stored.template.ports[0];
  if (!portSpec) return `template '${e.template}' declares no port`;
  const host = LOCAL_NODE;
  const held = d.store.leases.find(host, portSpec.protocol, e.port);
  if (held) return `port ${e.port} is leased to ${held.ownerName} already`;
  const instance = newInstance(d, name, e, stored.template);
  try {
    d.store.transaction(() => {
      d.store.instances.insert(instance);
      d.store.leases.insert({
        host,
        protocol: portSpec.protocol,
        port: e.port,
        ownerKind: 'instance',
        ownerId: instance.id,
        ownerName: name,
        portName: portSpec.name,
        createdAt: instance.createdAt,
      });
      d.store.events.append({
        ts: instance.createdAt,
        type: 'instance.created',
        instanceId: instance.id,
        instanceName: name,
        message: `${name} imported from service_registry.json (was ${e.status ?? 'unknown'})`,
        data: {
          container: e.container_name ?? null,
          containerId: e.container_id ?? null,
          projectDir: e.project_dir ?? null,
        },
      });
    });
  } catch (err) {
    if (err instanceof LeaseTaken) return `port ${e.port} was just leased to someone else`;
    throw err;
  }
  return null;
}

function newInstance(
  d: RegistryImportDeps,
  name: string,
  e: RegistryEntry,
  template: Parameters<typeof resolveConfig>[0],
): Instance {
  const now = d.clock.now();
  return {
    id: d.newId(),
    name,
    template: e.template,
    node: LOCAL_NODE,
    config: resolveConfig(template),
    portOverrides: {},
    desiredState: 'stopped',
    status: 'stopped',
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: d.workspace.instanceDir(e.template, name),
    createdAt: now,
    updatedAt: now,
  };
}

/** `Mem0_Instance_2` → `mem0-instance-2`: berth's name rules, as close to the old name as they allow. */
function toName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-0-9]+|-+$/g, '');
}
