import type { Integration, PortSource, ScanResult, Store, TakenPort } from '@berth/core';
import { LOCAL_HOST } from './host-key.js';

/** Container states in which published ports are bound. */
const HOLDING = new Set(['running', 'restarting', 'paused']);

/**
 * The latest scan of every enabled integration that covers a host, as taken ports: each port a
 * running (or paused, or restarting) container publishes there. Disabled integrations do not count.
 */
export class ScanPortSource implements PortSource {
  readonly name = 'integration scans';

  constructor(private readonly store: Store) {}

  async taken(host: string): Promise<TakenPort[]> {
    const rows = this.store.scans.listByHost(host);
    if (rows.length === 0) return [];
    const integrations = new Map(this.store.integrations.list().map((i) => [i.id, i]));
    const out: TakenPort[] = [];
    for (const row of rows) {
      const i = integrations.get(row.integrationId);
      if (!i?.enabled || !HOLDING.has(row.state)) continue;
      for (const p of row.ports) out.push({ ...p, usedBy: describeScanned(i, row), kind: 'scan' });
    }
    return out;
  }
}

/** "Portainer 'prod' → container x on host y", "Docker integration 'd' → container x". */
export function describeScanned(
  i: Pick<Integration, 'type' | 'name'>,
  row: Pick<ScanResult, 'containerName' | 'host'>,
) {
  const where = row.host === LOCAL_HOST ? '' : ` on host ${row.host}`;
  switch (i.type) {
    case 'portainer':
      return `Portainer '${i.name}' → container ${row.containerName}${where}`;
    case 'komodo':
      return `Komodo '${i.name}' → container ${row.containerName}${where}`;
    case 'docker':
      return `Docker integration '${i.name}' → container ${row.containerName}${where}`;
  }
}
