import { Conflict } from './errors.js';
import type { Instance } from './instance.js';
import type { InventoryRow } from './port-inventory.js';
import type { Store } from './store.js';
import type { Template } from './template.js';
import { parseExternalAddress } from './template-parts.js';

/**
 * External instances (template source `external`): a service berth does not run. berth records it
 * with status `external`, keeps its config and secrets, lists its ports under the external host
 * (leasing nothing), links to it and runs its health check against that host.
 */
export function isExternal(template: Pick<Template, 'source'>): boolean {
  return template.source.kind === 'external';
}

/** Where an external template's service lives: its host, and its URL when the address is one. */
export function externalAddress(
  template: Pick<Template, 'source'>,
): { host: string; url?: string } | undefined {
  if (template.source.kind !== 'external') return undefined;
  const a = parseExternalAddress(template.source.address);
  return a ? { host: a.host, ...(a.url ? { url: a.url } : {}) } : undefined;
}

/** An external template's ports: name → the port it listens on (each port's `preferred`). */
export function externalPorts(template: Pick<Template, 'ports'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of template.ports) if (p.preferred !== undefined) out[p.name] = p.preferred;
  return out;
}

/** Start, stop, restart, kill… of an external instance: refused (409) with why. */
export function refuseExternal(inst: Pick<Instance, 'name' | 'status'>, action: string): void {
  if (inst.status !== 'external') return;
  throw new Conflict(
    `Cannot ${action} ${inst.name}: it is an external instance (a service berth does not run); ` +
      'berth keeps its record and config and checks its health. `berth rm` removes only the record.',
    { code: 'EXTERNAL_INSTANCE', details: { field: 'status' } },
  );
}

/**
 * The port inventory's rows of external instances, by external host: each port where its service
 * listens, owned by the instance (no lease: nothing is taken on this machine).
 */
export function externalPortRows(store: Store): Map<string, InventoryRow[]> {
  const out = new Map<string, InventoryRow[]>();
  for (const inst of store.instances.list()) {
    if (inst.status !== 'external') continue;
    const template = store.templates.find(inst.template)?.template;
    const where = template && externalAddress(template);
    if (!template || !where) continue;
    const rows = out.get(where.host) ?? [];
    for (const p of template.ports) {
      if (p.preferred === undefined) continue;
      rows.push({
        port: p.preferred,
        protocol: p.protocol,
        ownerKind: 'instance',
        owner: `berth instance ${inst.name} (external)`,
        instanceId: inst.id,
      });
    }
    out.set(
      where.host,
      rows.sort((a, b) => a.port - b.port),
    );
  }
  return out;
}
