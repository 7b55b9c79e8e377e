import type { Clock } from './clock.js';
import { Conflict, InvalidInput, NotFound, StorageUnavailable } from './errors.js';
import type { LeaseMirror } from './lease-mirror.js';
import type { Logger } from './logger.js';
import { type Allocation, type LeaseOwner, PortAllocation, type PortMove } from './port-allocation.js';
import { type LedgerConfig, PortChooser, pinOf } from './port-choice.js';
import { type InventoryRow, inventoryOf } from './port-inventory.js';
import type { PortLease, Protocol } from './port-lease.js';
import { PortLeases } from './port-leases.js';
import type {
  LeaseForNewOptions,
  PinOptions,
  PreflightOptions,
  ReallocateOptions,
} from './port-ledger-options.js';
import { type PreflightResult, portsToDescribe, preflightOf } from './port-preflight.js';
import {
  type HandOffOptions,
  HandOffs,
  type PortRef,
  type PortSource,
  type PortView,
  PortViewReader,
} from './port-view.js';
import type { ViewReuseOptions } from './recent-views.js';
import { LeaseTaken, type Store } from './store.js';
import type { Template } from './template.js';

export type { Allocation, LeaseOwner, PortMove } from './port-allocation.js';
export { defaultLedgerConfig, type LedgerConfig, pinOf, type ReservedRange } from './port-choice.js';
export type { InventoryRow } from './port-inventory.js';
export type {
  LeaseForNewOptions,
  PinOptions,
  PreflightOptions,
  ReallocateOptions,
} from './port-ledger-options.js';
export type { PreflightResult } from './port-preflight.js';
export {
  defaultHandOffOptions,
  type HandOffOptions,
  type PortRef,
  type PortSource,
  PortView,
} from './port-view.js';
export type { ViewReuseOptions } from './recent-views.js';

type Ports = Pick<Template, 'ports'>;

/**
 * The one place that decides ports: one entry point per use case (a new instance, a pin, a deploy's
 * re-allocation, a preflight, a hand-made reservation, the inventory). It reads a PortView of the
 * host, decides with the leases and reserved ranges, and writes leases in one transaction, trying
 * again when another writer won a port between the look and the insert.
 */
export class PortLedger {
  private readonly leases: PortLeases;
  private readonly chooser: PortChooser;
  private readonly reader: PortViewReader;
  private readonly handOffs: HandOffs;
  private readonly reuseMs: number;

  constructor(
    private readonly store: Store,
    sources: PortSource[],
    config: LedgerConfig,
    private readonly clock: Clock,
    log: Logger,
    handOff?: HandOffOptions,
    reuse?: ViewReuseOptions,
  ) {
    this.leases = new PortLeases(store);
    this.chooser = new PortChooser(this.leases, config);
    this.reader = new PortViewReader(sources, clock, log);
    this.handOffs = new HandOffs(clock, handOff);
    this.reuseMs = reuse?.maxAgeMs ?? 0;
  }

  addSource(source: PortSource): void {
    this.reader.addSource(source);
  }

  /** Keeps `mirror` (the kernel's reserved ports) holding the leases on its host, from now on. */
  mirrorTo(mirror: LeaseMirror): void {
    this.leases.mirrorTo(mirror);
  }

  /**
   * What the sources report on the host, with the holders of the `describe` ports named; with
   * `maxAgeMs`, from a reading begun at most that long ago when there is one (ViewReuseOptions).
   */
  external(host: string, describe: Iterable<PortRef> = [], maxAgeMs = 0): Promise<PortView> {
    return this.reader.read(host, describe, maxAgeMs);
  }

  /**
   * Leases every port of a new instance, written by `record` in the same transaction. A taken pin
   * fails with a Conflict naming its holder, or with `deferPinned` stays the pin, unleased.
   */
  async leaseForNew<T extends LeaseOwner>(
    template: Ports,
    opts: LeaseForNewOptions<T>,
  ): Promise<Allocation & { instance: T }> {
    const described = this.describe({ portOverrides: opts.pins }, template, opts.host);
    // Nothing pinned: every port is berth's to choose, and a recent reading may choose them.
    const maxAgeMs = described.length === 0 ? this.reuseMs : 0;
    const view = await this.external(opts.host, described, maxAgeMs);
    const out = this.leaseInTransaction(opts.record, (instance) =>
      this.allocation({ instance, template, view, running: false, deferPinned: opts.deferPinned }),
    );
    if (opts.handOff) this.handOffs.keep(out.instance.id, view);
    return out;
  }

  /**
   * Sets every pin of an instance (one left out is pinned no more) and moves its leases, `record`
   * writing it in the same transaction; pins someone holds fail as one Conflict naming each holder.
   */
  async pin<T extends LeaseOwner>(instance: LeaseOwner, template: Ports, opts: PinOptions<T>): Promise<T> {
    const { pins, host } = opts;
    const described = this.describe({ id: instance.id, portOverrides: pins }, template, host);
    const view = await this.external(host, described);
    const conflicts = this.chooser.pinConflicts(view, instance, template.ports, pins, opts.check);
    if (conflicts.length > 0) {
      const words = conflicts.map((c) => `Port ${c.port} is in use by ${c.usedBy}`).join('; ');
      throw new Conflict(words, { portConflicts: conflicts });
    }
    return this.leaseInTransaction(
      () => opts.record(pins),
      (next) => this.allocation({ instance: next, template, view, running: false }),
    ).instance;
  }

  /** A deploy's leases: sticky ports kept, taken ones re-chosen (changed), taken pins a Conflict. */
  async reallocate(instance: LeaseOwner, template: Ports, opts: ReallocateOptions): Promise<Allocation> {
    const { host, refused } = opts;
    const describe = this.describe(instance, template, host);
    const handed = refused || opts.adopted ? undefined : this.handOffs.take(instance.id, host);
    if (handed) await this.reader.nameHolders(handed, describe);
    const maxAgeMs = refused || opts.adopted || hasPins(instance, template) ? 0 : this.reuseMs;
    const view = handed ?? (await this.external(host, describe, maxAgeMs));
    for (const [protocol, port] of opts.adopted ?? []) view.forget(protocol, port);
    const running = opts.running ?? false;
    const alloc = () => this.allocation({ instance, template, view, running, refused });
    return this.withRetry(() => this.store.transaction(() => alloc().write(this.clock.now())));
  }

  /** `reallocate` under its former name and positional host. */
  allocate(
    instance: LeaseOwner,
    template: Ports,
    host: string,
    opts: Omit<ReallocateOptions, 'host'> = {},
  ): Promise<{ ports: Record<string, number>; changed: PortMove[] }> {
    return this.reallocate(instance, template, { ...opts, host });
  }

  /** Per port of the instance: is it free, and if not, who has it and what to use instead. */
  async preflight(
    instance: LeaseOwner,
    template: Ports,
    where: PreflightOptions | string,
    running = false,
  ): Promise<PreflightResult> {
    const { host, running: isRunning } = typeof where === 'string' ? { host: where, running } : where;
    const view = await this.external(host, this.describe(instance, template, host));
    const leases = this.store.leases.listByOwner(instance.id);
    return preflightOf(this.chooser, view, { instance, template, leases, running: isRunning });
  }

  /** `count` free ports on a host in [from, to]. */
  async free(host: string, count: number, from: number, to: number, protocol: Protocol = 'tcp') {
    const view = await this.external(host);
    const out: number[] = [];
    for (let p = from; out.length < count; ) {
      const next = this.chooser.firstFree(view, protocol, [p, to], new Set());
      if (next === null) break;
      out.push(next);
      p = next + 1;
    }
    return out;
  }

  /** Every taken port on a host: leases, reserved-by-hand, listeners, containers, scans. */
  async inventory(host: string): Promise<InventoryRow[]> {
    return inventoryOf(await this.external(host), this.leases, this.reader);
  }

  /** Reserves a port by hand (not for an instance). */
  async reserve(host: string, port: number, note: string, protocol: Protocol = 'tcp'): Promise<PortLease> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidInput(`port ${port} is not a port number (1–65535)`, { details: { field: 'port' } });
    }
    const by = this.chooser.holder(await this.external(host, [[protocol, port]]), protocol, port);
    if (by)
      throw new Conflict(`Port ${port} on ${host} is in use by ${by}`, { details: { port, usedBy: by } });
    const ownerId = `reservation:${protocol}/${port}`;
    const ownerName = note || 'reserved by hand';
    const lease: PortLease = {
      host,
      protocol,
      port,
      ownerKind: 'reservation',
      ownerId,
      ownerName,
      portName: null,
      createdAt: this.clock.now(),
    };
    try {
      this.leases.committed(() => this.leases.insert(lease));
    } catch (err) {
      if (err instanceof LeaseTaken)
        throw new Conflict(`Port ${port} on ${host} was just taken`, { cause: err });
      throw err;
    }
    return lease;
  }

  /** Releases a hand-made reservation; instance leases are released by removing the instance. */
  unreserve(host: string, port: number, protocol: Protocol = 'tcp'): void {
    const lease = this.store.leases.find(host, protocol, port);
    if (lease?.ownerKind !== 'reservation')
      throw new NotFound('reservation', `${protocol}/${port} on ${host}`);
    this.leases.committed(() => this.leases.drop(lease));
  }

  /** Drops one instance lease whose instance is gone (berth cleanup); NotFound for any other lease. */
  dropStale(host: string, port: number, protocol: Protocol = 'tcp'): void {
    const lease = this.store.leases.find(host, protocol, port);
    if (lease?.ownerKind !== 'instance' || this.store.instances.find(lease.ownerId))
      throw new NotFound('stale lease', `${protocol}/${port} on ${host}`);
    this.leases.committed(() => this.leases.drop(lease));
  }

  /** Drops every lease the instance holds (and a view handed to it). */
  release(instanceId: string): void {
    this.handOffs.drop(instanceId);
    this.leases.committed(() => this.leases.dropOwner(instanceId));
  }

  /** Forget cached bitmaps (after the store was changed by someone else, e.g. an import). */
  invalidate(): void {
    this.leases.invalidate();
  }

  private allocation(req: ConstructorParameters<typeof PortAllocation>[2]): PortAllocation {
    return new PortAllocation(this.leases, this.chooser, req).decide();
  }

  /** Writes the record and its leases in one transaction, run again after a lost lease race. */
  private leaseInTransaction<T extends LeaseOwner>(
    record: () => T,
    allocate: (instance: T) => PortAllocation,
  ): Allocation & { instance: T } {
    return this.withRetry(() =>
      this.store.transaction(() => {
        const instance = record();
        return { ...allocate(instance).write(this.clock.now()), instance };
      }),
    );
  }

  /** The instance's pinned ports and (with an id) those it leases on `host`: the ports to name holders of. */
  private describe(
    instance: { id?: string } & Pick<LeaseOwner, 'portOverrides'>,
    template: Ports,
    host: string,
  ) {
    const leased = instance.id === undefined ? undefined : this.leases.ofInstance(instance.id, host);
    return portsToDescribe(instance, template, leased);
  }

  /**
   * Runs fn (which leases) again when another writer won a port between our check and our insert:
   * the unique index is the final judge, the bitmap learns the port, the next try picks another.
   */
  private withRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.leases.committed(fn);
      } catch (err) {
        // A transaction the store could not commit was rolled back: the bitmaps may hold ports it
        // had marked; read them again from the leases that did persist.
        if (err instanceof StorageUnavailable) this.invalidate();
        if (!(err instanceof LeaseTaken) || attempt >= 20) throw err;
        // Ports this try marked were rolled back with it: read the host's leases again (the
        // winner's among them), so the next try neither repeats the loss nor skips those ports.
        this.leases.invalidate();
        this.leases.learn(err.host, err.protocol, err.port);
      }
    }
  }
}

/** Whether any port of the instance is pinned (by the instance, or fixed by its template). */
function hasPins(instance: Pick<LeaseOwner, 'portOverrides'>, template: Ports): boolean {
  return template.ports.some((spec) => pinOf(instance, spec) !== undefined);
}
