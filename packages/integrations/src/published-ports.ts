import type { PublishedPort } from '@berth/core';

/** Docker's port entry, as the Engine API, Portainer's proxy and Komodo all spell it. */
export interface EnginePort {
  IP?: string | null;
  PrivatePort?: number;
  PublicPort?: number | null;
  Type?: string;
}

/** The distinct host ports (IPv4 and IPv6 bindings of one port count once); sctp is left out. */
export function publishedPorts(ports: readonly EnginePort[] | null | undefined): PublishedPort[] {
  const seen = new Set<string>();
  const out: PublishedPort[] = [];
  for (const p of ports ?? []) {
    if (!p.PublicPort || (p.Type !== 'tcp' && p.Type !== 'udp')) continue;
    const key = `${p.Type}/${p.PublicPort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ port: p.PublicPort, protocol: p.Type });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** The first of Docker's names without its leading slash, or a short id. */
export function containerName(names: readonly string[] | undefined, id: string): string {
  return (names?.[0] ?? id.slice(0, 12)).replace(/^\//, '');
}
