import type { ResourceSample } from '@berth/core';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { type KubeClient, kubeFailure } from './kube-client.js';
import { LABEL } from './kube-labels.js';

type Sample = Omit<ResourceSample, 'ts' | 'diskBytes'>;

interface PodMetrics {
  metadata: { name: string };
  containers: { usage: { cpu: string; memory: string } }[];
}

/** A quantity (`250m`, `12345n`, `512Mi`, `1G`, `2`) as a plain number (cores or bytes). */
export function quantity(q: string | undefined): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q ?? '');
  const units: Record<string, number> = {
    '': 1,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return m ? Number(m[1]) * (units[m[2]!] ?? Number.NaN) : Number.NaN;
}

/** Thrown when the cluster has no metrics API: the sampler logs the reason and shows n/a. */
export class MetricsUnavailable extends Error {}

/**
 * CPU and memory of each instance's pods (summed over replicas) from metrics.k8s.io; memory as a
 * share of the container limit, else of the node's allocatable memory.
 */
export async function instanceStats(
  client: KubeClient,
  owner: string,
  pods: V1Pod[],
): Promise<Map<string, Sample>> {
  let metrics: { items: PodMetrics[] };
  try {
    metrics = await client.getJson(`/apis/metrics.k8s.io/v1beta1/namespaces/${client.namespace}/pods`, {
      labelSelector: `${LABEL.owner}=${owner}`,
    });
  } catch (e) {
    const code = kubeFailure(e)?.code;
    if (code === 404 || code === 503) {
      throw new MetricsUnavailable(
        'n/a: this cluster does not serve metrics.k8s.io (metrics-server is not installed)',
      );
    }
    throw e;
  }
  const nodes = await client.core.listNode().catch(() => ({ items: [] as V1Node[] }));
  const allocatable = new Map(
    nodes.items.map((n) => [n.metadata?.name, quantity(n.status?.allocatable?.memory)]),
  );
  const out = new Map<string, Sample>();
  for (const m of metrics.items) {
    const pod = pods.find((p) => p.metadata?.name === m.metadata.name);
    const id = pod?.metadata?.labels?.[LABEL.instanceId];
    if (!pod || !id) continue;
    const cpu = m.containers.reduce((s, c) => s + quantity(c.usage.cpu), 0);
    const memory = m.containers.reduce((s, c) => s + quantity(c.usage.memory), 0);
    const limit =
      quantity(pod.spec?.containers[0]?.resources?.limits?.memory) ||
      allocatable.get(pod.spec?.nodeName) ||
      Number.NaN;
    const prev = out.get(id) ?? { cpuPercent: 0, memoryBytes: 0, memoryPercent: 0 };
    out.set(id, {
      cpuPercent: prev.cpuPercent + cpu * 100,
      memoryBytes: prev.memoryBytes + memory,
      memoryPercent: prev.memoryPercent + (Number.isFinite(limit) && limit > 0 ? (memory / limit) * 100 : 0),
    });
  }
  return out;
}
