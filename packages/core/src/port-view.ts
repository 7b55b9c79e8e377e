import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Protocol, TakenPort } from './port-lease.js';
import { RecentViews } from './recent-views.js';

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
  /**
   * The only ports `host` can be given at all, when its port space is not a machine's but a
   * cluster's with rules of its own (a Kubernetes cluster's NodePort range); undefined: any port.
   */
  range?(host: string): PortRange | undefined;
}

/** An inclusive range of ports, [from, to]. */
export type PortRange = readonly [number, number];

/** The ports both ranges allow (one missing: the other), or undefined when they do not meet. */
export function intersectRanges(a: PortRange | undefined, b: PortRange | undefined): PortRange | undefined {
  if (!a || !b) return a ?? b;
  const from = Math.max(a[0], b[0]);
  const to = Math.min(a[1], b[1]);
  return from <= to ? [from, to] : undefined;
}

/** A port on a host, by protocol. */
export type PortRef = readonly [Protocol, number];

/** The key a view files a port under: `tcp/8080`. */
export const portKey = (protocol: Protocol, port: number): string => `${protocol}/${port}`;

/**
 * Which holder a view keeps when several sources report one port: the one a person recognises. A
 * container's port is also a listening process (docker-proxy), and a listener also has
 * connections on its port.
 */
const HOLDER_RANK: Record<TakenPort['kind'], number> = {
  connection: 0,
  process: 1,
  container: 2,
  service: 2,
  scan: 2,
  reserved: 2,
};

type Held = { taken: TakenPort; source: PortSource };

/**
 * The ports taken on one host by anything other than berth's leases, as the sources reported them
 * at `readAt`: who holds each one, and which source said so (to ask it for the holder's name).
 * A view made by `derive` shares its base's ports without copying them: what it changes (`forget`,
 * `name`) is its own, so one reading can serve several callers (see RecentViews).
 */
export class PortView {
  private readonly ports = new Map<string, Held>();
  /** Keys this view forgot that its base still reports. */
  private readonly forgotten = new Set<string>();

  constructor(
    readonly host: string,
    readonly readAt: number,
    /** The only ports the host can be given (see `PortSource.range`); undefined: any. */
    readonly range?: PortRange,
    private readonly base?: PortView,
  ) {}

  /** A view of the same reading whose own changes leave this one as it is; O(1). */
  derive(): PortView {
    return new PortView(this.host, this.readAt, this.range, this);
  }

  /** Whether the host can be given the port at all. */
  allows(port: number): boolean {
    return !this.range || (port >= this.range[0] && port <= this.range[1]);
  }

  /** The holder of `tcp/8080` (a `portKey`), if any. */
  get(key: string): TakenPort | undefined {
    return this.held(key)?.taken;
  }

  has(key: string): boolean {
    return this.held(key) !== undefined;
  }

  at(protocol: Protocol, port: number): TakenPort | undefined {
    return this.get(portKey(protocol, port));
  }

  sourceOf(protocol: Protocol, port: number): PortSource | undefined {
    return this.held(portKey(protocol, port))?.source;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.all()) n++;
    return n;
  }

  /** Every taken port, keyed by `portKey`. */
  *entries(): IterableIterator<[string, TakenPort]> {
    for (const [k, v] of this.all()) yield [k, v.taken];
  }

  values(): TakenPort[] {
    return [...this.all()].map(([, v]) => v.taken);
  }

  /** Records a holder unless a more recognisable one already holds the port. */
  offer(taken: TakenPort, source: PortSource): void {
    const seen = this.get(portKey(taken.protocol, taken.port));
    if (!seen || HOLDER_RANK[taken.kind] > HOLDER_RANK[seen.kind]) this.name(taken, source);
  }

  /** Drops what the sources said of a port: its holder is known to be the asker's own workload. */
  forget(protocol: Protocol, port: number): void {
    const key = portKey(protocol, port);
    this.ports.delete(key);
    if (this.base) this.forgotten.add(key);
  }

  /** Records `taken` as the port's holder, replacing any other (a holder the source has named). */
  name(taken: TakenPort, source: PortSource): void {
    this.ports.set(portKey(taken.protocol, taken.port), { taken, source });
  }

  private held(key: string): Held | undefined {
    return this.ports.get(key) ?? (this.forgotten.has(key) ? undefined : this.base?.held(key));
  }

  private *all(): IterableIterator<[string, Held]> {
    yield* this.ports;
    if (!this.base) return;
    for (const entry of this.base.all())
      if (!this.ports.has(entry[0]) && !this.forgotten.has(entry[0])) yield entry;
  }
}

/** Reads PortViews from the sources, and names the holders of the ports a caller must describe. */
export class PortViewReader {
  private readonly recent: RecentViews;

  constructor(
    private readonly sources: PortSource[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.recent = new RecentViews(clock);
  }

  addSource(source: PortSource): void {
    this.sources.push(source);
  }

  /**
   * Everything non-lease that holds a port on the host, asked of every source in parallel. Holders
   * are named (`usedBy`) for the ports in `describe`: the ports a caller may have to report as
   * taken. The others may carry a source's placeholder words. A failing source is logged and left out.
   * With `maxAgeMs`, a reading of the host begun at most that long ago (or still under way) is used
   * instead of a new one (see RecentViews); the view returned is the caller's own either way.
   */
  async read(host: string, describe: Iterable<PortRef> = [], maxAgeMs = 0): Promise<PortView> {
    const view = (await this.recent.get(host, maxAgeMs, () => this.readSources(host))).derive();
    await this.nameHolders(view, describe);
    return view;
  }

  private async readSources(host: string): Promise<PortView> {
    const sources = [...this.sources];
    const results = await Promise.allSettled(sources.map((s) => s.taken(host)));
    const view = new PortView(host, this.clock.now(), hostRange(sources, host));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') for (const t of r.value) view.offer(t, sources[i]!);
      else
        this.log.warn({ source: sources[i]?.name, err: String(r.reason) }, 'port source failed; ignoring it');
    });
    return view;
  }

  /** Asks the sources that name holders on request to name those of the `describe` ports. */
  async nameHolders(view: PortView, describe: Iterable<PortRef>): Promise<void> {
    const bySource = new Map<PortSource, Set<TakenPort>>();
    for (const [protocol, port] of describe) {
      const taken = view.at(protocol, port);
      const source = view.sourceOf(protocol, port);
      if (!taken || !source?.owners || taken.kind === 'connection') continue;
      bySource.set(source, (bySource.get(source) ?? new Set()).add(taken));
    }
    await Promise.all([...bySource].map(([source, ports]) => this.askOwners(view, source, [...ports])));
  }

  private async askOwners(view: PortView, source: PortSource, ports: TakenPort[]): Promise<void> {
    try {
      for (const t of await source.owners!(view.host, ports)) view.name(t, source);
    } catch (err) {
      this.log.warn({ source: source.name, err: String(err) }, 'could not name the holders of ports');
    }
  }
}

/** What every source that limits the host allows (a range that does not meet the others' is ignored). */
function hostRange(sources: PortSource[], host: string): PortRange | undefined {
  let range: PortRange | undefined;
  for (const s of sources) {
    const r = s.range?.(host);
    if (r) range = intersectRanges(range, r) ?? range;
  }
  return range;
}

export interface HandOffOptions {
  /**
   * How old a handed-off view may be when its deploy asks for it. A view is the machine as it was:
   * a deploy that starts later than this (a queue backed up behind other work, a paused reconciler)
   * reads the sources again, so a port taken meanwhile is seen before the bind rather than through
   * a failed bind. Not a coupling to the create's timing: within it the hand-off always happens.
   */
  maxAgeMs: number;
  /** At most this many views are kept (each holds every taken port of a host); the oldest goes first. */
  max: number;
}

export const defaultHandOffOptions: HandOffOptions = { maxAgeMs: 2_000, max: 32 };

/**
 * Views a create leased from, kept for the first deploy of the instance it created, so that deploy
 * does not ask every source again a few ms later (each read walks the kernel's socket tables and
 * lists Docker's containers). Taken once: a later deploy, or a retry, reads the machine as it is.
 */
export class HandOffs {
  private readonly views = new Map<string, PortView>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: HandOffOptions = defaultHandOffOptions,
  ) {}

  keep(instanceId: string, view: PortView): void {
    this.views.delete(instanceId);
    this.views.set(instanceId, view);
    for (const id of this.views.keys()) {
      if (this.views.size <= this.opts.max) break;
      this.views.delete(id);
    }
  }

  /** The view handed to the instance's deploy on `host`, once, while it is fresh enough. */
  take(instanceId: string, host: string): PortView | undefined {
    const view = this.views.get(instanceId);
    this.views.delete(instanceId);
    if (!view || view.host !== host) return undefined;
    return this.clock.now() - view.readAt <= this.opts.maxAgeMs ? view : undefined;
  }

  drop(instanceId: string): void {
    this.views.delete(instanceId);
  }

  get size(): number {
    return this.views.size;
  }
}
