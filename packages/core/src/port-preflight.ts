import type { PortConflict } from './errors.js';
import type { LeaseOwner } from './port-allocation.js';
import { type PortChooser, pinOf } from './port-choice.js';
import type { PortLease } from './port-lease.js';
import type { PortRef, PortView } from './port-view.js';
import type { Template } from './template.js';

export interface PreflightResult {
  canStart: boolean;
  portConflicts: (PortConflict & { pinned: boolean })[];
}

/**
 * Per port of the instance (its pin, else its lease): who holds it if not the instance itself,
 * and what to use instead. It can start unless a pinned port is taken; a taken chosen port is
 * only reported (the deploy re-chooses it).
 */
export function preflightOf(
  chooser: PortChooser,
  view: PortView,
  req: { instance: LeaseOwner; template: Pick<Template, 'ports'>; leases: PortLease[]; running: boolean },
): PreflightResult {
  const self = { id: req.instance.id, running: req.running };
  const leased = new Map(req.leases.map((l) => [l.portName, l.port]));
  const used = new Set<number>();
  const out: PreflightResult['portConflicts'] = [];
  for (const spec of req.template.ports) {
    const pinned = pinOf(req.instance, spec);
    const port = pinned ?? leased.get(spec.name);
    if (port === undefined) continue;
    const by = chooser.holder(view, spec.protocol, port, self);
    if (by) out.push({ ...chooser.conflict(view, spec, port, by, used), pinned: pinned !== undefined });
    used.add(port);
  }
  return { canStart: !out.some((c) => c.pinned), portConflicts: out };
}

/**
 * The ports of the instance that may have to be reported as taken: its pinned ones and those it
 * holds leases for (on the host asked about). A new instance holds none.
 */
export function portsToDescribe(
  instance: Pick<LeaseOwner, 'portOverrides'>,
  template: Pick<Template, 'ports'>,
  leased: ReadonlyMap<string, PortLease> = new Map(),
): PortRef[] {
  const out: PortRef[] = [];
  for (const spec of template.ports) {
    const pinned = pinOf(instance, spec);
    const held = leased.get(spec.name)?.port;
    if (pinned !== undefined) out.push([spec.protocol, pinned]);
    if (held !== undefined && held !== pinned) out.push([spec.protocol, held]);
  }
  return out;
}
