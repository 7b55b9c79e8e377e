import type { Listener, ListenerProbe, PortSource, TakenPort } from '@berth/core';
import { SsListenerProbe } from './ss-listener-probe.js';

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
 * probe, so 100 parallel allocations cost one `ss`; a list may also be reused for `ttlMs`.
 */
export class LocalListenerSource implements PortSource {
  readonly name = 'listeners';
  private readonly ttlMs: number;
  private readonly hosts: Set<string>;
  private readonly now: () => number;
  private cached: { at: number; ports: TakenPort[] } | undefined;
  private inflight: Promise<TakenPort[]> | undefined;

  constructor(
    private readonly probe: ListenerProbe = new SsListenerProbe(),
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

  private async refresh(): Promise<TakenPort[]> {
    const ports = toTakenPorts(await this.probe.listeners());
    this.cached = { at: this.now(), ports };
    return ports;
  }
}

/** One TakenPort per protocol/port, preferring the listener whose owner is visible. */
export function toTakenPorts(listeners: Listener[]): TakenPort[] {
  const byKey = new Map<string, Listener>();
  for (const l of listeners) {
    const key = `${l.protocol}/${l.port}`;
    const seen = byKey.get(key);
    if (!seen || (seen.pid === null && l.pid !== null)) byKey.set(key, l);
  }
  return [...byKey.values()].map((l) => ({
    port: l.port,
    protocol: l.protocol,
    usedBy: describeListener(l),
    kind: 'process',
    ...(l.pid !== null ? { pid: l.pid } : {}),
  }));
}

export function describeListener(l: Listener): string {
  if (l.pid !== null) return l.process ? `process ${l.process} (pid ${l.pid})` : `process with pid ${l.pid}`;
  return `a process on port ${l.port} (owner not visible)`;
}
