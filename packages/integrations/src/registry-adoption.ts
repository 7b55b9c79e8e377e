import type { FoundWorkload, PortSpec } from '@berth/core';

/** What the import does about an entry's old container. */
export type Adoption =
  | { kind: 'none' }
  | { kind: 'adopt'; found: FoundWorkload }
  | { kind: 'refuse'; reason: string };

export interface AdoptionLookup {
  /** The workload named `name` on the node (its container runtime), or undefined. */
  findNamed(node: string, name: string): Promise<FoundWorkload | undefined>;
}

/** The fields of a registry entry that name its old container and its port. */
export interface EntryRef {
  container_name?: string | undefined;
  key?: string | undefined;
  port: number;
}

/**
 * Whether an entry's container still runs, and whether berth takes it over instead of starting a
 * second copy. The rule: a container named exactly as the entry's `container_name` (else the
 * registry's key for it, the old system's own name) that is running AND publishes the entry's port
 * on the host. Both, because each alone is weak: the engine keeps names unique, but a name can be
 * reused by another service on another port; a port says who listens now, not that it is this
 * entry's service (a port alone, or a native process on it, is left to the ledger's conflict flow,
 * which names the holder at start). A running container with the name that fails the rule is
 * refused (the entry is skipped, so nothing runs twice), as is one carrying a berth marker: a
 * berth installation owns that one.
 */
export async function adoptionFor(
  d: AdoptionLookup,
  e: EntryRef,
  node: string,
  spec: Pick<PortSpec, 'protocol'>,
): Promise<Adoption> {
  for (const name of new Set([e.container_name, e.key])) {
    if (name === undefined) continue;
    const found = await d.findNamed(node, name);
    // A stopped container is nothing to take over: the instance starts berth's own, as for an entry with none.
    if (found?.workload.running) return judge(found, e.port, spec.protocol);
  }
  return { kind: 'none' };
}

function judge(found: FoundWorkload, port: number, protocol: 'tcp' | 'udp'): Adoption {
  const w = found.workload;
  if (w.owner !== null) {
    return refuse(`container ${w.name} is running and belongs to a berth installation; it is not taken over`);
  }
  if (!w.published.some((p) => p.port === port && p.protocol === protocol)) {
    const ports = w.published.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'no port';
    return refuse(
      `container ${w.name} is running but publishes ${ports}, not ${port}/${protocol}: berth takes over a container only when its name and port both match the entry; correct the entry or stop the container, then import again`,
    );
  }
  return { kind: 'adopt', found };
}

function refuse(reason: string): Adoption {
  return { kind: 'refuse', reason };
}
