import type { Clock } from './clock.js';
import { resolveConfig } from './config-values.js';
import type { Deployment } from './deployment.js';
import { Conflict, InvalidInput, NotFound } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { Instance } from './instance.js';
import { assertName } from './names.js';
import { LOCAL_NODE } from './node.js';
import { type PortLedger, type PreflightResult, pinOf } from './port-ledger.js';
import type { Reconciler } from './reconciler.js';
import type { RuntimeResolver, Workspace } from './runtime-resolver.js';
import { mergeConfig, openSecrets, type SecretBox, sealSecrets, secretFields } from './secret-box.js';
import type { InstanceFilter, Store } from './store.js';
import type { Template } from './template.js';

export interface CreateInstanceInput {
  template: string;
  name?: string | undefined;
  config?: Record<string, unknown> | undefined;
  /** Pinned ports: port name → host port. */
  ports?: Record<string, number> | undefined;
  node?: string | undefined;
  /** Start right away (default true). */
  start?: boolean | undefined;
  /** Where the instance came from, for its created event ("imported from …"). */
  origin?: string | undefined;
}

export interface ServiceDeps {
  store: Store;
  ledger: PortLedger;
  reconciler: Reconciler;
  runtimes: RuntimeResolver;
  workspace: Workspace;
  events: EventBus;
  clock: Clock;
  newId: () => string;
  /** Seals config values of fields marked `secret` before they are stored. */
  secrets?: SecretBox;
}

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

  private template(name: string): Template {
    const t = this.d.store.templates.find(name);
    if (!t) throw new NotFound('template', name);
    return t.template;
  }

  private checkPins(template: Template, ports: Record<string, number>): void {
    for (const [name, port] of Object.entries(ports)) {
      if (!template.ports.some((p) => p.name === name)) {
        throw new InvalidInput(`template '${template.name}' has no port named '${name}'`, {
          details: { field: `ports.${name}` },
        });
      }
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InvalidInput(`ports.${name} must be a port number (1–65535), got ${port}`, {
          details: { field: `ports.${name}` },
        });
      }
    }
  }

  /**
   * Records the instance and leases its ports; unless `start: false`, starts its deploy, and with
   * `wait` resolves once that deploy is done (rejecting as it does).
   */
  async create(input: CreateInstanceInput, opts: { wait?: boolean } = {}): Promise<Instance> {
    const template = this.template(input.template);
    const node = input.node ?? LOCAL_NODE;
    if (node !== LOCAL_NODE && !this.d.store.nodes.find(node)) throw new NotFound('node', node);
    if (input.name !== undefined) assertName('instance', input.name);
    const config = sealSecrets(template, resolveConfig(template, input.config), this.d.secrets);
    const pins = input.ports ?? {};
    this.checkPins(template, pins);
    const now = this.d.clock.now();
    const { instance: inst } = await this.d.ledger.leaseForNew(template, {
      host: this.d.runtimes.hostOf(node),
      pins,
      // Nothing starts now: a pinned port someone holds is kept as the pin, unleased, and
      // settled by the conflict flow at start (the API's answer names the holder).
      deferPinned: input.start === false,
      // The deploy this create starts runs next on the instance's chain: its lease check (sticky
      // ports) takes the view just read instead of reading the machine again.
      handOff: input.start !== false,
      record: () => this.insertNew(template, input, { node, config, pins, now }),
    });
    try {
      await this.d.workspace.create(inst.dataDir);
    } catch (err) {
      this.d.store.transaction(() => {
        this.d.ledger.release(inst.id);
        this.d.store.instances.delete(inst.id);
      });
      throw err;
    }
    this.d.events.emit({
      type: 'instance.created',
      instanceId: inst.id,
      instanceName: inst.name,
      message: `created from template ${template.name} on ${node}${input.origin ? `; ${input.origin}` : ''}`,
      data: { ports: this.ports(inst.id) },
    });
    if (inst.desiredState === 'running') {
      if (opts.wait) await this.d.reconciler.enqueue(inst.id);
      else this.d.reconciler.kick(inst.id);
    }
    return this.get(inst.id);
  }

  /** The new instance's record, written inside the create's lease transaction. */
  private insertNew(
    template: Template,
    input: CreateInstanceInput,
    v: Pick<Instance, 'node' | 'config'> & { pins: Record<string, number>; now: number },
  ): Instance {
    const { node, config, pins, now } = v;
    if (
      template.maxInstances !== undefined &&
      this.d.store.instances.countByTemplate(template.name) >= template.maxInstances
    ) {
      throw new Conflict(
        `template '${template.name}' allows at most ${template.maxInstances} instance${template.maxInstances === 1 ? '' : 's'}`,
        { code: 'MAX_INSTANCES' },
      );
    }
    const name = input.name ?? this.nextName(template.name);
    if (this.d.store.instances.findByName(name)) {
      throw new Conflict(`an instance named '${name}' already exists`, { code: 'NAME_TAKEN' });
    }
    const instance: Instance = {
      id: this.d.newId(),
      name,
      template: template.name,
      node,
      config,
      portOverrides: pins,
      desiredState: input.start === false ? 'stopped' : 'running',
      status: input.start === false ? 'stopped' : 'pending',
      health: null,
      errorMessage: null,
      restartCount: 0,
      lastExitCode: null,
      nextRetryAt: null,
      currentDeploymentId: null,
      dataDir: this.d.workspace.instanceDir(template.name, name),
      createdAt: now,
      updatedAt: now,
    };
    this.d.store.instances.insert(instance);
    return instance;
  }

  /** Smallest free `<template>-<n>`. */
  private nextName(template: string): string {
    const taken = new Set(this.d.store.instances.namesWithPrefix(`${template}-`));
    for (let n = 1; ; n++) {
      const name = `${template}-${n}`;
      if (!taken.has(name)) return name.length <= 63 ? name : assertName('instance', name);
    }
  }

  /** The instance's ports: name → its leased port, or its pin while that waits for a start. */
  ports(id: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.d.store.leases.listByOwner(id)) if (l.portName) out[l.portName] = l.port;
    const inst = this.d.store.instances.find(id);
    // A running instance holds a lease for each of its ports; one that waits for a start may not.
    if (!inst || inst.status === 'running') return out;
    for (const spec of this.d.store.templates.find(inst.template)?.template.ports ?? []) {
      const pin = pinOf(inst, spec);
      if (pin !== undefined) out[spec.name] ??= pin;
    }
    return out;
  }

  private isRunning(inst: Instance): boolean {
    return inst.status === 'running' || inst.status === 'stopping';
  }

  async start(idOrName: string, opts: { wait?: boolean } = {}): Promise<Instance> {
    let inst = this.get(idOrName);
    const template = this.template(inst.template);
    if (!this.isRunning(inst)) {
      const host = this.d.runtimes.hostOf(inst.node);
      const pre = await this.d.ledger.preflight(inst, template, { host, running: false });
      const pinned = pre.portConflicts.filter((c) => c.pinned);
      if (pinned.length > 0) {
        const words = pinned.map((c) => `port ${c.port} (${c.name}) is in use by ${c.usedBy}`).join('; ');
        throw new Conflict(`Cannot start ${inst.name}: ${words}`, {
          portConflicts: pinned.map(({ pinned: _, ...c }) => c),
        });
      }
    }
    inst = this.d.reconciler.prepareStart(inst, {
      desiredState: 'running',
      restartCount: 0,
      nextRetryAt: null,
    });
    return this.act(inst, 'converge', opts.wait);
  }

  async stop(idOrName: string, opts: { wait?: boolean } = {}): Promise<Instance> {
    const inst = this.d.store.instances.update(this.get(idOrName).id, {
      desiredState: 'stopped',
      nextRetryAt: null,
    });
    this.d.reconciler.abortDeploy(inst.id);
    return this.act(inst, 'converge', opts.wait);
  }

  async restart(idOrName: string, opts: { wait?: boolean } = {}): Promise<Instance> {
    const inst = this.d.store.instances.update(this.get(idOrName).id, { desiredState: 'running' });
    return this.act(inst, 'restart', opts.wait);
  }

  async kill(idOrName: string, opts: { wait?: boolean } = {}): Promise<Instance> {
    const inst = this.d.store.instances.update(this.get(idOrName).id, {
      desiredState: 'stopped',
      nextRetryAt: null,
    });
    return this.act(inst, 'kill', opts.wait ?? true);
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
   * Stops and removes the workload, deletes the data directory, then releases the ports and deletes
   * the records. Folders that cannot be removed safely (a symlink swapped in) are refused first,
   * with nothing changed; the folders go before the record, so a refusal never leaves a record-less folder.
   */
  async remove(idOrName: string, opts: { volumes?: boolean } = {}): Promise<void> {
    const found = this.get(idOrName);
    const dirs = [found.dataDir, this.d.workspace.logDir(found.id)];
    for (const dir of dirs) await this.d.workspace.checkRemovable?.(dir);
    const inst = this.d.store.instances.update(found.id, { desiredState: 'stopped' });
    this.d.reconciler.abortDeploy(inst.id);
    await this.d.reconciler.enqueue(inst.id, 'destroy', opts);
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

  async preflight(idOrName: string): Promise<PreflightResult> {
    const inst = this.get(idOrName);
    const template = this.template(inst.template);
    return this.d.ledger.preflight(inst, template, {
      host: this.d.runtimes.hostOf(inst.node),
      running: this.isRunning(inst),
    });
  }

  /** Pins one port of this instance (never the template's shared settings) and moves its lease. */
  async overridePort(idOrName: string, name: string, port: number): Promise<Instance> {
    const inst = this.get(idOrName);
    const template = this.template(inst.template);
    const spec = template.ports.find((p) => p.name === name);
    if (!spec)
      throw new InvalidInput(`template '${template.name}' has no port named '${name}'`, {
        details: { field: 'name' },
      });
    this.checkPins(template, { [name]: port });
    const previous = this.ports(inst.id)[name];
    const updated = await this.d.ledger.pin(inst, template, {
      host: this.d.runtimes.hostOf(inst.node),
      name,
      port,
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

  /**
   * Changes an instance's config for its next (re)start. A field left out keeps its value, `null`
   * clears it, and a secret sent back masked (`••••`) keeps the stored one, so a secret can be
   * replaced without ever being shown. The event names the changed fields, never their values.
   */
  updateConfig(idOrName: string, input: Record<string, unknown>): Instance {
    const inst = this.get(idOrName);
    const template = this.template(inst.template);
    const before = openSecrets(inst.config, this.d.secrets);
    const after = resolveConfig(template, mergeConfig(before, input));
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    changed.push(...Object.keys(before).filter((k) => !(k in after)));
    const config = sealSecrets(template, after, this.d.secrets);
    for (const k of Object.keys(config)) if (!changed.includes(k)) config[k] = inst.config[k]!;
    const updated = this.d.store.instances.update(inst.id, { config, updatedAt: this.d.clock.now() });
    this.d.events.emit({
      type: 'instance.config',
      instanceId: inst.id,
      instanceName: inst.name,
      message: `config changed: ${changed.join(', ') || 'nothing'} (takes effect at the next start)`,
      data: { changed },
    });
    return updated;
  }

  /**
   * Seals values of `secret` fields still stored in clear (written before berth sealed them, or a
   * field its template marks secret since), of one template's instances or all. Returns how many changed.
   */
  sealStoredSecrets(templateName?: string): number {
    let changed = 0;
    const templates = new Map<string, Template | undefined>();
    const templateOf = (name: string) => {
      if (!templates.has(name)) templates.set(name, this.d.store.templates.find(name)?.template);
      return templates.get(name);
    };
    this.d.store.transaction(() => {
      const list = this.d.store.instances.list(templateName === undefined ? {} : { template: templateName });
      for (const inst of list) {
        const template = templateOf(inst.template);
        if (!template || secretFields(template).length === 0) continue;
        const config = sealSecrets(template, inst.config, this.d.secrets);
        if (Object.keys(config).every((k) => config[k] === inst.config[k])) continue;
        this.d.store.instances.update(inst.id, { config });
        changed++;
      }
    });
    return changed;
  }

  deployments(idOrName: string, limit = 50): Deployment[] {
    return this.d.store.deployments.listByInstance(this.get(idOrName).id, limit);
  }
}
