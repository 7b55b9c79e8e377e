import { type InstanceListQuery, type InstanceView, SECRET_MASK } from '@berth/contracts';
import { type Instance, maskSecrets, type PortSpec, primaryHttpPort, type Store } from '@berth/core';

export interface ViewContext {
  store: Store;
  /** The instance's leased ports: name → port. */
  ports(id: string): Record<string, number>;
  /** Host name used in direct links. */
  publicHost: string;
  /** The reverse proxy's port, once it listens. */
  proxyPort(): number;
  /** Moves on whenever stored data changes (`SqliteStore.dataVersion`); without it nothing is reused. */
  dataVersion?: () => string;
}

/** An instance as the API shows it: the record (sealed config values masked) plus its ports and links. */
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
    config: maskSecrets(inst.config, SECRET_MASK),
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

/**
 * `GET /instances` as JSON bytes, built once per change of the stored data and reused until then.
 * With 1,000 instances a build is ~10 ms of reads, objects and JSON and about a megabyte of
 * garbage, and an idle fleet changes nothing (found by bench/: the build and the collections it
 * caused were the p99). Keeps the last answer only (one query at a time, usually the unfiltered one).
 */
export class InstanceListCache {
  private last: { key: string; body: Buffer } | undefined;

  constructor(
    private readonly ctx: ViewContext,
    private readonly list: (query: InstanceListQuery) => Instance[],
  ) {}

  body(query: InstanceListQuery): Buffer {
    const version = this.ctx.dataVersion?.();
    const key =
      version === undefined
        ? undefined
        : JSON.stringify([version, this.ctx.proxyPort(), query.template, query.status, query.node]);
    if (key !== undefined && this.last?.key === key) return this.last.body;
    const body = Buffer.from(JSON.stringify(toInstanceViews(this.ctx, this.list(query))));
    this.last = key === undefined ? undefined : { key, body };
    return body;
  }
}
