import {
  LOCAL_NODE,
  NotFound,
  type PortSource,
  type Runtime,
  type RuntimeResolver,
  RuntimeUnavailable,
  type TakenPort,
  type TemplateSource,
} from '@berth/core';
import { closeDockerNode, type DockerNode } from './docker-node.js';

type SourceKind = TemplateSource['kind'];

const CONTAINER_SOURCES: SourceKind[] = ['image', 'build'];

/**
 * Runtimes per node: `local` (the runtimes registered for it — processes, and the local Docker
 * engine when it answers) and each remote `docker` node with its own engine and port space. Also
 * the port source of every engine it knows: the ports their containers publish, per host.
 */
export class NodeRuntimeResolver implements RuntimeResolver, PortSource {
  readonly name = 'docker engines';
  private readonly local = new Map<SourceKind, Runtime>();
  private readonly localKinds = new Map<string, Runtime>();
  private localDocker: DockerNode | undefined;
  private readonly remote = new Map<string, DockerNode>();
  /** Remote nodes whose record could not be opened (a certificate file gone…), with why. */
  private readonly broken = new Map<string, { host: string; reason: string }>();

  /** A runtime of node local, for the source kinds it serves. */
  register(runtime: Runtime, sources: SourceKind[]): this {
    for (const s of sources) this.local.set(s, runtime);
    this.localKinds.set(runtime.kind, runtime);
    return this;
  }

  /** The local engine: image and build templates, compose ones when a compose CLI exists. */
  useLocalDocker(node: DockerNode): this {
    this.localDocker = node;
    this.register(node.runtime, CONTAINER_SOURCES);
    if (node.compose) this.register(node.compose, ['compose']);
    return this;
  }

  addNode(node: DockerNode): void {
    this.broken.delete(node.node);
    this.remote.set(node.node, node);
  }

  markBroken(name: string, host: string, reason: string): void {
    this.remote.delete(name);
    this.broken.set(name, { host, reason });
  }

  removeNode(name: string): void {
    const node = this.remote.get(name);
    if (node) closeDockerNode(node);
    this.remote.delete(name);
    this.broken.delete(name);
  }

  /** The Docker engine of a node (local's when it has one). */
  findDocker(name: string): DockerNode | undefined {
    return name === LOCAL_NODE ? this.localDocker : this.remote.get(name);
  }

  brokenReason(name: string): string | undefined {
    return this.broken.get(name)?.reason;
  }

  resolve(node: string, sourceKind: SourceKind): Runtime {
    if (node === LOCAL_NODE) {
      const runtime = this.local.get(sourceKind);
      if (!runtime) throw unavailable(node, this.missingLocal(sourceKind), { sourceKind });
      return runtime;
    }
    const remote = this.remoteNode(node);
    if (sourceKind === 'compose' && remote.compose) return remote.compose;
    if (CONTAINER_SOURCES.includes(sourceKind)) return remote.runtime;
    const why =
      sourceKind === 'compose'
        ? `node ${node} cannot run compose templates: no compose CLI on this machine reaches its engine`
        : `node ${node} is a Docker node; ${sourceKind} templates run on node local`;
    throw unavailable(node, why, { sourceKind });
  }

  byKind(node: string, runtimeKind: string): Runtime {
    const runtime =
      node === LOCAL_NODE
        ? this.localKinds.get(runtimeKind)
        : [this.remoteNode(node).runtime, this.remoteNode(node).compose].find((r) => r?.kind === runtimeKind);
    if (!runtime) throw unavailable(node, `no ${runtimeKind} runtime on node ${node}`, { runtimeKind });
    return runtime;
  }

  all(): { node: string; runtime: Runtime }[] {
    const out = [...this.localKinds.values()].map((runtime) => ({ node: LOCAL_NODE, runtime }));
    for (const n of this.remote.values()) {
      out.push({ node: n.node, runtime: n.runtime });
      if (n.compose) out.push({ node: n.node, runtime: n.compose });
    }
    return out;
  }

  hostOf(node: string): string {
    if (node === LOCAL_NODE) return LOCAL_NODE;
    const host = this.remote.get(node)?.host ?? this.broken.get(node)?.host;
    if (host === undefined) throw new NotFound('node', node);
    return host;
  }

  /** Source kinds each runtime serves, per node, for `system/info` and `nodes`. */
  describe(): { node: string; kind: string; sources: SourceKind[] }[] {
    const local = [...this.localKinds.values()].map((runtime) => ({
      node: LOCAL_NODE,
      kind: runtime.kind,
      sources: [...this.local].filter(([, r]) => r === runtime).map(([s]) => s),
    }));
    const remote = [...this.remote.values()].flatMap((n) => [
      { node: n.node, kind: n.runtime.kind, sources: CONTAINER_SOURCES },
      ...(n.compose ? [{ node: n.node, kind: n.compose.kind, sources: ['compose' as SourceKind] }] : []),
    ]);
    return [...local, ...remote];
  }

  /** Ports published by the containers of every engine serving `host`. */
  async taken(host: string): Promise<TakenPort[]> {
    const engines = [this.localDocker, ...this.remote.values()].filter(
      (n): n is DockerNode => n !== undefined && n.host === host,
    );
    const lists = await Promise.all(engines.map((n) => n.ports.taken(host)));
    return lists.flat();
  }

  private remoteNode(node: string): DockerNode {
    const found = this.remote.get(node);
    if (found) return found;
    const broken = this.broken.get(node);
    if (broken) throw unavailable(node, `node ${node} cannot be used: ${broken.reason}`, {});
    throw new NotFound('node', node);
  }

  private missingLocal(sourceKind: SourceKind): string {
    if (sourceKind === 'command') return 'no process runtime on node local';
    if (!this.localDocker)
      return `no Docker engine on node local, so ${sourceKind} templates cannot run here`;
    return 'no compose CLI (docker compose or docker-compose) on this machine';
  }
}

function unavailable(node: string, message: string, details: Record<string, unknown>): RuntimeUnavailable {
  return new RuntimeUnavailable(message, { details: { node, ...details } });
}
