import { externalPortRows, type InventoryRow, LOCAL_NODE, type PortLedger, type Store } from '@berth/core';

/** Every host berth knows a port on: this machine, the nodes, and whatever leases and scans name. */
export function portHosts(store: Store): string[] {
  const hosts = new Set([
    LOCAL_NODE,
    ...store.nodes.list().map((n) => n.host),
    ...store.leases.hosts(),
    ...store.scans.hosts(),
  ]);
  // External instances' hosts are listed beside them (their rows come from the records alone).
  for (const host of externalPortRows(store).keys()) hosts.add(host);
  return [...hosts].sort((a, b) => (a === LOCAL_NODE ? -1 : b === LOCAL_NODE ? 1 : a.localeCompare(b)));
}

/** `GET /ports?allHosts=1`: each host with its inventory, asked in parallel. */
export async function inventoryOfAllHosts(ledger: PortLedger, store: Store) {
  const hosts = portHosts(store);
  const external = externalPortRows(store);
  const rows = await Promise.all(hosts.map((host) => inventoryOf(ledger, store, host, external)));
  return hosts.map((host, i) => ({ host, ports: rows[i] ?? [] }));
}

/**
 * `GET /ports?host=`: the ledger's inventory of a host, with the ports external instances name
 * there (nothing leased: the service runs elsewhere); a host only external instances name is not
 * asked of the ledger at all.
 */
export async function inventoryOf(
  ledger: PortLedger,
  store: Store,
  host: string,
  external = externalPortRows(store),
): Promise<InventoryRow[]> {
  const theirs = external.get(host);
  if (!theirs) return ledger.inventory(host);
  const known =
    host === LOCAL_NODE ||
    store.nodes.list().some((n) => n.host === host) ||
    store.leases.hosts().includes(host) ||
    store.scans.hosts().includes(host);
  const ours = known ? await ledger.inventory(host) : [];
  return [...ours, ...theirs].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
