import type { PortSource, TakenPort } from '@berth/core';
import {
  localSocketTable,
  type ProcNetSocketTable,
  type ProcSocket,
  stateName,
  TCP_LISTEN,
} from './proc-net-sockets.js';

/**
 * The local ends of this machine's TCP connections (any state but LISTEN, TIME-WAIT included),
 * as taken ports. On Linux a port held by a connection cannot be bound by a listener: a client
 * that closed first keeps its ephemeral port in TIME-WAIT for 60 s without SO_REUSEADDR, and
 * `bind` fails with EADDRINUSE for every program, SO_REUSEADDR or not. The ephemeral range
 * (32768–60999 by default) overlaps the ports berth leases, so without this source a lease could
 * be handed a port no workload can bind (with 1,000 instances starting, about 2 % of starts).
 * They are `connection` ports: the ledger avoids them when it chooses a port, but they never make a
 * port an instance already holds (sticky or pinned) a conflict — a restarted server's own
 * TIME-WAIT sockets do not stop it from binding again. Read from /proc/net/tcp{,6}, in the same
 * read as the listener source's when both are asked at once.
 */
export class LocalSocketSource implements PortSource {
  readonly name = 'connections';

  constructor(
    private readonly hosts: Set<string> = new Set(['local']),
    private readonly table: ProcNetSocketTable = localSocketTable,
  ) {}

  async taken(host: string): Promise<TakenPort[]> {
    if (!this.hosts.has(host)) return [];
    return (await this.table.ports()).tcpConnections.map(({ port, state }) => connectionPort(port, state));
  }
}

/** One TakenPort per local port of a TCP socket that is not a listener. */
export function connectionPorts(sockets: ProcSocket[]): TakenPort[] {
  const seen = new Map<number, TakenPort>();
  for (const s of sockets) {
    if (s.protocol !== 'tcp' || s.state === TCP_LISTEN || s.port <= 0 || seen.has(s.port)) continue;
    seen.set(s.port, connectionPort(s.port, s.state));
  }
  return [...seen.values()];
}

function connectionPort(port: number, state: number): TakenPort {
  return {
    port,
    protocol: 'tcp',
    usedBy: `a TCP connection's local end (${stateName(state)}, port ${port})`,
    kind: 'connection',
  };
}
