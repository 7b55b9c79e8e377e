import type { Clock } from './clock.js';
import { Conflict, InvalidInput, NotFound, type PortConflict, StorageUnavailable } from './errors.js';
import type { Instance } from './instance.js';
import type { Logger } from './logger.js';
import { PortBitmap } from './port-bitmap.js';
import type { PortLease, Protocol, TakenPort } from './port-lease.js';
import { LeaseTaken, type Store } from './store.js';
import type { PortSpec, Template } from './template.js';

/** A place other than berth's leases that knows of taken ports: the kernel, a Docker engine, a scan. */
export interface PortSource {
  readonly name: string;
  /** Ports taken on `host`; a source that does not cover the host returns []. */
  taken(host: string): Promise<TakenPort[]>;
  /**
   * The given ports (from this source's `taken`) with their holders named, for a source that
   * leaves names out of `taken` because finding them is slow (the process behind a local
   * listener). The ledger asks only for the ports it has to describe: a conflict, the inventory.
   */
  owners?(host: string, ports: TakenPort[]): Promise<TakenPort[]>;
}

/** A port on a host, by protocol. */
export type PortRef = readonly [Protocol, number];

export interface ReservedRange {
  from: number;
  to: number;
  reason: string;
}

export interface LedgerConfig {
  globalRange: [number, number];
  reserved: ReservedRange[];
  /** Ports below 1024 are reserved unless this is set. */
  allowPrivileged: boolean;
}

export const defaultLedgerConfig: LedgerConfig = {
  globalRange: [20000, 40000],
  reserved: [],
  allowPrivileged: false,
};

export interface PreflightResult {
  canStart: boolean;
  portConflicts: (PortConflict & { pinned: boolean })[];
}

type External = Map<string, TakenPort>;
const HOLDER_RANK: Record<TakenPort['kind'], number> = {
  connection: 0,
  process: 1,
  container: 2,
  service: 2,
  scan: 2,
  reserved: 2,
};
const key = (protocol: Protocol, port: number) => `${protocol}/${port}`;

/**
 * How old (since the sources were read) a create's view may be to stand in for the deploy that
 * create started. In one request the deploy asks ~1–5 ms after the read; in a burst of creates
 * the view ages while the others are written, and past this the machine is asked again, so a
 * chosen port is checked about as close to its bind as a fresh probe would check it.
 */
const HANDOFF_MS = 50;
/** At most this many handed-off views are kept (each is a map of every taken port on a host). */
const MAX_HANDOFFS = 32;

/**
 * The one place that decides ports. Leases live in the store (unique on host+protocol+port); an
 * in-memory bitmap per host mirrors them so allocation never scans every lease; live sources
 * (listeners, containers, scans) are asked once per allocation.
 */
export class PortLedger {
  private readonly bitmaps = new Map<string, PortBitmap>();
  /**
   * Which source reported each taken port of a view, to ask it for the holder's name later. Keyed
   * by view, not by port: a WeakMap of ports saw ~2,000 per allocation, and its table (which
   * never shrinks) held 16 MB after 1,000 creates (bench 'many').
   */
  private readonly origins = new WeakMap<External, Map<TakenPort, PortSource>>();
  /** When each view's sources were read. */
  private readonly readAt = new WeakMap<External, number>();
  /** Views taken by creates, for the deploy each create started (see `handOff`). */
  private readonly handoffs = new Map<string, { host: string; at: number; ext: External }>();
  private readonly reserved: ReservedRange[];

  constructor(
    private readonly store: Store,
    private readonly sources: PortSource[],
    private readonly config: LedgerConfig,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.reserved = [
      ...(config.allowPrivileged ? [] : [{ from: 1, to: 1023, reason: 'privileged ports (below 1024)' }]),
      ...config.reserved,
    ];
  }

  addSource(source: PortSource): void {
    this.sources.push(source);
  }

  /**
   * Everything non-lease that holds a port on the host, asked of every source in parallel. Holders
   * are named (`usedBy`) for the ports in `describe`: the ports a caller may have to report as
   * taken. The others may carry a source's placeholder words.
   */
  async external(host: string, describe: Iterable<PortRef> = []): Promise<External> {
    const results = await Promise.allSettled(this.sources.map((s) => s.taken(host)));
    const map: External = new Map();
    this.readAt.set(map, this.clock.now());
    const origins = new Map<TakenPort, PortSource>();
    this.origins.set(map, origins);
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        this.log.warn(
          { source: this.sources[i]?.name, err: String(r.reason) },
          'port source failed; ignoring it',
        );
        return;
      }
      for (const t of r.value) {
        // One holder per port, the one a person recognises: a container's port is also a
        // listening process (docker-proxy), and a listener also has connections on its port.
        const seen = map.get(key(t.protocol, t.port));
        if (!seen || HOLDER_RANK[t.kind] > HOLDER_RANK[seen.kind]) {
          map.set(key(t.protocol, t.port), t);
          origins.set(t, this.sources[i]!);
        }
      }
    });
    await this.nameHolders(host, map, describe);
    return map;
  }

  /** Asks the sources that name holders on request to name those of the `describe` ports. */
  private async nameHolders(host: string, map: External, describe: Iterable<PortRef>): Promise<void> {
    const origins = this.origins.get(map);
    const wanted = [...describe].flatMap(([p, n]) => map.get(key(p, n)) ?? []);
    const bySource = new Map<PortSource, TakenPort[]>();
    for (const t of new Set(wanted)) {
      const source = origins?.get(t);
      if (!source?.owners || t.kind === 'connection') continue;
      bySource.set(source, [...(bySource.get(source) ?? []), t]);
    }
    await Promise.all(
      [...bySource].map(async ([source, ports]) => {
        try {
          for (const t of await source.owners!(host, ports)) {
            map.set(key(t.protocol, t.port), t);
            origins?.set(t, source);
          }
        } catch (err) {
          this.log.warn({ source: source.name, err: String(err) }, 'could not name the holders of ports');
        }
      }),
    );
  }

  /**
   * Lets the first allocation for `instanceId` on `host` use `ext`, the view its create leased
   * from, instead of asking every source again a few ms later (each probe reads the kernel's
   * socket tables and lists Docker's containers): for the deploy a create starts right away.
   * Only within HANDOFF_MS, and only once: a deploy that a person asks for later, or a
   * retry, sees the machine as it is then.
   */
  handOff(instanceId: string, host: string, ext: External): void {
    const now = this.clock.now();
    for (const [id, h] of this.handoffs) if (now - h.at > HANDOFF_MS) this.handoffs.delete(id);
    const at = this.readAt.get(ext) ?? now;
    if (now - at <= HANDOFF_MS && this.handoffs.size < MAX_HANDOFFS)
      this.handoffs.set(instanceId, { host, at, ext });
  }

  private takeHandoff(instanceId: string, host: string): External | undefined {
    const h = this.handoffs.get(instanceId);
    this.handoffs.delete(instanceId);
    return h && h.host === host && this.clock.now() - h.at <= HANDOFF_MS ? h.ext : undefined;
  }

  /**
   * The ports of the instance that may have to be reported as taken: its pinned ones and those it
   * holds leases for on `host`. Creating an instance passes no id (it holds nothing yet).
   */
  portsToDescribe(
    instance: { id?: string; portOverrides: Record<string, number> },
    template: Pick<Template, 'ports'>,
    host: string,
  ): PortRef[] {
    const leased = new Map(
      instance.id === undefined
        ? []
        : this.store.leases
            .listByOwner(instance.id)
            .filter((l) => l.host === host && l.portName)
            .map((l) => [l.portName!, l.port]),
    );
    const out: PortRef[] = [];
    for (const spec of template.ports) {
      const pinned = pinOf(instance, spec);
      const held = leased.get(spec.name);
      if (pinned !== undefined) out.push([spec.protocol, pinned]);
      if (held !== undefined && held !== pinned) out.push([spec.protocol, held]);
    }
    return out;
  }

  private bitmap(host: string, protocol: Protocol): PortBitmap {
    const k = `${host}|${protocol}`;
    let bm = this.bitmaps.get(k);
    if (!bm) {
      bm = new PortBitmap();
      for (const l of this.store.leases.listByHost(host)) {
        if (l.protocol === protocol) bm.add(l.port);
      }
      this.bitmaps.set(k, bm);
    }
    return bm;
  }

  private reservedReason(port: number): string | null {
    for (const r of this.reserved) if (port >= r.from && port <= r.to) return r.reason;
    return null;
  }

  /** Who holds the port, in words, or null when it is free for `self`. */
  holder(
    host: string,
    protocol: Protocol,
    port: number,
    ext: External,
    self?: { id: string; running: boolean },
  ): string | null {
    if (this.bitmap(host, protocol).has(port)) {
      const lease = this.store.leases.find(host, protocol, port);
      if (lease && lease.ownerId !== self?.id) return describeLease(lease);
      if (lease && self?.running) return null; // our own port, and our own process holds it
    }
    const reason = this.reservedReason(port);
    if (reason) return `reserved: ${reason}`;
    const t = ext.get(key(protocol, port));
    if (t?.kind === 'connection') return null; // only avoided when choosing (isFree)
    return t && !(self && t.instanceId === self.id) ? t.usedBy : null;
  }

  private isFree(
    _host: string,
    protocol: Protocol,
    port: number,
    ext: External,
    exclude: Set<number>,
  ): boolean {
    return !exclude.has(port) && !this.reservedReason(port) && !ext.has(key(protocol, port));
  }

  /** First free port in [from, to]; leases are skipped by the bitmap, other sources per port. */
  private firstFree(
    host: string,
    protocol: Protocol,
    from: number,
    to: number,
    ext: External,
    exclude: Set<number>,
  ) {
    return this.bitmap(host, protocol).firstClear(Math.max(1, from), Math.min(65535, to), (p) =>
      this.isFree(host, protocol, p, ext, exclude),
    );
  }

  /** Candidate order for a port berth chooses: preferred counting up in the range, then the global range. */
  private choose(
    host: string,
    spec: PortSpec,
    ext: External,
    exclude: Set<number>,
    after?: number,
  ): number | null {
    const [gFrom, gTo] = this.config.globalRange;
    const [rFrom, rTo] =
      spec.range ?? (spec.preferred ? [spec.preferred, Math.min(65535, spec.preferred + 999)] : [0, -1]);
    const start = Math.max(after !== undefined ? after + 1 : (spec.preferred ?? rFrom), rFrom);
    return (
      (rTo >= rFrom
        ? (this.firstFree(host, spec.protocol, start, rTo, ext, exclude) ??
          this.firstFree(host, spec.protocol, rFrom, start - 1, ext, exclude))
        : null) ??
      this.firstFree(
        host,
        spec.protocol,
        Math.max(gFrom, after !== undefined ? after + 1 : gFrom),
        gTo,
        ext,
        exclude,
      ) ??
      this.firstFree(host, spec.protocol, gFrom, gTo, ext, exclude)
    );
  }

  /** The free port berth would offer instead of `port`. */
  suggest(
    host: string,
    spec: PortSpec,
    port: number,
    ext: External,
    exclude = new Set<number>(),
  ): number | null {
    return this.choose(host, spec, ext, new Set([...exclude, port]), port);
  }

  /**
   * Gives every port of the instance a lease on `host`, in one transaction. Pinned ports
   * (overrides) that are taken fail with a Conflict listing every conflict; ports berth chose are
   * kept when still free (sticky) and re-chosen when not.
   */
  async allocate(
    instance: Pick<Instance, 'id' | 'name' | 'portOverrides'>,
    template: Pick<Template, 'ports'>,
    host: string,
    opts: {
      running?: boolean;
      /**
       * Ports (by name) a deploy just failed to bind, with who took them in words: a port berth
       * chose is re-chosen even though no probe shows a holder (it came and went between our look
       * and the bind); a pinned one stays and fails as a conflict.
       */
      refused?: ReadonlyMap<string, string>;
    } = {},
  ): Promise<{
    ports: Record<string, number>;
    changed: { name: string; from: number; to: number; usedBy: string }[];
  }> {
    const describe = this.portsToDescribe(instance, template, host);
    const handed = opts.refused ? undefined : this.takeHandoff(instance.id, host);
    if (handed) await this.nameHolders(host, handed, describe);
    const ext = handed ?? (await this.external(host, describe));
    return this.withRetry(() =>
      this.store.transaction(() =>
        this.allocateWith(instance, template, host, ext, opts.running ?? false, opts.refused),
      ),
    );
  }

  /**
   * Runs fn (which leases) again when another writer won a port between our check and our insert:
   * the unique index is the final judge, the bitmap learns the port, the next try picks another.
   */
  withRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        // A transaction the store could not commit was rolled back: the bitmaps may hold ports it
        // had marked; read them again from the leases that did persist.
        if (err instanceof StorageUnavailable) this.invalidate();
        if (!(err instanceof LeaseTaken) || attempt >= 20) throw err;
        this.bitmap(err.host, err.protocol).add(err.port);
      }
    }
  }

  /** Synchronous core of allocate, for callers that lease inside their own transaction. */
  allocateWith(
    instance: Pick<Instance, 'id' | 'name' | 'portOverrides'>,
    template: Pick<Template, 'ports'>,
    host: string,
    ext: External,
    running: boolean,
    refused?: ReadonlyMap<string, string>,
    opts: { deferPinned?: boolean } = {},
  ): {
    ports: Record<string, number>;
    changed: { name: string; from: number; to: number; usedBy: string }[];
    /** With `deferPinned`: pinned ports left without a lease because someone holds them. */
    deferred: PortConflict[];
  } {
    const self = { id: instance.id, running };
    const previous = new Map(
      this.store.leases
        .listByOwner(instance.id)
        .filter((l) => l.host === host && l.portName)
        .map((l) => [l.portName!, l]),
    );
    const chosen: Record<string, number> = {};
    const used = new Set<number>();
    const conflicts: PortConflict[] = [];
    const changed: { name: string; from: number; to: number; usedBy: string }[] = [];
    for (const spec of template.ports) {
      const pinned = pinOf(instance, spec);
      if (pinned !== undefined) {
        const by = used.has(pinned)
          ? `this instance's port '${portNameOf(chosen, pinned)}'`
          : (this.holder(host, spec.protocol, pinned, ext, self) ?? refused?.get(spec.name));
        if (by) {
          conflicts.push(this.conflict(host, spec, pinned, by, ext, used));
          continue;
        }
        chosen[spec.name] = pinned;
        used.add(pinned);
        continue;
      }
      const prev = previous.get(spec.name);
      if (prev && !used.has(prev.port)) {
        const by = this.holder(host, spec.protocol, prev.port, ext, self) ?? refused?.get(spec.name);
        if (!by) {
          chosen[spec.name] = prev.port;
          used.add(prev.port);
          continue;
        }
        const next = this.choose(host, spec, ext, used);
        if (next === null) throw exhausted(spec, host);
        changed.push({ name: spec.name, from: prev.port, to: next, usedBy: by });
        chosen[spec.name] = next;
        used.add(next);
        continue;
      }
      const next = this.choose(host, spec, ext, used);
      if (next === null) throw exhausted(spec, host);
      chosen[spec.name] = next;
      used.add(next);
    }
    if (conflicts.length > 0 && !opts.deferPinned) {
      const words = conflicts.map((c) => `port ${c.port} (${c.name}) is in use by ${c.usedBy}`).join('; ');
      throw new Conflict(`Cannot use the pinned ports of ${instance.name}: ${words}`, {
        portConflicts: conflicts,
      });
    }
    // Write: drop leases that moved, add the new ones.
    const now = this.clock.now();
    for (const [name, lease] of previous) {
      if (chosen[name] !== lease.port) this.dropLease(lease);
    }
    for (const spec of template.ports) {
      const port = chosen[spec.name];
      // A deferred pin: the conflict flow settles it when the instance starts.
      if (port === undefined) continue;
      const prev = previous.get(spec.name);
      if (prev && prev.port === port) continue;
      this.store.leases.insert({
        host,
        protocol: spec.protocol,
        port,
        ownerKind: 'instance',
        ownerId: instance.id,
        ownerName: instance.name,
        portName: spec.name,
        createdAt: now,
      });
      this.bitmap(host, spec.protocol).add(port);
    }
    return { ports: chosen, changed, deferred: conflicts };
  }

  private conflict(
    host: string,
    spec: PortSpec,
    port: number,
    usedBy: string,
    ext: External,
    used: Set<number>,
  ): PortConflict {
    const suggestedPort = this.suggest(host, spec, port, ext, used);
    if (suggestedPort !== null) used.add(suggestedPort);
    return {
      name: spec.name,
      envVar: spec.env ?? null,
      port,
      protocol: spec.protocol,
      usedBy,
      suggestedPort,
    };
  }

  /** Per port of the instance: is it free, and if not, who has it and what to use instead. */
  async preflight(
    instance: Pick<Instance, 'id' | 'name' | 'portOverrides'>,
    template: Pick<Template, 'ports'>,
    host: string,
    running: boolean,
  ): Promise<PreflightResult> {
    const ext = await this.external(host, this.portsToDescribe(instance, template, host));
    const self = { id: instance.id, running };
    const leases = new Map(this.store.leases.listByOwner(instance.id).map((l) => [l.portName, l]));
    const used = new Set<number>();
    const out: PreflightResult['portConflicts'] = [];
    for (const spec of template.ports) {
      const pinned = pinOf(instance, spec);
      const port = pinned ?? leases.get(spec.name)?.port;
      if (port === undefined) continue;
      const by = this.holder(host, spec.protocol, port, ext, self);
      if (by) out.push({ ...this.conflict(host, spec, port, by, ext, used), pinned: pinned !== undefined });
      used.add(port);
    }
    return { canStart: !out.some((c) => c.pinned), portConflicts: out };
  }

  /** Checks that `port` can be pinned for the instance; throws a Conflict naming its holder if not. */
  async assertAvailable(
    instance: Pick<Instance, 'id' | 'name'>,
    spec: PortSpec,
    port: number,
    host: string,
    running: boolean,
  ) {
    const ext = await this.external(host, [[spec.protocol, port]]);
    const by = this.holder(host, spec.protocol, port, ext, { id: instance.id, running });
    if (by) {
      const c = this.conflict(host, spec, port, by, ext, new Set());
      throw new Conflict(`Port ${port} is in use by ${by}`, { portConflicts: [c] });
    }
  }

  /** `count` free ports on a host in [from, to]. */
  async free(
    host: string,
    count: number,
    from: number,
    to: number,
    protocol: Protocol = 'tcp',
  ): Promise<number[]> {
    const ext = await this.external(host);
    const out: number[] = [];
    const exclude = new Set<number>();
    let p = from;
    while (out.length < count) {
      const next = this.firstFree(host, protocol, p, to, ext, exclude);
      if (next === null) break;
      out.push(next);
      p = next + 1;
    }
    return out;
  }

  /** Every taken port on a host: leases, reserved-by-hand, listeners, containers, scans. */
  async inventory(
    host: string,
  ): Promise<
    { port: number; protocol: Protocol; ownerKind: string; owner: string; instanceId: string | null }[]
  > {
    const ext = await this.external(host);
    const rows = new Map<
      string,
      { port: number; protocol: Protocol; ownerKind: string; owner: string; instanceId: string | null }
    >();
    for (const l of this.store.leases.listByHost(host)) {
      rows.set(key(l.protocol, l.port), {
        port: l.port,
        protocol: l.protocol,
        ownerKind: l.ownerKind === 'instance' ? 'instance' : 'reservation',
        owner: describeLease(l),
        instanceId: l.ownerKind === 'instance' ? l.ownerId : null,
      });
    }
    // Only ports no lease explains need their holders named (the owner walk is the slow part).
    await this.nameHolders(
      host,
      ext,
      [...ext.values()]
        .filter((t) => !rows.has(key(t.protocol, t.port)))
        .map((t) => [t.protocol, t.port] as const),
    );
    for (const [k, t] of ext) {
      if (!rows.has(k) && t.kind !== 'connection')
        rows.set(k, {
          port: t.port,
          protocol: t.protocol,
          ownerKind: t.kind,
          owner: t.usedBy,
          instanceId: null,
        });
    }
    return [...rows.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  }

  /** Reserves a port by hand (not for an instance). */
  async reserve(host: string, port: number, note: string, protocol: Protocol = 'tcp'): Promise<PortLease> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidInput(`port ${port} is not a port number (1–65535)`, { details: { field: 'port' } });
    }
    const ext = await this.external(host, [[protocol, port]]);
    const by = this.holder(host, protocol, port, ext);
    if (by)
      throw new Conflict(`Port ${port} on ${host} is in use by ${by}`, { details: { port, usedBy: by } });
    const lease: PortLease = {
      host,
      protocol,
      port,
      ownerKind: 'reservation',
      ownerId: `reservation:${protocol}/${port}`,
      ownerName: note || 'reserved by hand',
      portName: null,
      createdAt: this.clock.now(),
    };
    try {
      this.store.leases.insert(lease);
    } catch (err) {
      if (err instanceof LeaseTaken)
        throw new Conflict(`Port ${port} on ${host} was just taken`, { cause: err });
      throw err;
    }
    this.bitmap(host, protocol).add(port);
    return lease;
  }

  /** Releases a hand-made reservation; instance leases are released by removing the instance. */
  unreserve(host: string, port: number, protocol: Protocol = 'tcp'): void {
    const lease = this.store.leases.find(host, protocol, port);
    if (lease?.ownerKind !== 'reservation') {
      throw new NotFound('reservation', `${protocol}/${port} on ${host}`);
    }
    this.dropLease(lease);
  }

  /** Drops every lease the instance holds. */
  release(instanceId: string): void {
    this.handoffs.delete(instanceId);
    for (const l of this.store.leases.deleteByOwner(instanceId))
      this.bitmap(l.host, l.protocol).delete(l.port);
  }

  /** Moves one of the instance's ports: used by port-override, inside the caller's transaction. */
  private dropLease(lease: PortLease): void {
    this.store.leases.delete(lease.host, lease.protocol, lease.port);
    this.bitmap(lease.host, lease.protocol).delete(lease.port);
  }

  /** Forget cached bitmaps (after the store was changed by someone else, e.g. an import). */
  invalidate(): void {
    this.bitmaps.clear();
  }
}

function describeLease(l: PortLease): string {
  return l.ownerKind === 'instance' ? `berth instance ${l.ownerName}` : `reserved by hand (${l.ownerName})`;
}

function portNameOf(chosen: Record<string, number>, port: number): string {
  return Object.entries(chosen).find(([, p]) => p === port)?.[0] ?? '?';
}

function exhausted(spec: PortSpec, host: string) {
  return new Conflict(`No free ${spec.protocol} port left for '${spec.name}' on ${host}`, {
    code: 'PORTS_EXHAUSTED',
  });
}

/**
 * The port an instance pins for a port of its template: its own override, else the template's
 * fixed port (a compose file's `"8080:80"`). Pinned ports are never re-chosen; a taken one is a
 * conflict the operator settles.
 */
export function pinOf(
  instance: Pick<Instance, 'portOverrides'>,
  spec: Pick<PortSpec, 'name' | 'fixed' | 'preferred'>,
): number | undefined {
  return instance.portOverrides[spec.name] ?? (spec.fixed ? spec.preferred : undefined);
}
