import type { Instance } from './instance.js';
import { pinOf } from './port-choice.js';
import type { PortLease } from './port-lease.js';
import type { Store } from './store.js';
import type { PortSpec } from './template.js';

type Ports = Record<string, number>;

/** Above this many instances one read of every lease costs less than a read per instance. */
const BULK_LEASE_READ = 50;

/**
 * An instance's ports: name → its leased port, or its pin while that waits for a start. Pure, so
 * a list computes it from leases and templates it read once for all its instances.
 */
export function portsOf(
  inst: Pick<Instance, 'status' | 'portOverrides'>,
  leases: readonly PortLease[],
  specs: readonly PortSpec[] | undefined,
): Ports {
  const out: Ports = {};
  for (const l of leases) if (l.portName) out[l.portName] = l.port;
  // A running instance holds a lease for each of its ports; one that waits for a start may not.
  if (inst.status === 'running') return out;
  // An external instance leases nothing: its ports are where the external service listens.
  if (inst.status === 'external') {
    for (const spec of specs ?? []) if (spec.preferred !== undefined) out[spec.name] = spec.preferred;
    return out;
  }
  for (const spec of specs ?? []) {
    const pin = pinOf(inst, spec);
    if (pin !== undefined) out[spec.name] ??= pin;
  }
  return out;
}

/** One instance's ports, read from the store. */
export function readPorts(store: Store, id: string): Ports {
  const leases = store.leases.listByOwner(id);
  const inst = store.instances.find(id);
  if (!inst) return portsOf({ status: 'running', portOverrides: {} }, leases, undefined);
  return portsOf(inst, leases, specsReader(store)(inst.template));
}

/**
 * The ports of many instances the caller already holds: no instance is read again, each template
 * once and only for an instance that may show pins, the leases in one read for a long list.
 */
export function readPortsOfMany(store: Store, list: readonly Instance[]): Map<string, Ports> {
  const leasesOf = leaseReader(store, list.length);
  const specsOf = specsReader(store);
  const out = new Map<string, Ports>();
  for (const inst of list) {
    const specs = inst.status === 'running' ? undefined : specsOf(inst.template);
    out.set(inst.id, portsOf(inst, leasesOf(inst.id), specs));
  }
  return out;
}

function leaseReader(store: Store, count: number): (id: string) => readonly PortLease[] {
  if (count < BULK_LEASE_READ) return (id) => store.leases.listByOwner(id);
  const byOwner = new Map<string, PortLease[]>();
  for (const l of store.leases.listAll()) {
    if (l.ownerKind !== 'instance') continue;
    const own = byOwner.get(l.ownerId);
    if (own) own.push(l);
    else byOwner.set(l.ownerId, [l]);
  }
  return (id) => byOwner.get(id) ?? [];
}

/** A template's port specs by name, each template read (and parsed) once. */
function specsReader(store: Store): (template: string) => readonly PortSpec[] | undefined {
  const seen = new Map<string, readonly PortSpec[] | undefined>();
  return (name) => {
    if (!seen.has(name)) seen.set(name, store.templates.find(name)?.template.ports);
    return seen.get(name);
  };
}
