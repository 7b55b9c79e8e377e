import type { Listener, ListenerProbe, PortSource, Protocol, TakenPort } from '@berth/core';
import { ProcNetListenerProbe } from './proc-net-listener-probe.js';

/** A probe that may leave owners out of `listeners()` (finding them is slow) and name them on request. */
export interface OwnerNamingProbe extends ListenerProbe {
  /** The listeners on these ports now, with pid and process where they can be found. */
  owners?(ports: { protocol: Protocol; port: number }[]): Promise<Listener[]>;
  /**
   * The listening ports alone (no address, no owner), each once: for a probe that reads them
   * more cheaply than whole listeners (with 10,000 of them, what one create's lease would cost).
   */
  ports?(): Promise<{ protocol: Protocol; port: number }[]>;
}

export interface LocalListenerSourceOptions {
  /**
   * How long one listener list is reused, in ms. Default 0: only callers that overlap share a
   * probe, so a preflight never misses a listener opened a moment before.
   */
  ttlMs?: number;
  /** Host names that mean this machine. */
  hosts?: string[];
  now?: () => number;
}

/**
 * The port ledger's view of this machine's listeners. Concurrent callers share one in-flight
 * probe, so 100 parallel allocations cost one read of the socket tables; a list may also be
 * reused for `ttlMs`. Owners are not part of that read: `owners()` names them for the few ports
 * the ledger has to describe (a conflict, the inventory).
 */
export class LocalListenerSource implements PortSource {
  readonly name = 'listeners';
  private readonly ttlMs: number;
  private readonly hosts: Set<string>;
  private readonly now: () => number;
  private cached: { at: number; ports: TakenPort[] } | undefined;
  private inflight: Promise<TakenPort[]> | undefined;

  constructor(
    private readonly probe: OwnerNamingProbe = new ProcNetListenerProbe(),
    opts: LocalListenerSourceOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 0;
    this.hosts = new Set(opts.hosts ?? ['local']);
    this.now = opts.now ?? Date.now;
  }

  async taken(host: string): Promise<TakenPort[]> {
    if (!this.hosts.has(host)) return [];
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.ports;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * The given ports (from `taken`) with their owning processes named where visible. The probe
   * looks at the listeners on those ports as they are now; a port whose listener is gone by then
   * keeps its words.
   */
  async owners(host: string, ports: TakenPort[]): Promise<TakenPort[]> {
    if (!this.hosts.has(host) || !this.probe.owners) return ports;
    const unnamed = ports.filter((t) => t.kind === 'process' && t.pid === undefined);
    if (unnamed.length === 0) return ports;
    const named = groupByPort(await this.probe.owners(unnamed));
    return ports.map((t) => {
      const ls = named.get(`${t.protocol}/${t.port}`);
      return ls && t.pid === undefined ? toTakenPort(ls) : t;
    });
  }

  private async refresh(): Promise<TakenPort[]> {
    const ports = this.probe.ports
      ? (await this.probe.ports()).map(unnamed)
      : toTakenPorts(await this.probe.listeners());
    this.cached = { at: this.now(), ports };
    return ports;
  }
}

function groupByPort(listeners: Listener[]): Map<string, Listener[]> {
  const byKey = new Map<string, Listener[]>();
  for (const l of listeners) {
    const key = `${l.protocol}/${l.port}`;
    const seen = byKey.get(key);
    if (seen) seen.push(l);
    else byKey.set(key, [l]);
  }
  return byKey;
}

/** One port's listeners as one TakenPort, described by the first whose owner is visible. */
function toTakenPort(listeners: Listener[]): TakenPort {
  const l = listeners.find((x) => x.pid !== null) ?? listeners[0]!;
  return {
    port: l.port,
    protocol: l.protocol,
    usedBy: describeListener(l),
    kind: 'process',
    ...(l.pid !== null ? { pid: l.pid } : {}),
  };
}

/** A listening port whose owner is not looked for (what a listener without a pid is called). */
function unnamed(p: { protocol: Protocol; port: number }): TakenPort {
  return { ...p, usedBy: describeListener({ ...p, pid: null }), kind: 'process' };
}

/** One TakenPort per protocol/port, preferring the listener whose owner is visible. */
export function toTakenPorts(listeners: Listener[]): TakenPort[] {
  return [...groupByPort(listeners).values()].map(toTakenPort);
}

export function describeListener(l: Pick<Listener, 'port' | 'pid'> & Partial<Listener>): string {
  if (l.pid !== null) return l.process ? `process ${l.process} (pid ${l.pid})` : `process with pid ${l.pid}`;
  return `a process on port ${l.port} (owner not visible)`;
}
