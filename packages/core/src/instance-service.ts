import type { Deployment } from './deployment.js';
import { Conflict, InvalidInput, NotFound } from './errors.js';
import type { Instance } from './instance.js';
import { type BulkActionName, type BulkOutcome, type BulkSelector, runBulk } from './instance-bulk.js';
import { sealStoredSecrets, updateConfig } from './instance-config.js';
import { type CreateInstanceInput, recordNewInstance } from './instance-create.js';
import { checkPins, getTemplate, type ServiceDeps } from './instance-deps.js';
import { applyInstance, editInstance, type InstanceEdit, rollbackInstance } from './instance-edit.js';
import { refuseExternal } from './instance-external.js';
import { readPorts, readPortsOfMany } from './instance-ports.js';
import { scaleInstance } from './instance-replicas.js';
import { unappliedChanges } from './instance-spec.js';
import type { PreflightResult } from './port-ledger.js';
import type { FoundWorkload } from './reconciler.js';
import type { InstanceFilter } from './store.js';
import type { Template } from './template.js';

export * from './instance-bulk.js';
export type { CreateInstanceInput } from './instance-create.js';
export type { ServiceDeps } from './instance-deps.js';
export type { InstanceEdit } from './instance-edit.js';
export * from './instance-labels.js';

type Wait = { wait?: boolean };

/**
 * What the API and CLI ask of berth for instances. It changes desired state and records; the
 * reconciler does the rest.
 */
export class InstanceService {
  constructor(private readonly d: ServiceDeps) {}

  /** By id or by name. */
  get(idOrName: string): Instance {
    const inst = this.d.store.instances.find(idOrName) ?? this.d.store.instances.findByName(idOrName);
    if (!inst) throw new NotFound('instance', idOrName);
    return inst;
  }

  list(filter?: InstanceFilter): Instance[] {
    return this.d.store.instances.list(filter);
  }

  /**
   * Records the instance and leases its ports; unless `start: false`, starts its deploy, and with
   * `wait` resolves once that deploy is done (rejecting as it does).
   */
  async create(input: CreateInstanceInput, opts: Wait = {}): Promise<Instance> {
    const inst = await recordNewInstance(this.d, input);
    this.d.events.emit({
      type: 'instance.created',
      instanceId: inst.id,
      instanceName: inst.name,
      message: `created from template ${inst.template} on ${inst.node}${input.origin ? `; ${input.origin}` : ''}`,
      data: { ports: this.ports(inst.id) },
    });
    if (inst.desiredState === 'running') {
      if (opts.wait) await this.d.reconciler.enqueue(inst.id);
      else this.d.reconciler.kick(inst.id);
    }
    return this.get(inst.id);
  }

  /** The instance's ports: name → its leased port, or its pin while that waits for a start. */
  ports(id: string): Record<string, number> {
    return readPorts(this.d.store, id);
  }

  /** `ports` of every instance of a list, reading neither the instances again nor a template twice. */
  portsOfMany(list: readonly Instance[]): Map<string, Record<string, number>> {
    return readPortsOfMany(this.d.store, list);
  }

  private isRunning(inst: Instance): boolean {
    return inst.status === 'running' || inst.status === 'stopping';
  }

  async start(idOrName: string, opts: Wait = {}): Promise<Instance> {
    let inst = this.get(idOrName);
    refuseExternal(inst, 'start');
    const template = getTemplate(this.d, inst.template);
    if (!this.isRunning(inst)) await this.refusePinnedConflicts(inst, template);
    inst = this.d.reconciler.prepareStart(inst, {
      desiredState: 'running',
      restartCount: 0,
      nextRetryAt: null,
    });
    return this.act(inst, 'converge', opts.wait);
  }

  /** A pinned port someone else holds stops a start: the operator chooses (the 409's conflict list). */
  private async refusePinnedConflicts(inst: Instance, template: Template): Promise<void> {
    const host = this.d.runtimes.hostOf(inst.node);
    const pre = await this.d.ledger.preflight(inst, template, { host, running: false });
    const pinned = pre.portConflicts.filter((c) => c.pinned);
    if (pinned.length === 0) return;
    const words = pinned.map((c) => `port ${c.port} (${c.name}) is in use by ${c.usedBy}`).join('; ');
    const portConflicts = pinned.map(({ pinned: _, ...c }) => c);
    this.d.events.emit({
      type: 'instance.port-conflict',
      instanceId: inst.id,
      instanceName: inst.name,
      message: `start refused: ${words}`,
      data: { portConflicts },
    });
    throw new Conflict(`Cannot start ${inst.name}: ${words}`, { portConflicts });
  }

  async stop(idOrName: string, opts: Wait = {}): Promise<Instance> {
    // A pending retry's nextRetryAt stays for the converge, which cancels it and says so.
    const inst = this.d.store.instances.update(this.refused(idOrName, 'stop').id, {
      desiredState: 'stopped',
    });
    this.d.reconciler.abortDeploy(inst.id);
    return this.act(inst, 'converge', opts.wait);
  }

  async restart(idOrName: string, opts: Wait = {}): Promise<Instance> {
    const inst = this.d.store.instances.update(this.refused(idOrName, 'restart').id, {
      desiredState: 'running',
    });
    return this.act(inst, 'restart', opts.wait);
  }

  async kill(idOrName: string, opts: Wait = {}): Promise<Instance> {
    const inst = this.d.store.instances.update(this.refused(idOrName, 'kill').id, {
      desiredState: 'stopped',
      nextRetryAt: null,
    });
    return this.act(inst, 'kill', opts.wait ?? true);
  }

  /** The instance, unless it is external (409: berth does not run it). */
  private refused(idOrName: string, action: string): Instance {
    const inst = this.get(idOrName);
    refuseExternal(inst, action);
    return inst;
  }

  private async act(
    inst: Instance,
    action: 'converge' | 'restart' | 'kill',
    wait = false,
  ): Promise<Instance> {
    const done = this.d.reconciler.enqueue(inst.id, action);
    if (wait) await done;
    else done.catch(() => undefined);
    return this.get(inst.id);
  }

  /**
   * Stops and removes the workload, deletes the data directory (and the data a cluster runtime
   * keeps: a Swarm volume, a Kubernetes claim) unless `keepData`, then releases the ports and deletes
   * the records. Folders that cannot be removed safely (a symlink swapped in) are refused first,
   * with nothing changed; the folders go before the record, so a refusal never leaves a record-less folder.
   */
  async remove(idOrName: string, opts: { volumes?: boolean; keepData?: boolean } = {}): Promise<void> {
    const found = this.get(idOrName);
    const logDir = this.d.workspace.logDir(found.id);
    const dirs = opts.keepData ? [logDir] : [found.dataDir, logDir];
    for (const dir of dirs) await this.d.workspace.checkRemovable?.(dir);
    const inst = this.d.store.instances.update(found.id, { desiredState: 'stopped' });
    this.d.reconciler.abortDeploy(inst.id);
    // An external instance runs nowhere berth reaches: only its record (and folders) go.
    if (inst.status !== 'external') await this.d.reconciler.enqueue(inst.id, 'destroy', opts);
    for (const dir of dirs) await this.d.workspace.remove(dir);
    this.d.store.transaction(() => {
      this.d.ledger.release(inst.id);
      this.d.store.instances.delete(inst.id);
    });
    this.d.events.emit({
      type: 'instance.removed',
      instanceId: inst.id,
      instanceName: inst.name,
      message: 'removed',
      data: {},
    });
  }

  /**
   * One action on every instance a selector names (exactly one of names, template, labels, all),
   * each answering for itself: a failure never stops the rest (instance-bulk.ts).
   */
  bulk(action: BulkActionName, selector: BulkSelector, opts: Wait = {}): Promise<BulkOutcome[]> {
    return runBulk(this.d, this, action, selector, opts);
  }

  /** A workload another system named `name` on the node, whoever started it (for an import). */
  findNamed(node: string, name: string): Promise<FoundWorkload | undefined> {
    return this.d.reconciler.findNamed(node, name);
  }

  /**
   * Makes a new, stopped instance run a workload an earlier system still runs instead of starting
   * a second copy: the ports it publishes (`ports`) leased, the workload recorded as its deployment.
   */
  takeOver(idOrName: string, found: FoundWorkload, ports: Record<string, number>): Promise<Instance> {
    return this.d.reconciler.takeOver(this.get(idOrName), found, ports);
  }

  async preflight(idOrName: string): Promise<PreflightResult> {
    const inst = this.get(idOrName);
    const template = getTemplate(this.d, inst.template);
    return this.d.ledger.preflight(inst, template, {
      host: this.d.runtimes.hostOf(inst.node),
      running: this.isRunning(inst),
    });
  }

  /** Pins one port of this instance (never the template's shared settings) and moves its lease. */
  async overridePort(idOrName: string, name: string, port: number): Promise<Instance> {
    const inst = this.refused(idOrName, 'pin a port of');
    const template = getTemplate(this.d, inst.template);
    if (!template.ports.some((p) => p.name === name))
      throw new InvalidInput(`template '${template.name}' has no port named '${name}'`, {
        details: { field: 'name' },
      });
    checkPins(template, { [name]: port });
    const previous = this.ports(inst.id)[name];
    const updated = await this.d.ledger.pin(inst, template, {
      host: this.d.runtimes.hostOf(inst.node),
      pins: { ...inst.portOverrides, [name]: port },
      // Asked again even when it is the pin already: the conflict flow's "use 18001 instead?".
      check: name,
      record: (pins) =>
        this.d.store.instances.update(inst.id, { portOverrides: pins, updatedAt: this.d.clock.now() }),
    });
    this.d.events.emit({
      type: 'instance.ports',
      instanceId: inst.id,
      instanceName: inst.name,
      message: `port ${name} pinned to ${port}${previous !== undefined ? ` (was ${previous})` : ''}`,
      data: { name, from: previous ?? null, to: port },
    });
    return updated;
  }

  /** Sets the instance's replica count and scales it in place if it runs (see instance-replicas.ts). */
  scale(idOrName: string, replicas: number, opts: Wait = {}): Promise<Instance> {
    return scaleInstance(this.d, this.refused(idOrName, 'scale'), replicas, opts);
  }

  /** See `updateConfig` in instance-config.ts: masked secrets keep their stored value. */
  updateConfig(idOrName: string, input: Record<string, unknown>): Instance {
    return updateConfig(this.d, this.get(idOrName), input);
  }

  /** Seals `secret` values still stored in clear, of one template's instances or all; how many changed. */
  sealStoredSecrets(templateName?: string): number {
    return sealStoredSecrets(this.d, templateName);
  }

  /**
   * Changes the instance's desired spec (config, env, pins, replicas, restart policy, node), checked
   * against its template; with `apply`, a running instance is redeployed with it (instance-edit.ts).
   */
  edit(idOrName: string, edit: InstanceEdit, opts: Wait & { apply?: boolean } = {}): Promise<Instance> {
    return editInstance(this.d, this.get(idOrName), edit, opts);
  }

  /** Redeploys a running instance whose stored spec differs from what runs; otherwise nothing. */
  apply(idOrName: string, opts: Wait = {}): Promise<Instance> {
    return applyInstance(this.d, this.refused(idOrName, 'apply'), { ...opts, force: true });
  }

  /** Runs an earlier deployment's spec again (the newest that differs from what runs, by default). */
  rollback(idOrName: string, deploymentId?: string, opts: Wait = {}): Promise<Instance> {
    return rollbackInstance(this.d, this.refused(idOrName, 'roll back'), deploymentId, opts);
  }

  /** Fields of the stored spec that differ from what the running instance runs ("changes not applied"). */
  unapplied(inst: Instance): string[] {
    if (inst.status !== 'running' || !inst.currentDeploymentId) return [];
    const template = this.d.store.templates.find(inst.template)?.template;
    return this.unappliedOf(inst, template, this.d.store.deployments.find(inst.currentDeploymentId));
  }

  /** `unapplied` with its template and current deployment in hand (a list reads them once). */
  unappliedOf(inst: Instance, template: Template | undefined, dep: Deployment | undefined): string[] {
    if (inst.status !== 'running' || !template) return [];
    return unappliedChanges(template, inst, dep, this.d.secrets);
  }

  deployments(idOrName: string, limit = 50): Deployment[] {
    return this.d.store.deployments.listByInstance(this.get(idOrName).id, limit);
  }
}
