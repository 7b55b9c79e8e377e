import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ApiHandler } from './api-handler.js';
import type { PodContainer, PodSpec } from './container-spec.js';
import { DeploymentController } from './deployment-controller.js';
import { discovery } from './discovery.js';
import { type Endpoint, KubeProxy } from './kube-proxy.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { Kubelet } from './kubelet.js';
import { podMetrics } from './metrics.js';
import { type KubeObject, ObjectStore } from './object-store.js';
import { servePodLog } from './pod-logs.js';
import { send, sendError } from './request.js';
import type { ResourceDef } from './resources.js';
import { selectorOf } from './selector.js';
import { ServiceAllocator } from './service-allocator.js';
import { parseServiceProxyPath, proxyToService } from './service-proxy.js';
import { notFound, pathNotFound } from './status.js';
import { VolumeProvisioner } from './volume-provisioner.js';

export interface FakeKubeOptions {
  /** The engine pods run in; default: the local one (DOCKER_HOST or /var/run/docker.sock). */
  docker?: Docker;
  /** The API server's --service-node-port-range; default 30000–32767. */
  nodePortRange?: { from: number; to: number };
  /** Serve metrics.k8s.io (as when metrics-server is installed); default true. */
  metrics?: boolean;
  /** The kubelet's first crash back-off; default 10 s as the real one. */
  backoffMs?: number;
  /** The one node's name; default `fake-kube-node`. */
  nodeName?: string;
  /** The node's allocatable memory in bytes; default this machine's. */
  allocatableMemory?: number;
  /** The cluster's storage classes (dynamic provisioning); the first is the default. Default `['standard']`. */
  storageClasses?: string[];
}

/**
 * A fake Kubernetes API server for tests: the real API's paths and shapes, objects checked against
 * the real OpenAPI schemas, and one node whose pods run as containers of the local Docker engine.
 */
export class FakeKube {
  readonly store = new ObjectStore();
  readonly nodeName: string;
  private readonly server: Server;
  private readonly docker: Docker;
  private readonly kubelet: Kubelet;
  private readonly proxy: KubeProxy;
  private readonly allocator: ServiceAllocator;
  private readonly volumes: VolumeProvisioner;
  private readonly api: ApiHandler;
  private readonly dir = mkdtempSync(join(tmpdir(), 'fake-kube-'));
  private readonly metrics: boolean;
  private url = '';

  private constructor(o: FakeKubeOptions) {
    this.docker = o.docker ?? new Docker();
    this.nodeName = o.nodeName ?? 'fake-kube-node';
    this.metrics = o.metrics ?? true;
    const memory = o.allocatableMemory ?? totalmem();
    this.volumes = new VolumeProvisioner(this.store, join(this.dir, 'pv'), o.storageClasses ?? ['standard']);
    this.kubelet = new Kubelet({
      docker: this.docker,
      store: this.store,
      serverId: randomUUID(),
      nodeName: this.nodeName,
      dir: this.dir,
      backoffMs: o.backoffMs ?? 10_000,
      allocatable: { memory, cpu: cpus().length },
      volumes: this.volumes,
    });
    this.proxy = new KubeProxy((ns, svc, i) => this.endpoints(ns, svc, i));
    this.allocator = new ServiceAllocator(o.nodePortRange ?? { from: 30000, to: 32767 }, this.proxy);
    const controller = new DeploymentController(this.store, (pod, grace) =>
      this.kubelet.deletePod(pod, grace),
    );
    this.store.onChange((e) => {
      if (e.plural === 'pods' && e.type !== 'DELETED') this.kubelet.sync(e.object);
      if (e.plural === 'pods' || e.plural === 'deployments') controller.poke();
    });
    this.api = new ApiHandler(this.store, {
      beforeWrite: async (def, obj, old) => {
        if (def.plural === 'services') await this.allocator.allocate(obj, old);
        if (def.plural === 'persistentvolumeclaims' && !old) this.volumes.admit(obj);
      },
      remove: (def, obj, grace) => this.remove(def, obj, grace),
      podLog: (ns, name, q, res) => {
        const pod = this.store.get('pods', ns, name)!;
        return servePodLog(this.docker, pod, this.kubelet.containerOf(pod.metadata.uid!), q, res);
      },
    });
    this.server = createServer((req, res) => void this.route(req, res).catch((e) => sendError(res, e)));
    this.seed(memory);
  }

  /** Why pods cannot run here (no engine, or a missing image), or undefined when they can. */
  static async unavailable(images: string[], docker: Docker = new Docker()): Promise<string | undefined> {
    try {
      await docker.ping();
    } catch (e) {
      return `no Docker engine answers (${(e as Error).message}); start one with scripts/docker-up.sh`;
    }
    for (const image of images) {
      const found = await docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          () => false,
        );
      if (!found) return `image ${image} is missing (build it with scripts/test-images.sh)`;
    }
    return undefined;
  }

  static async start(o: FakeKubeOptions = {}): Promise<FakeKube> {
    const k = new FakeKube(o);
    await new Promise<void>((resolve) => k.server.listen(0, '127.0.0.1', resolve));
    k.url = `http://127.0.0.1:${(k.server.address() as AddressInfo).port}`;
    return k;
  }

  /** The API server's URL (plain HTTP on 127.0.0.1). */
  get serverUrl(): string {
    return this.url;
  }

  /** A kubeconfig that reaches this server (context `fake-kube`, namespace `default`). */
  kubeconfig(namespace = 'default'): string {
    return kubeconfigYaml(this.url, namespace);
  }

  async close(): Promise<void> {
    // The kubelet first: pods must not outlive the fake, whatever the API server is still doing.
    const closing = new Promise((r) => this.server.close(r));
    this.server.closeAllConnections();
    await this.kubelet.close();
    this.proxy.closeAll();
    await closing;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private seed(memory: number): void {
    for (const ns of ['default', 'kube-system'])
      this.store.create('namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
        status: { phase: 'Active' },
      });
    const capacity = { cpu: String(cpus().length), memory: `${Math.floor(memory / 1024)}Ki`, pods: '110' };
    this.store.create('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.nodeName,
        labels: { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux' },
      },
      spec: {},
      status: {
        capacity,
        allocatable: capacity,
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: this.nodeName },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
      },
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-kube');
    const doc = req.method === 'GET' ? discovery(url.pathname, this.metrics) : undefined;
    if (doc) return send(res, 200, doc);
    if (url.pathname.startsWith('/apis/metrics.k8s.io/v1beta1/')) return this.podMetrics(url, res);
    if (parseServiceProxyPath(url.pathname))
      return proxyToService(
        req,
        res,
        url,
        (ns, name) => this.store.get('services', ns, name),
        (ns, svc, i) => this.endpoints(ns, svc, i),
      );
    if (url.pathname === '/healthz' || url.pathname === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('ok');
    }
    await this.api.handle(req, res, url);
  }

  private async podMetrics(url: URL, res: ServerResponse): Promise<void> {
    const m = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    if (!this.metrics || !m) throw pathNotFound();
    const ns = decodeURIComponent(m[1]!);
    const pods = m[2]
      ? [this.store.get('pods', ns, decodeURIComponent(m[2]))].filter((p): p is KubeObject => p !== undefined)
      : this.store.list('pods', ns, url.searchParams.get('labelSelector') ?? undefined);
    const items = (
      await Promise.all(
        pods.map((p) => {
          const id =
            (p.status as { phase?: string }).phase === 'Running'
              ? this.kubelet.containerOf(p.metadata.uid!)
              : undefined;
          return id ? podMetrics(this.docker, p, id) : undefined;
        }),
      )
    ).filter((x) => x !== undefined);
    if (m[2]) {
      if (!items[0])
        throw notFound({ group: 'metrics.k8s.io', kind: 'PodMetrics', plural: 'pods', name: m[2] });
      return send(res, 200, items[0]);
    }
    send(res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
  }

  private remove(def: ResourceDef, obj: KubeObject, grace: number | undefined): KubeObject | undefined {
    if (def.plural === 'pods') return this.kubelet.deletePod(obj, grace);
    if (def.plural === 'services') this.allocator.releaseService(obj);
    if (def.plural === 'persistentvolumeclaims') this.volumes.release(obj);
    if (def.plural === 'namespaces') {
      for (const plural of ['deployments', 'services', 'secrets', 'persistentvolumeclaims', 'events']) {
        for (const o of this.store.list(plural, obj.metadata.name)) {
          if (plural === 'services') this.allocator.releaseService(o);
          if (plural === 'persistentvolumeclaims') this.volumes.release(o);
          this.store.remove(plural, o.metadata.namespace, o.metadata.name);
        }
      }
    }
    this.store.remove(def.plural, obj.metadata.namespace, obj.metadata.name);
    return undefined;
  }

  /** The Endpoints controller's answer: ready pods matching the Service's selector, at its targetPort. */
  private endpoints(ns: string, service: string, index: number): Endpoint[] {
    const svc = this.store.get('services', ns, service);
    const spec = svc?.spec as
      | { selector?: Record<string, string>; ports?: { targetPort?: number | string; port: number }[] }
      | undefined;
    const port = spec?.ports?.[index];
    if (!spec?.selector || !port) return [];
    const out: Endpoint[] = [];
    for (const pod of this.store.list('pods', ns, selectorOf(spec.selector))) {
      const status = pod.status as { podIP?: string; conditions?: { type: string; status: string }[] };
      const isReady = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (!isReady || !status.podIP || pod.metadata.deletionTimestamp) continue;
      const target = port.targetPort ?? port.port;
      const containers = (pod.spec as PodSpec).containers as PodContainer[];
      const n =
        typeof target === 'number'
          ? target
          : containers[0]?.ports?.find((p) => p.name === target)?.containerPort;
      if (n !== undefined) out.push({ ip: status.podIP, port: n });
    }
    return out;
  }
}
