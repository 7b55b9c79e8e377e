import { resolveConfig } from './config-values.js';
import { Conflict, InvalidInput } from './errors.js';
import type { Instance } from './instance.js';
import { checkPins, getStoredTemplate, type ServiceDeps } from './instance-deps.js';
import { isExternal } from './instance-external.js';
import { assertLabels } from './instance-labels.js';
import { checkPlacement } from './instance-placement.js';
import { assertReplicaCount, checkReplicas, desiredReplicas } from './instance-replicas.js';
import { assertName } from './names.js';
import { LOCAL_NODE } from './node.js';
import { sealSecrets } from './secret-box.js';
import type { Template } from './template.js';

export interface CreateInstanceInput {
  template: string;
  name?: string | undefined;
  config?: Record<string, unknown> | undefined;
  /** The template's version to run (stored as config `version`); an unknown one is a 400 listing the known. */
  version?: string | undefined;
  /** Pinned ports: port name → host port. */
  ports?: Record<string, number> | undefined;
  node?: string | undefined;
  /** This instance's replica count (default: the template's); refused where the node's runtime cannot scale. */
  replicas?: number | undefined;
  /** Start right away (default true). */
  start?: boolean | undefined;
  /** Labels (`team=web`), checked as Kubernetes checks label keys and values. */
  labels?: Record<string, string> | undefined;
  /** Where the instance came from, for its created event ("imported from …"). */
  origin?: string | undefined;
}

interface NewRecord {
  template: Template;
  input: CreateInstanceInput;
  node: string;
  config: Instance['config'];
  pins: Record<string, number>;
  /** When the request came: the record's createdAt, whatever the lease waited for. */
  now: number;
}

/**
 * Records a new instance with its leases and data directory, or nothing: a directory that
 * cannot be made takes the record and its leases back. Starting it is the caller's step.
 */
export async function recordNewInstance(d: ServiceDeps, input: CreateInstanceInput): Promise<Instance> {
  const rec = await checkNew(d, input);
  if (isExternal(rec.template)) {
    // Nothing runs here, so nothing is leased: its ports are the external service's.
    const instance = d.store.transaction(() => insertNew(d, rec));
    await makeDataDir(d, instance);
    return instance;
  }
  const { instance } = await d.ledger.leaseForNew(rec.template, {
    host: d.runtimes.hostOf(rec.node),
    pins: rec.pins,
    // Nothing starts now: a pinned port someone holds is kept as the pin, unleased, and
    // settled by the conflict flow at start (the API's answer names the holder).
    deferPinned: input.start === false,
    // The deploy this create starts runs next on the instance's chain: its lease check (sticky
    // ports) takes the view just read instead of reading the machine again.
    handOff: input.start !== false,
    record: () => insertNew(d, rec),
  });
  await makeDataDir(d, instance);
  return instance;
}

/** The request's template, node, name, config and pins, refused before anything is leased. */
async function checkNew(d: ServiceDeps, input: CreateInstanceInput): Promise<NewRecord> {
  const stored = getStoredTemplate(d, input.template);
  const { template } = stored;
  const node = input.node ?? LOCAL_NODE;
  // The node registry knows every node (NotFound otherwise), not the store's records alone.
  d.runtimes.hostOf(node);
  if (input.name !== undefined) assertName('instance', input.name);
  if (input.labels) assertLabels(input.labels);
  const asked = input.version === undefined ? input.config : { ...input.config, version: input.version };
  const config = sealSecrets(template, resolveConfig(template, asked), d.secrets);
  const pins = input.ports ?? {};
  checkPins(template, pins);
  if (isExternal(template)) {
    refuseForExternal(input);
    return { template, input, node, config, pins, now: d.clock.now() };
  }
  checkPlacement(d.runtimes, node, template);
  if (input.replicas !== undefined) assertReplicaCount(input.replicas);
  await checkReplicas(d.runtimes, node, stored, desiredReplicas(template, { replicas: input.replicas }));
  return { template, input, node, config, pins, now: d.clock.now() };
}

/** What an external instance cannot have: pinned ports (its ports are where it listens), replicas. */
function refuseForExternal(input: CreateInstanceInput): void {
  const field =
    input.ports && Object.keys(input.ports).length > 0
      ? 'ports'
      : input.replicas !== undefined
        ? 'replicas'
        : undefined;
  if (!field) return;
  throw new InvalidInput(
    `template ${input.template} is external (a service berth does not run): an instance takes no ${field}`,
    { details: { field } },
  );
}

async function makeDataDir(d: ServiceDeps, inst: Instance): Promise<void> {
  try {
    await d.workspace.create(inst.dataDir);
  } catch (err) {
    d.store.transaction(() => {
      d.ledger.release(inst.id);
      d.store.instances.delete(inst.id);
    });
    throw err;
  }
}

/** The new instance's record, written inside the create's lease transaction. */
function insertNew(d: ServiceDeps, rec: NewRecord): Instance {
  const { template, input } = rec;
  checkRoomFor(d, template);
  const name = input.name ?? nextName(d, template.name);
  if (d.store.instances.findByName(name)) {
    throw new Conflict(`an instance named '${name}' already exists`, { code: 'NAME_TAKEN' });
  }
  const stopped = input.start === false;
  const external = isExternal(template);
  const instance: Instance = {
    id: d.newId(),
    name,
    template: template.name,
    node: rec.node,
    config: rec.config,
    portOverrides: rec.pins,
    desiredState: stopped || external ? 'stopped' : 'running',
    status: external ? 'external' : stopped ? 'stopped' : 'pending',
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: d.workspace.instanceDir(template.name, name),
    ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
    ...(input.labels && Object.keys(input.labels).length > 0 ? { labels: input.labels } : {}),
    createdAt: rec.now,
    updatedAt: rec.now,
  };
  d.store.instances.insert(instance);
  return instance;
}

/** Counted inside the lease transaction, so two creates cannot both take the last place. */
function checkRoomFor(d: ServiceDeps, template: Template): void {
  const max = template.maxInstances;
  if (max === undefined || d.store.instances.countByTemplate(template.name) < max) return;
  throw new Conflict(`template '${template.name}' allows at most ${max} instance${max === 1 ? '' : 's'}`, {
    code: 'MAX_INSTANCES',
  });
}

/** Smallest free `<template>-<n>`. */
function nextName(d: ServiceDeps, template: string): string {
  const taken = new Set(d.store.instances.namesWithPrefix(`${template}-`));
  for (let n = 1; ; n++) {
    const name = `${template}-${n}`;
    if (!taken.has(name)) return name.length <= 63 ? name : assertName('instance', name);
  }
}
