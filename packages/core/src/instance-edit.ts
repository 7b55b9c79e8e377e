import { resolveConfig } from './config-values.js';
import type { Deployment } from './deployment.js';
import { InvalidInput, NotFound } from './errors.js';
import type { Instance } from './instance.js';
import { editedConfig } from './instance-config.js';
import { checkPins, getStoredTemplate, getTemplate, type ServiceDeps } from './instance-deps.js';
import { editedLabels, writeLabels } from './instance-labels.js';
import { checkPlacement } from './instance-placement.js';
import { assertReplicaCount, checkReplicas, desiredReplicas } from './instance-replicas.js';
import { desiredSpecOf, specChanges, unappliedChanges } from './instance-spec.js';
import { openSecrets } from './secret-box.js';
import type { StoredTemplate } from './store.js';
import type { RestartPolicy, Template } from './template.js';

/** `PATCH /instances/:id`: what to change. Left out: kept; `null`: cleared (the template's applies). */
export interface InstanceEdit {
  /** Config fields, as `updateConfig` takes them (a masked secret keeps its value). */
  config?: Record<string, unknown> | undefined;
  /** Environment variables added to the template's; `null` removes one. */
  env?: Record<string, string | null> | undefined;
  /** Pinned ports: name → port; `null` unpins. */
  ports?: Record<string, number | null> | undefined;
  replicas?: number | null | undefined;
  restart?: RestartPolicy | null | undefined;
  /** Another node to run on (the data directory does not move with it). */
  node?: string | undefined;
  /** The template's version to run (`berth upgrade`); `null`: none (the template's own command). */
  version?: string | null | undefined;
  /** Labels to set; `null` removes one. Nothing runs differently, so nothing is applied for them. */
  labels?: Record<string, string | null> | undefined;
}

export interface ApplyOptions {
  wait?: boolean | undefined;
}

/** The instance fields an edit or a rollback writes. */
type SpecFields = Pick<Instance, 'config' | 'portOverrides' | 'node'> & {
  env: Record<string, string>;
  restart: RestartPolicy | null;
  replicas: number | null;
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks the edit against the template's schema (a 400 naming the field, nothing written), stores
 * it as the instance's desired spec and, with `apply`, redeploys a running instance with it.
 */
export async function editInstance(
  d: ServiceDeps,
  inst: Instance,
  edit: InstanceEdit,
  opts: ApplyOptions & { apply?: boolean | undefined } = {},
): Promise<Instance> {
  const stored = getStoredTemplate(d, inst.template);
  const labels = edit.labels ? editedLabels(inst.labels ?? {}, edit.labels) : undefined;
  const fields = await editedFields(d, stored, inst, edit);
  const updated = await writeSpec(d, stored.template, inst, fields, 'edited');
  const labelled = labels ? writeLabels(d, updated, labels) : updated;
  return opts.apply ? applyInstance(d, labelled, { ...opts, force: updated !== inst }) : labelled;
}

async function editedFields(
  d: ServiceDeps,
  stored: StoredTemplate,
  inst: Instance,
  edit: InstanceEdit,
): Promise<SpecFields> {
  const { template } = stored;
  const node = edit.node ?? inst.node;
  const replicas = edit.replicas === undefined ? (inst.replicas ?? null) : edit.replicas;
  await checkTarget(d, stored, { node, replicas, moved: node !== inst.node });
  return {
    config: configEdit(edit) ? editedConfig(d, template, inst, configEdit(edit)!).config : inst.config,
    env: editedEnv(inst.env ?? {}, edit.env ?? {}),
    portOverrides: edit.ports ? editedPins(template, inst.portOverrides, edit.ports) : inst.portOverrides,
    replicas,
    restart: edit.restart === undefined ? (inst.restart ?? null) : edit.restart,
    node,
  };
}

/** The config fields an edit changes: its `config`, with `version` (stored as config `version`). */
function configEdit(edit: InstanceEdit): Record<string, unknown> | undefined {
  if (edit.version === undefined) return edit.config;
  return { ...edit.config, version: edit.version };
}

/** The node an instance moves to exists and runs its template; its replica count fits the node. */
async function checkTarget(
  d: ServiceDeps,
  stored: StoredTemplate,
  t: { node: string; replicas: number | null; moved: boolean },
): Promise<void> {
  const { template } = stored;
  if (t.moved) {
    try {
      d.runtimes.hostOf(t.node);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      throw new InvalidInput(`node '${t.node}' does not exist`, { details: { field: 'node' } });
    }
    checkPlacement(d.runtimes, t.node, template);
  }
  if (t.replicas !== null) assertReplicaCount(t.replicas);
  await checkReplicas(d.runtimes, t.node, stored, desiredReplicas(template, { replicas: t.replicas }));
}

function editedEnv(current: Record<string, string>, input: Record<string, string | null>) {
  const env = { ...current };
  for (const [name, value] of Object.entries(input)) {
    if (!ENV_NAME.test(name)) {
      throw new InvalidInput(
        `env.${name}: a variable name is letters, digits and _, not starting with a digit`,
        {
          details: { field: `env.${name}` },
        },
      );
    }
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

function editedPins(
  template: Template,
  current: Record<string, number>,
  input: Record<string, number | null>,
) {
  const pins = { ...current };
  for (const [name, port] of Object.entries(input)) {
    if (port === null) delete pins[name];
    else pins[name] = port;
  }
  checkPins(template, pins);
  return pins;
}

/**
 * Writes the fields in one transaction: through the port ledger when pins change on the same node
 * (a taken port is the create's 409, naming its holder); a move releases the leases on the old
 * node's host, and the deploy on the new one leases there. The event names what changed.
 */
async function writeSpec(
  d: ServiceDeps,
  template: Template,
  inst: Instance,
  fields: SpecFields,
  what: string,
): Promise<Instance> {
  const changed = specChanges(
    desiredSpecOf(template, inst),
    desiredSpecOf(template, { ...inst, ...fields }),
    d.secrets,
  );
  if (changed.length === 0) return inst;
  const patch = { ...fields, updatedAt: d.clock.now() };
  const write = () => d.store.instances.update(inst.id, patch);
  const moved = fields.node !== inst.node;
  let updated: Instance;
  if (moved) {
    updated = d.store.transaction(() => {
      d.ledger.release(inst.id);
      return write();
    });
  } else if (changed.some((c) => c.startsWith('ports.'))) {
    const host = d.runtimes.hostOf(inst.node);
    updated = await d.ledger.pin(inst, template, { host, pins: fields.portOverrides, record: write });
  } else updated = write();
  const when = updated.status === 'running' ? 'not applied yet' : 'takes effect at the next start';
  emitChange(d, updated, `${what}: ${changed.join(', ')} (${when})`, changed);
  return updated;
}

function emitChange(d: ServiceDeps, inst: Instance, message: string, changed: string[]): void {
  d.events.emit({
    type: 'instance.config',
    instanceId: inst.id,
    instanceName: inst.name,
    message,
    data: { changed },
  });
}

/**
 * Redeploys a running instance with its stored spec when it differs from what runs (or, `force`,
 * when what runs is not known): a replica count alone through the scale path (in place where the
 * runtime scales), anything else by the reconciler's rollout (rolling where the runtime scales and
 * runs several replicas, else stop → start). Otherwise nothing to do: a stopped instance runs its
 * spec at its next start.
 */
export async function applyInstance(
  d: ServiceDeps,
  inst: Instance,
  opts: ApplyOptions & { force?: boolean } = {},
): Promise<Instance> {
  if (inst.desiredState !== 'running' || inst.status !== 'running') return inst;
  const dep = currentDeployment(d, inst);
  const changes = unappliedChanges(getTemplate(d, inst.template), inst, dep, d.secrets);
  if (changes.length === 0 && (dep?.spec || !opts.force)) return inst;
  const action = changes.length > 0 && changes.every((c) => c === 'replicas') ? 'scale' : 'rollout';
  const how = action === 'scale' ? 'scaling' : 'redeploying';
  emitChange(d, inst, `applying ${changes.join(', ') || 'the stored spec'}: ${how}`, changes);
  const done = d.reconciler.enqueue(inst.id, action);
  if (opts.wait) await done;
  else done.catch(() => undefined);
  return d.store.instances.find(inst.id) ?? inst;
}

function currentDeployment(d: ServiceDeps, inst: Instance): Deployment | undefined {
  return inst.currentDeploymentId ? d.store.deployments.find(inst.currentDeploymentId) : undefined;
}

/**
 * Makes an earlier deployment's spec the instance's again and applies it. Without an id: the
 * newest deployment whose spec differs from what runs now (or, stopped, from the stored spec).
 */
export async function rollbackInstance(
  d: ServiceDeps,
  inst: Instance,
  deploymentId: string | undefined,
  opts: ApplyOptions = {},
): Promise<Instance> {
  const stored = getStoredTemplate(d, inst.template);
  const { template } = stored;
  const target = deploymentId ? namedTarget(d, inst, deploymentId) : previousTarget(d, template, inst);
  const spec = target.spec!;
  // The template may have changed since: the old config must still fit it.
  resolveConfig(template, openSecrets(spec.config, d.secrets));
  const replicas = spec.replicas === template.replicas ? null : spec.replicas;
  await checkTarget(d, stored, { node: spec.node, replicas, moved: spec.node !== inst.node });
  const { config, env, pins: portOverrides, node, restart } = spec;
  const fields: SpecFields = { config, env, portOverrides, node, restart, replicas };
  const updated = await writeSpec(d, template, inst, fields, `rolled back to deployment ${target.id}`);
  return applyInstance(d, updated, { ...opts, force: true });
}

function namedTarget(d: ServiceDeps, inst: Instance, id: string): Deployment {
  const dep = d.store.deployments.find(id);
  if (!dep || dep.instanceId !== inst.id) throw new NotFound('deployment', id);
  if (dep.spec) return dep;
  throw new InvalidInput(`deployment ${id} was recorded before berth kept what each deployment ran`, {
    details: { field: 'deployment' },
  });
}

function previousTarget(d: ServiceDeps, template: Template, inst: Instance): Deployment {
  const now = currentDeployment(d, inst)?.spec ?? desiredSpecOf(template, inst);
  const found = d.store.deployments
    .listByInstance(inst.id, 100)
    .find((dep) => dep.spec && specChanges(dep.spec, now, d.secrets).length > 0);
  if (found) return found;
  throw new InvalidInput(`${inst.name} has no earlier deployment that ran a different spec`, {
    details: { field: 'deployment' },
  });
}
