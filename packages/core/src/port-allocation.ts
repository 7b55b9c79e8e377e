import { Conflict, InvalidInput, type PortConflict } from './errors.js';
import type { Instance } from './instance.js';
import { type Asker, exhausted, type PortChooser, pinOf, rangeWords } from './port-choice.js';
import type { PortLease } from './port-lease.js';
import type { PortLeases } from './port-leases.js';
import type { PortView } from './port-view.js';
import type { PortSpec, Template } from './template.js';

export type LeaseOwner = Pick<Instance, 'id' | 'name' | 'portOverrides'>;

export interface PortMove {
  name: string;
  from: number;
  to: number;
  usedBy: string;
}

export interface Allocation {
  /** Port name → port, for every port of the template that has a lease now. */
  ports: Record<string, number>;
  /** Ports berth chose that someone else took, moved to a free one. */
  changed: PortMove[];
  /** With `deferPinned`: pinned ports left without a lease because someone holds them. */
  deferred: PortConflict[];
}

export interface AllocationRequest {
  instance: LeaseOwner;
  template: Pick<Template, 'ports'>;
  view: PortView;
  /** The instance's own process holds its leased ports (they are no conflict). */
  running: boolean;
  /**
   * Ports (by name) a deploy just failed to bind, with who took them in words: a port berth chose
   * is re-chosen even though no probe shows a holder; a pinned one stays and fails as a conflict.
   */
  refused?: ReadonlyMap<string, string> | undefined;
  /** Keep a taken pin as the pin, unleased, instead of failing (nothing starts now). */
  deferPinned?: boolean | undefined;
}

/**
 * One allocation, decided then written: pinned ports are taken as they are or conflict, ports berth
 * chose before are kept while free (sticky) and re-chosen when not, the others are chosen fresh.
 * `write` runs inside the caller's transaction; a LeaseTaken from it means "try again".
 */
export class PortAllocation {
  private readonly chosen: Record<string, number> = {};
  private readonly used = new Set<number>();
  private readonly conflicts: PortConflict[] = [];
  private readonly changed: PortMove[] = [];
  private readonly previous: Map<string, PortLease>;
  private readonly self: Asker;

  constructor(
    private readonly leases: PortLeases,
    private readonly chooser: PortChooser,
    private readonly req: AllocationRequest,
  ) {
    this.previous = leases.ofInstance(req.instance.id, req.view.host);
    this.self = { id: req.instance.id, running: req.running };
  }

  decide(): this {
    for (const spec of this.req.template.ports) {
      const pinned = pinOf(this.req.instance, spec);
      if (pinned !== undefined) this.takePinned(spec, pinned);
      else this.takeChosen(spec);
    }
    if (this.conflicts.length > 0 && !this.req.deferPinned) throw this.pinConflict();
    return this;
  }

  private takePinned(spec: PortSpec, port: number): void {
    if (!this.req.view.allows(port)) throw outsideHostRange(spec, port, this.req.view);
    const by = this.used.has(port) ? `this instance's port '${this.nameOf(port)}'` : this.heldBy(spec, port);
    if (by) this.conflicts.push(this.chooser.conflict(this.req.view, spec, port, by, this.used));
    else this.take(spec, port);
  }

  private takeChosen(spec: PortSpec): void {
    const prev = this.previous.get(spec.name);
    const sticky = prev && !this.used.has(prev.port) ? prev.port : undefined;
    const by = sticky === undefined ? undefined : this.heldBy(spec, sticky);
    this.take(spec, sticky !== undefined && !by ? sticky : this.choose(spec));
    if (sticky !== undefined && by)
      this.changed.push({ name: spec.name, from: sticky, to: this.chosen[spec.name]!, usedBy: by });
  }

  private heldBy(spec: PortSpec, port: number): string | null | undefined {
    const { view, refused } = this.req;
    return this.chooser.holder(view, spec.protocol, port, this.self) ?? refused?.get(spec.name);
  }

  private choose(spec: PortSpec): number {
    const next = this.chooser.choose(this.req.view, spec, this.used);
    if (next === null) throw exhausted(spec, this.req.view.host);
    return next;
  }

  private take(spec: PortSpec, port: number): void {
    this.chosen[spec.name] = port;
    this.used.add(port);
  }

  private nameOf(port: number): string {
    return Object.entries(this.chosen).find(([, p]) => p === port)?.[0] ?? '?';
  }

  private pinConflict(): Conflict {
    const words = this.conflicts.map((c) => `port ${c.port} (${c.name}) is in use by ${c.usedBy}`);
    return new Conflict(`Cannot use the pinned ports of ${this.req.instance.name}: ${words.join('; ')}`, {
      portConflicts: this.conflicts,
    });
  }

  /** Drops leases that moved and adds the new ones; a deferred pin gets none. */
  write(now: number): Allocation {
    const { instance, template, view } = this.req;
    for (const [name, lease] of this.previous) if (this.chosen[name] !== lease.port) this.leases.drop(lease);
    for (const spec of template.ports) {
      const port = this.chosen[spec.name];
      if (port === undefined || this.previous.get(spec.name)?.port === port) continue;
      this.leases.insert({
        host: view.host,
        protocol: spec.protocol,
        port,
        ownerKind: 'instance',
        ownerId: instance.id,
        ownerName: instance.name,
        portName: spec.name,
        createdAt: now,
      });
    }
    return { ports: { ...this.chosen }, changed: this.changed, deferred: this.conflicts };
  }
}

/**
 * A pinned port the host can never be given (a cluster's NodePort range): refused as bad input, not
 * as a conflict someone could settle by freeing it.
 */
function outsideHostRange(spec: PortSpec, port: number, view: PortView): InvalidInput {
  const template = spec.range ? `; the template's range is ${rangeWords(spec.range)}` : '';
  return new InvalidInput(
    `port ${port} ('${spec.name}') is outside the ports ${view.host} can publish (${rangeWords(view.range)})${template}`,
    {
      details: {
        field: `ports.${spec.name}`,
        port,
        hostRange: view.range,
        templateRange: spec.range ?? null,
      },
    },
  );
}
