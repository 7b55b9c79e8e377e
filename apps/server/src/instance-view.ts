import { type InstanceLink, type InstanceListQuery, type InstanceView, SECRET_MASK } from '@berth/contracts';
import {
  type Deployment,
  desiredReplicas,
  externalAddress,
  type Instance,
  maskSecrets,
  type NodeRecord,
  type PortSpec,
  pinnedVersion,
  primaryHttpPort,
  proxiedPorts,
  type Store,
  type Template,
} from '@berth/core';
import { urlHost } from '@berth/runtime-docker';

export interface ViewContext {
  store: Store;
  /** The instance's ports: name → its leased port, or its pin while that waits for a start. */
  ports(id: string): Record<string, number>;
  /** `ports` of each instance of a list, computed from the list itself (`InstanceService.portsOfMany`). */
  portsOfMany(list: readonly Instance[]): Map<string, Record<string, number>>;
  /** "Changes not applied": what the stored spec changes of what runs (`InstanceService.unappliedOf`). */
  unapplied?: (inst: Instance, reads: ViewReads) => string[];
  /** A deployment by id, from where it is kept in memory (the reconciler's cache); the store's otherwise. */
  deployment?: (id: string) => Deployment | undefined;
  /** The address clients reach a node's ports at (its publicAddress; 127.0.0.1 for this machine). */
  nodeAddress(node: string): string;
  /** The reverse proxy's port, once it listens. */
  proxyPort(): number;
  /** Moves on whenever stored data changes (`SqliteStore.dataVersion`); without it nothing is reused. */
  dataVersion?: () => string;
  /** Where the instance's data directory lives on a cluster (`instanceData`); null elsewhere. */
  dataOf?: (inst: Instance, reads: ViewReads) => InstanceView['data'];
}

/**
 * The records a view reads besides the instance. A list reads each template and node once
 * (memo) and each deployment from memory: read from the store per instance, a list of 3,000 was
 * 9,000 queries, ~300 ms.
 */
export interface ViewReads {
  template(name: string): Template | undefined;
  node(name: string): NodeRecord | undefined;
  deployment(id: string | null): Deployment | undefined;
  linkPorts(template: string): LinkPorts;
  address(node: string): string;
}

/** What links a template's instances get: its proxied ports, the one the proxy serves first; and its replicas. */
interface LinkPorts {
  primary: PortSpec | undefined;
  proxied: PortSpec[];
  replicas: number;
  /** An external template's host and URL: its links go there, never through the proxy. */
  external?: { host: string; url?: string } | undefined;
}

type Lookup<T> = (key: string) => T;

/** Reads for one view (each read as asked), or for a list (`memo`: each template and node once). */
function viewReads(ctx: ViewContext, remember: <T>(fn: Lookup<T>) => Lookup<T>): ViewReads {
  const template = remember((name) => ctx.store.templates.find(name)?.template);
  const deployment = ctx.deployment ?? ((id: string) => ctx.store.deployments.find(id));
  return {
    template,
    node: remember((name) => ctx.store.nodes.find(name)),
    deployment: (id) => (id ? deployment(id) : undefined),
    linkPorts: remember((name) => linkPortsOf(template(name))),
    address: remember((node) => ctx.nodeAddress(node)),
  };
}

/**
 * An instance as the API shows it: the record (sealed config values masked) plus its ports, links
 * and the edits not applied yet.
 */
export function toInstanceView(
  ctx: ViewContext,
  inst: Instance,
  reads: ViewReads = viewReads(ctx, (fn) => fn),
  ports: Record<string, number> = ctx.ports(inst.id),
): InstanceView {
  const { primary, proxied, replicas, external } = reads.linkPorts(inst.template);
  const host = urlHost(external?.host ?? reads.address(inst.node));
  const proxyPort = ctx.proxyPort();
  const links: InstanceLink[] = [];
  for (const p of proxied) {
    const hostPort = ports[p.name];
    if (hostPort === undefined) continue;
    links.push({
      port: p.name,
      hostPort,
      primary: p.name === primary?.name,
      url: `http://${host}:${hostPort}/`,
      proxyUrl: external
        ? `http://${host}:${hostPort}/`
        : `http://${p.name}.${inst.name}.localhost:${proxyPort}/`,
    });
  }
  const main = links.find((l) => l.primary);
  const { replicas: _own, observedReplicas: _seen, env, restart, labels, ...record } = inst;
  return {
    ...record,
    version: pinnedVersion(inst) ?? null,
    env: env ?? {},
    restart: restart ?? null,
    labels: labels ?? {},
    unappliedChanges: ctx.unapplied?.(inst, reads) ?? [],
    replicas: replicasView(inst, replicas),
    config: maskSecrets(inst.config, SECRET_MASK),
    ports,
    url: external?.url ?? main?.url ?? null,
    proxyUrl: main && !external ? `http://${inst.name}.localhost:${proxyPort}/` : null,
    links,
    data: ctx.dataOf?.(inst, reads) ?? null,
    // When the current deployment started, while the instance runs (the uptime's start).
    runningSince:
      inst.status === 'running' ? (reads.deployment(inst.currentDeploymentId)?.startedAt ?? null) : null,
  };
}

/** A deployment as the API shows it: the spec it ran with its secret config values masked. */
export function toDeploymentView(dep: Deployment): Omit<Deployment, 'spec'> & { spec: Deployment['spec'] } {
  const spec = dep.spec ? { ...dep.spec, config: maskSecrets(dep.spec.config, SECRET_MASK) } : null;
  return { ...dep, spec };
}

/**
 * Replicas wanted and running: what the runtime last reported while the instance runs (runtimes
 * that scale); one workload per instance otherwise, running when the instance does.
 */
function replicasView(inst: Instance, templateReplicas: number): InstanceView['replicas'] {
  const desired = desiredReplicas({ replicas: templateReplicas }, inst);
  if (inst.status !== 'running') return { desired, running: 0, items: [] };
  const seen = inst.observedReplicas;
  if (!seen) return { desired, running: 1, items: [] };
  const items = seen.items.map((r) => ({
    node: r.node,
    state: r.state,
    reason: r.message,
    ports: r.ports ?? [],
  }));
  return { desired, running: seen.running, items };
}

function linkPortsOf(template: Template | undefined): LinkPorts {
  return template
    ? {
        primary: primaryHttpPort(template),
        proxied: proxiedPorts(template),
        replicas: template.replicas,
        external: externalAddress(template),
      }
    : { primary: undefined, proxied: [], replicas: 1 };
}

/** `fn` remembered per key, for one pass over many instances. */
function memo<T>(fn: Lookup<T>): Lookup<T> {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key) as T;
  };
}

/** What an instance's view was made of, and its JSON: the same inputs give the same JSON. */
interface Fragment {
  /** The instance record as listed (the store hands out the same frozen object until its row changes). */
  inst: Instance;
  /** Its current deployment as kept in memory (the same object until it is written). */
  dep: Deployment | undefined;
  ports: string;
  template: string;
  node: string;
  proxyPort: number;
  json: string;
}

function sameInputs(a: Fragment, b: Omit<Fragment, 'json'>): boolean {
  return (
    a.inst === b.inst &&
    a.dep === b.dep &&
    a.ports === b.ports &&
    a.template === b.template &&
    a.node === b.node &&
    a.proxyPort === b.proxyPort
  );
}

/**
 * `GET /instances` as JSON bytes, built once per change of the stored data and reused until then;
 * a build serializes again only the instances whose view inputs changed (the record, its current
 * deployment, its ports, its template, its node, the proxy's port). With 10,000 instances a full
 * build was ~1 s of views, JSON and collection, and while instances are created or change status
 * every change of the data meant one. Keeps the last answer only (one query at a time, usually
 * the unfiltered one) and each instance's JSON (~800 bytes).
 */
export class InstanceListCache {
  private last: { key: string; body: Buffer } | undefined;
  private fragments = new Map<string, Fragment>();

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
    const all = query.template === undefined && query.status === undefined && query.node === undefined;
    const body = Buffer.from(`[${this.build(this.list(query), all).join(',')}]`);
    this.last = key === undefined ? undefined : { key, body };
    return body;
  }

  /**
   * Each instance's JSON, made again only where its inputs changed; `all`: forget the others. Each
   * template and node is read (and parsed) once, deployments come from memory and the ports from
   * the list in hand: a few queries per list, not a few per instance.
   */
  private build(list: Instance[], all: boolean): string[] {
    const { ctx } = this;
    const reads = viewReads(ctx, memo);
    const ports = ctx.portsOfMany(list);
    const templateStamp = memo((name) => JSON.stringify(reads.template(name) ?? null));
    const nodeStamp = memo((name) => `${reads.address(name)} ${JSON.stringify(reads.node(name) ?? null)}`);
    const proxyPort = ctx.proxyPort();
    const next = all ? new Map<string, Fragment>() : this.fragments;
    const out = list.map((inst) => {
      const p = ports.get(inst.id) ?? {};
      const inputs = {
        inst,
        dep: reads.deployment(inst.currentDeploymentId),
        ports: JSON.stringify(p),
        template: templateStamp(inst.template),
        node: nodeStamp(inst.node),
        proxyPort,
      };
      const known = this.fragments.get(inst.id);
      const json =
        known && sameInputs(known, inputs) ? known.json : JSON.stringify(toInstanceView(ctx, inst, reads, p));
      next.set(inst.id, { ...inputs, json });
      return json;
    });
    this.fragments = next;
    return out;
  }
}
