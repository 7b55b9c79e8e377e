import type { Protocol } from './port-lease.js';
import { describeLease, type PortLeases } from './port-leases.js';
import { type PortView, type PortViewReader, portKey } from './port-view.js';

export interface InventoryRow {
  port: number;
  protocol: Protocol;
  ownerKind: string;
  owner: string;
  instanceId: string | null;
}

/**
 * Every taken port on the view's host, by port: leases first (they say which instance or note),
 * then what the sources report, except connections (no one chose those ports).
 */
export async function inventoryOf(
  view: PortView,
  leases: PortLeases,
  reader: PortViewReader,
): Promise<InventoryRow[]> {
  const rows = new Map<string, InventoryRow>();
  for (const l of leases.listByHost(view.host)) {
    const mine = l.ownerKind === 'instance';
    const [ownerKind, instanceId] = mine ? ['instance', l.ownerId] : ['reservation', null];
    rows.set(portKey(l.protocol, l.port), {
      port: l.port,
      protocol: l.protocol,
      ownerKind,
      owner: describeLease(l),
      instanceId,
    });
  }
  // Only ports no lease explains need their holders named (the owner walk is the slow part).
  const unexplained = view.values().filter((t) => !rows.has(portKey(t.protocol, t.port)));
  await reader.nameHolders(
    view,
    unexplained.map((t) => [t.protocol, t.port] as const),
  );
  for (const [k, t] of view.entries()) {
    if (rows.has(k) || t.kind === 'connection') continue;
    rows.set(k, { port: t.port, protocol: t.protocol, ownerKind: t.kind, owner: t.usedBy, instanceId: null });
  }
  return [...rows.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
