import { execFile } from 'node:child_process';
import type { PortSource, TakenPort } from '@berth/core';

/**
 * The local ends of this machine's TCP connections (any state but LISTEN, TIME-WAIT included),
 * as taken ports. On Linux a port held by a connection cannot be bound by a listener: a client
 * that closed first keeps its ephemeral port in TIME-WAIT for 60 s without SO_REUSEADDR, and
 * `bind` fails with EADDRINUSE for every program, SO_REUSEADDR or not. The ephemeral range
 * (32768–60999 by default) overlaps the ports berth leases, so without this source a lease could
 * be handed a port no workload can bind (found by the 1,000-instance benchmark: ~2 % of starts).
 * They are `connection` ports: the ledger avoids them when it chooses a port, but they never make a
 * port an instance already holds (sticky or pinned) a conflict — a restarted server's own
 * TIME-WAIT sockets do not stop it from binding again. `ss -tanH` reads the kernel's socket table
 * over netlink, without walking /proc: a few ms.
 */
export class LocalSocketSource implements PortSource {
  readonly name = 'connections';
  private inflight: Promise<TakenPort[]> | undefined;

  constructor(private readonly hosts: Set<string> = new Set(['local'])) {}

  async taken(host: string): Promise<TakenPort[]> {
    if (!this.hosts.has(host)) return [];
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private read(): Promise<TakenPort[]> {
    return new Promise((resolve) => {
      execFile('ss', ['-tanH'], { maxBuffer: 64 * 1024 * 1024, timeout: 10_000 }, (err, out) =>
        // Without ss this source has nothing to add; the listener source still works.
        resolve(err ? [] : parseConnections(out)),
      );
    });
  }
}

/** `ss -tanH` lines → one TakenPort per local port that is not a listener. */
export function parseConnections(out: string): TakenPort[] {
  const seen = new Map<number, TakenPort>();
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    const state = f[0];
    const local = f[3];
    if (!state || !local || state === 'LISTEN') continue;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!Number.isInteger(port) || port <= 0 || seen.has(port)) continue;
    seen.set(port, {
      port,
      protocol: 'tcp',
      usedBy: `a TCP connection's local end (${state}, port ${port})`,
      kind: 'connection',
    });
  }
  return [...seen.values()];
}
