import type { InstanceView } from '@berth/contracts';
import { type Instance, type PortSpec, primaryHttpPort, type Store } from '@berth/core';

export interface ViewContext {
  store: Store;
  /** The instance's leased ports: name → port. */
  ports(id: string): Record<string, number>;
  /** Host name used in direct links. */
  publicHost: string;
  /** The reverse proxy's port, once it listens. */
  proxyPort(): number;
}

/** An instance as the API shows it: the record plus its ports and links. */
export function toInstanceView(
  ctx: ViewContext,
  inst: Instance,
  primaryOf: (template: string) => PortSpec | undefined = (name) => primaryPortOf(ctx, name),
  ports: Record<string, number> = ctx.ports(inst.id),
): InstanceView {
  const primary = primaryOf(inst.template);
  const port = primary ? ports[primary.name] : undefined;
  return {
    ...inst,
    ports,
    url: port === undefined ? null : `http://${ctx.publicHost}:${port}/`,
    proxyUrl: port === undefined ? null : `http://${inst.name}.localhost:${ctx.proxyPort()}/`,
  };
}

function primaryPortOf(ctx: ViewContext, name: string): PortSpec | undefined {
  const template = ctx.store.templates.find(name)?.template;
  return template ? primaryHttpPort(template) : undefined;
}

/**
 * Many instances at once: each template is read (and parsed) once, and the leases in one query,
 * not once per instance — with 1,000 instances that was most of `GET /instances` (found by bench/).
 */
export function toInstanceViews(ctx: ViewContext, list: Instance[]): InstanceView[] {
  const primaries = new Map<string, PortSpec | undefined>();
  const primaryOf = (name: string) => {
    if (!primaries.has(name)) primaries.set(name, primaryPortOf(ctx, name));
    return primaries.get(name);
  };
  if (list.length < 50) return list.map((inst) => toInstanceView(ctx, inst, primaryOf));
  const ports = new Map<string, Record<string, number>>();
  for (const l of ctx.store.leases.listAll()) {
    if (l.ownerKind !== 'instance' || !l.portName) continue;
    const own = ports.get(l.ownerId) ?? {};
    own[l.portName] = l.port;
    ports.set(l.ownerId, own);
  }
  return list.map((inst) => toInstanceView(ctx, inst, primaryOf, ports.get(inst.id) ?? {}));
}
