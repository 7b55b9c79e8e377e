import type { RegistryImportResult } from '@berth/contracts';
import {
  type CreateInstanceInput,
  type FoundWorkload,
  type Instance,
  isBerthError,
  LOCAL_NODE,
  nameProblem,
  type Template,
} from '@berth/core';
import { z } from 'zod';
import { type Adoption, type AdoptionLookup, adoptionFor } from './registry-adoption.js';
import { validationError } from './validation-error.js';

/** The earlier system wrote numbers where it could (`"instance_id": 1`, `"port": "8000"`). */
const idSchema = z.union([z.string().min(1), z.number().int()]).transform(String);

const entrySchema = z.object({
  template: z.string().min(1),
  container_name: z.string().min(1).optional(),
  container_id: z.string().optional(),
  port: z.coerce.number().int().min(1).max(65535),
  instance_id: idSchema.optional(),
  project_dir: z.string().optional(),
  created_at: z.string().optional(),
  status: z.string().optional(),
  /** The map's key, when the file is a map (the seed's format). */
  key: z.string().optional(),
});
export type RegistryEntry = z.output<typeof entrySchema>;

/** `service_registry.json`: an array of entries, or a map of them keyed by name. */
const registrySchema = z.array(entrySchema);

function asList(json: unknown): unknown {
  if (Array.isArray(json) || json === null || typeof json !== 'object') return json;
  return Object.entries(json).map(([key, e]) =>
    e !== null && typeof e === 'object' && !Array.isArray(e) ? { ...(e as object), key } : e,
  );
}

export interface RegistryImportDeps extends AdoptionLookup {
  /** Creates an instance the way every create does (InstanceService: ledger, workspace, events). */
  create(input: CreateInstanceInput): Promise<Instance>;
  findInstance(name: string): Instance | undefined;
  templates(): Template[];
  /** Records a found workload as the new instance's, running, its ports leased (the reconciler). */
  takeOver(inst: Instance, found: FoundWorkload, ports: Record<string, number>): Promise<Instance>;
  /** Removes an instance whose take-over failed, as every removal does. */
  remove(name: string): Promise<void>;
}

type Outcome =
  | { kind: 'imported'; port: number }
  | { kind: 'adopted'; port: number; container: string }
  | { kind: 'skipped'; reason: string };

export type { RegistryImportResult };

/**
 * Turns a legacy `service_registry.json` into instances on the local node through the same create
 * as every other instance: each pins its old port (clients of the old system keep their address).
 * An entry whose old container still runs (see `adoptionFor` for the rule) is taken over: the
 * instance runs with that container as its workload and no second copy starts. The others are
 * stopped instances; if someone holds the old port (a native process of the old system, say) the
 * create says so and the conflict flow settles it at start. An instance whose name exists already
 * is left alone, so importing the same file twice changes nothing. Nothing is started.
 */
export async function importServiceRegistry(
  d: RegistryImportDeps,
  json: unknown,
): Promise<RegistryImportResult> {
  const parsed = registrySchema.safeParse(asList(json));
  if (!parsed.success) throw validationError(parsed.error, 'registry', 'service registry');
  const result: RegistryImportResult = { imported: [], adopted: [], skipped: [] };
  for (const entry of parsed.data) {
    const name = nameOf(entry);
    const out = await importOne(d, name, entry);
    if (out.kind === 'skipped') result.skipped.push({ name, reason: out.reason });
    else if (out.kind === 'imported')
      result.imported.push({ name, template: entry.template, port: out.port });
    else result.adopted.push({ name, template: entry.template, port: out.port, container: out.container });
  }
  return result;
}

/**
 * The name the entry had: a textual `instance_id`, else the map's key, else the container's
 * name, else `<template>-<instance_id>` — as close to it as berth's name rules allow.
 */
function nameOf(e: RegistryEntry): string {
  const textual = e.instance_id !== undefined && !/^\d+$/.test(e.instance_id) ? e.instance_id : undefined;
  const raw = textual ?? e.key ?? e.container_name ?? `${e.template}-${e.instance_id ?? ''}`;
  return toName(raw);
}

/** Imports one entry: as a stopped instance, as one running its old container, or why not. */
async function importOne(d: RegistryImportDeps, name: string, e: RegistryEntry): Promise<Outcome> {
  const problem = nameProblem(name);
  if (problem) return skipped(`the name ${problem}`);
  if (d.findInstance(name)) return skipped('an instance with this name exists already');
  const known = d.templates();
  const template = known.find((t) => t.name === e.template);
  if (!template) {
    const names = known.map((t) => t.name).sort();
    return skipped(
      `template '${e.template}' is not known to berth (templates: ${names.join(', ') || 'none'}); add it, then import again`,
    );
  }
  const port = template.ports[0];
  if (!port) return skipped(`template '${e.template}' declares no port`);
  try {
    const adoption = await adoptionFor(d, e, LOCAL_NODE, port);
    if (adoption.kind === 'refuse') return skipped(adoption.reason);
    const ports = { [port.name]: e.port };
    const inst = await d.create({
      template: template.name,
      name,
      node: LOCAL_NODE,
      ports,
      start: false,
      origin: `imported from service_registry.json (was ${e.status ?? 'unknown'}${e.container_name ? `, container ${e.container_name}` : ''})`,
    });
    if (adoption.kind === 'adopt') return await adopt(d, inst, adoption, ports);
  } catch (err) {
    if (isBerthError(err) && err.kind !== 'unauthenticated') return skipped(err.message);
    throw err;
  }
  return { kind: 'imported', port: e.port };
}

/** Takes the running container over for the new instance; when that fails, the instance goes. */
async function adopt(
  d: RegistryImportDeps,
  inst: Instance,
  adoption: Extract<Adoption, { kind: 'adopt' }>,
  ports: Record<string, number>,
): Promise<Outcome> {
  try {
    await d.takeOver(inst, adoption.found, ports);
  } catch (err) {
    await d.remove(inst.name);
    throw err;
  }
  const port = Object.values(ports)[0]!;
  return { kind: 'adopted', port, container: adoption.found.workload.name };
}

function skipped(reason: string): Outcome {
  return { kind: 'skipped', reason };
}

/** `Mem0_Instance_2` → `mem0-instance-2`: berth's name rules, as close to the old name as they allow. */
function toName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-0-9]+|-+$/g, '');
}
