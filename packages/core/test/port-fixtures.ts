import type { Clock } from '../src/clock.js';
import type { Instance } from '../src/instance.js';
import { silentLogger } from '../src/logger.js';
import type { PortLease, Protocol, TakenPort } from '../src/port-lease.js';
import { type LedgerConfig, PortLedger, type PortSource } from '../src/port-ledger.js';
import type { HandOffOptions } from '../src/port-view.js';
import type { ViewReuseOptions } from '../src/recent-views.js';
import { type LeaseRepository, LeaseTaken, type Store } from '../src/store.js';
import type { PortSpec } from '../src/template.js';

/**
 * Leases in memory with the store's contract: unique on host+protocol+port (LeaseTaken), and a
 * transaction that rolls every write back when its function throws.
 */
export class MemoryLeases implements LeaseRepository {
  rows = new Map<string, PortLease>();
  inserts = 0;

  private k(host: string, protocol: Protocol, port: number) {
    return `${host}|${protocol}|${port}`;
  }
  listByHost(host: string) {
    return [...this.rows.values()].filter((l) => l.host === host);
  }
  listAll() {
    return [...this.rows.values()];
  }
  hosts() {
    return [...new Set(this.listAll().map((l) => l.host))];
  }
  find(host: string, protocol: Protocol, port: number) {
    return this.rows.get(this.k(host, protocol, port));
  }
  listByOwner(ownerId: string) {
    return this.listAll().filter((l) => l.ownerId === ownerId);
  }
  insert(l: PortLease) {
    const k = this.k(l.host, l.protocol, l.port);
    if (this.rows.has(k)) throw new LeaseTaken(l.host, l.protocol, l.port);
    this.inserts++;
    this.rows.set(k, { ...l });
  }
  delete(host: string, protocol: Protocol, port: number) {
    return this.rows.delete(this.k(host, protocol, port));
  }
  deleteByOwner(ownerId: string) {
    const gone = this.listByOwner(ownerId);
    for (const l of gone) this.delete(l.host, l.protocol, l.port);
    return gone;
  }
}

/** The slice of a Store the ledger uses: its leases and transactions. */
export function memoryStore(leases = new MemoryLeases()): Store & { leases: MemoryLeases } {
  const store = {
    leases,
    transaction<T>(fn: () => T): T {
      const before = new Map(leases.rows);
      try {
        return fn();
      } catch (err) {
        leases.rows = before;
        throw err;
      }
    },
  };
  return store as unknown as Store & { leases: MemoryLeases };
}

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(public t = 1_000_000) {}
  now() {
    return this.t;
  }
  async sleep() {}
  setTimeout() {
    return () => {};
  }
  setInterval() {
    return () => {};
  }
}

/** A PortSource whose taken ports the test sets, counting reads and owner lookups. */
export class TestSource implements PortSource {
  reads = 0;
  ownerCalls: TakenPort[][] = [];
  fail: Error | null = null;
  readonly ports = new Map<string, TakenPort[]>();

  constructor(
    readonly name = 'test',
    private readonly names?: Record<number, string>,
  ) {}

  /** Marks `port` taken on `host` by `usedBy`. */
  hold(host: string, port: number, usedBy = `process p${port}`, extra: Partial<TakenPort> = {}): this {
    const list = this.ports.get(host) ?? [];
    list.push({ port, protocol: 'tcp', usedBy, kind: 'process', ...extra });
    this.ports.set(host, list);
    return this;
  }

  free(host: string, port: number): void {
    this.ports.set(
      host,
      (this.ports.get(host) ?? []).filter((t) => t.port !== port),
    );
  }

  async taken(host: string): Promise<TakenPort[]> {
    this.reads++;
    if (this.fail) throw this.fail;
    return [...(this.ports.get(host) ?? [])];
  }

  get owners() {
    const names = this.names;
    if (!names) return undefined;
    return async (_host: string, ports: TakenPort[]) => {
      this.ownerCalls.push(ports);
      return ports.map((t) => ({ ...t, usedBy: names[t.port] ?? t.usedBy }));
    };
  }
}

export const HOST = 'local';

export function ledgerWith(
  opts: {
    sources?: PortSource[];
    config?: Partial<LedgerConfig>;
    clock?: TestClock;
    store?: ReturnType<typeof memoryStore>;
    handOff?: HandOffOptions;
    reuse?: ViewReuseOptions;
  } = {},
) {
  const store = opts.store ?? memoryStore();
  const clock = opts.clock ?? new TestClock();
  const config: LedgerConfig = {
    globalRange: [20000, 40000],
    reserved: [],
    allowPrivileged: false,
    ...opts.config,
  };
  const ledger = new PortLedger(
    store,
    opts.sources ?? [],
    config,
    clock,
    silentLogger,
    opts.handOff,
    opts.reuse,
  );
  return { ledger, store, clock };
}

export function port(name: string, extra: Partial<PortSpec> = {}): PortSpec {
  return { name, protocol: 'tcp', ...extra } as PortSpec;
}

export function owner(
  id: string,
  portOverrides: Record<string, number> = {},
): Pick<Instance, 'id' | 'name' | 'portOverrides'> {
  return { id, name: id, portOverrides };
}
