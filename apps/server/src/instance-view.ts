import type { InstanceView } from '@berth/contracts';
import { type Instance, primaryHttpPort, type Store } from '@berth/core';

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
export function toInstanceView(ctx: ViewContext, inst: Instance): InstanceView {
  const ports = ctx.ports(inst.id);
  const template = ctx.store.templates.find(inst.template)?.template;
  const primary = template ? primaryHttpPort(template) : undefined;
  const port = primary ? ports[primary.name] : undefined;
  return {
    ...inst,
    ports,
    url: port === undefined ? null : `http://${ctx.publicHost}:${port}/`,
    proxyUrl: port === undefined ? null : `http://${inst.name}.localhost:${ctx.proxyPort()}/`,
  };
}
