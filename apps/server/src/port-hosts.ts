import { LOCAL_NODE, type PortLedger, type Store } from '@berth/core';

/** Every host berth knows a port on: this machine, the nodes, and whatever leases and scans name. */
export function portHosts(store: Store): string[] {
  const hosts = new Set([
    LOCAL_NODE,
    ...store.nodes.list().map((n) => n.host),
    ...store.leases.hosts(),
    ...store.scans.hosts(),
  ]);
  return [...hosts].sort((a, b) => (a === LOCAL_NODE ? -1 : b === LOCAL_NODE ? 1 : a.localeCompare(b)));
}

/** `GET /ports?allHosts=1`: each host with its inventory, asked in parallel. */
export async function inventoryOfAllHosts(ledger: PortLedger, store: Store) {
  const hosts = portHosts(store);
  const rows = await Promise.all(hosts.map((host) => ledger.inventory(host)));
  return hosts.map((host, i) => ({ host, ports: rows[i] ?? [] }));
}
