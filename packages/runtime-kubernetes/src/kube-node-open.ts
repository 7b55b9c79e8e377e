import type { Logger, NodeProbe, NodeRecord, OpenedNode } from '@berth/core';
import { KubeClient, kubeFailure } from './kube-client.js';
import { loadKubeconfig, parseKubeNodeConfig } from './kube-node-config.js';
import { KubePortSource } from './kube-port-source.js';
import { KubeServiceGateway } from './kube-service-gateway.js';
import { KubernetesRuntime } from './kubernetes-runtime.js';

/** A failed /version in a word the node view shows (refused, dns, tls, auth, timeout…). */
function probeFailure(e: unknown): { reason: string; message: string } {
  const f = kubeFailure(e);
  if (f)
    return {
      reason: f.code === 401 || f.code === 403 ? 'auth' : 'unknown',
      message: `the API server answered ${f.code}: ${f.message}`,
    };
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const message = err.cause?.message ?? err.message;
  if (code === 'ECONNREFUSED')
    return { reason: 'refused', message: `the API server refused the connection: ${message}` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { reason: 'dns', message: `the API server's host is not known: ${message}` };
  if (/CERT|SSL|TLS/i.test(code) || /certificate/i.test(message)) return { reason: 'tls', message };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { reason: 'unreachable', message };
  return { reason: 'unknown', message };
}

/** Why a source kind cannot run on a cluster, and what to change. */
const UNSUPPORTED: Record<string, string> = {
  compose:
    'a compose template cannot run on a Kubernetes node: run it on a Docker node, or write an image template per service',
};

/** Races `work` against `ms`, for a test that must answer within its deadline. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A `kubernetes` node from its record: its runtime, its port space or gateway, and its test. */
export function openKubernetesNode(record: NodeRecord, log: Logger): OpenedNode {
  const c = parseKubeNodeConfig(record.config);
  const config = loadKubeconfig(c.kubeconfig, c.context);
  const namespace =
    c.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
  const client = new KubeClient(config, namespace);
  const server = config.getCurrentCluster()!.server;
  const address = c.publicAddress ?? new URL(server).hostname.replace(/^\[|\]$/g, '');
  const runtime = new KubernetesRuntime({
    client,
    address,
    log,
    serviceType: c.serviceType,
    ...(c.storageClass ? { storageClass: c.storageClass } : {}),
  });
  // ClusterIP: nothing is published, so the cluster's NodePorts are not this node's port space
  // (its ports are its Services' own, leased on the node's host alone); the proxy goes through
  // the API server.
  const published =
    c.serviceType === 'NodePort'
      ? {
          portSource: new KubePortSource(client, record.host),
          // The cluster gives NodePorts only in this range (422 otherwise): the ledger chooses inside it.
          portRange: [c.nodePortRange.from, c.nodePortRange.to] as const,
        }
      : { gateway: new KubeServiceGateway(client) };
  return {
    // A command template runs as pods of the image it names (create refuses one without).
    runtimes: [{ runtime, sources: ['image', 'build', 'command'] }],
    ...published,
    address,
    imagesUnknown: `berth does not see the images of node ${record.name}: they live on the cluster's kubelets, and the cluster pulls the image as it deploys`,
    test: async (timeoutMs: number): Promise<NodeProbe> => {
      const started = Date.now();
      try {
        const v = await within(client.version.getCode(), timeoutMs);
        return {
          ok: true,
          version: `Kubernetes ${v.gitVersion}`,
          latencyMs: Date.now() - started,
          details: {
            namespace,
            context: config.getCurrentContext(),
            server,
            nodePortRange: c.nodePortRange,
            serviceType: c.serviceType,
          },
        };
      } catch (e) {
        const f = probeFailure(e);
        return {
          ok: false,
          reason: (e as { code?: string }).code === 'ETIMEDOUT' ? 'timeout' : f.reason,
          message: f.message,
        };
      }
    },
    close: () => {},
    unsupported: (source) => UNSUPPORTED[source] ?? `a ${source} template cannot run on a Kubernetes node`,
  };
}
