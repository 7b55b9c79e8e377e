import {
  naReplicas,
  type ReplicaStats,
  type WorkloadStats,
  type WorkloadStatsUnavailable,
} from '@berth/core';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { type KubeClient, kubeFailure } from './kube-client.js';
import { LABEL } from './kube-labels.js';
import { isPodRunning } from './pod-state.js';

/** metrics.k8s.io/v1beta1 PodMetrics as metrics-server serves it: each container's usage over `window`. */
export interface PodMetrics {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  /** When the usage was measured (RFC 3339), and over how long (`15s`). */
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
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

/** The PodMetrics of the owner's pods; MetricsUnavailable when the cluster serves no metrics API. */
async function fetchPodMetrics(client: KubeClient, owner: string): Promise<PodMetrics[]> {
  try {
    const list = await client.getJson<{ items: PodMetrics[] }>(
      `/apis/metrics.k8s.io/v1beta1/namespaces/${client.namespace}/pods`,
      { labelSelector: `${LABEL.owner}=${owner}` },
    );
    return list.items;
  } catch (e) {
    const code = kubeFailure(e)?.code;
    if (code === 404 || code === 503) {
      throw new MetricsUnavailable(
        'n/a: this cluster does not serve metrics.k8s.io (metrics-server is not installed)',
      );
    }
    throw e;
  }
}

/** CPU and memory of each instance's pods from metrics.k8s.io, by instance id: see {@link podShares}. */
export async function instanceStats(
  client: KubeClient,
  owner: string,
  pods: V1Pod[],
): Promise<Map<string, WorkloadStats | WorkloadStatsUnavailable>> {
  const metrics = await fetchPodMetrics(client, owner);
  const nodes = await client.core.listNode().catch(() => ({ items: [] as V1Node[] }));
  const allocatable = new Map(
    nodes.items.map((n) => [n.metadata?.name ?? '', quantity(n.status?.allocatable?.memory)]),
  );
  return podShares(pods, metrics, allocatable);
}

interface Share {
  replica: ReplicaStats;
  /** The pod's memory limit (bytes), else its node's allocatable memory; NaN when neither is known. */
  limit: number;
}

/**
 * Each instance's usage, by instance id: the sum over its running pods' PodMetrics, with each pod's
 * share (the pod is the replica, named as the instance's replicas name it) — or n/a with why for a
 * pod the metrics API has no usage for yet. An instance none of whose pods can be read says why,
 * pod by pod. Memory is a share of the read pods' limits (a container's memory limit, else the
 * node's allocatable memory).
 */
export function podShares(
  pods: V1Pod[],
  metrics: PodMetrics[],
  allocatable: Map<string, number>,
): Map<string, WorkloadStats | WorkloadStatsUnavailable> {
  const byPod = new Map(metrics.map((m) => [`${m.metadata.namespace ?? ''}/${m.metadata.name}`, m]));
  const byInstance = new Map<string, V1Pod[]>();
  for (const p of pods.filter(isPodRunning)) {
    const id = p.metadata?.labels?.[LABEL.instanceId];
    if (id) byInstance.set(id, [...(byInstance.get(id) ?? []), p]);
  }
  const out = new Map<string, WorkloadStats | WorkloadStatsUnavailable>();
  for (const [id, mine] of byInstance) {
    mine.sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
    const shares = mine.map((p) => podShare(p, metricsOf(byPod, p), allocatable));
    out.set(id, total(shares));
  }
  return out;
}

/** A pod's PodMetrics: by namespace and name (a list without namespaces, by name alone). */
function metricsOf(byPod: Map<string, PodMetrics>, p: V1Pod): PodMetrics | undefined {
  const name = p.metadata?.name ?? '';
  return byPod.get(`${p.metadata?.namespace ?? ''}/${name}`) ?? byPod.get(`/${name}`);
}

function podShare(pod: V1Pod, m: PodMetrics | undefined, allocatable: Map<string, number>): Share {
  const node = pod.spec?.nodeName ?? null;
  const base = { replica: pod.metadata?.name ?? '?', node };
  const na = (reason: string): Share => ({
    replica: { ...base, cpuPercent: null, memoryBytes: null, reason },
    limit: Number.NaN,
  });
  if (!m || m.containers.length === 0) {
    return na('no metrics for it yet (metrics.k8s.io lists a pod once metrics-server has measured it)');
  }
  const cpu = m.containers.reduce((s, c) => s + quantity(c.usage.cpu), 0);
  const memory = m.containers.reduce((s, c) => s + quantity(c.usage.memory), 0);
  if (!Number.isFinite(cpu) || !Number.isFinite(memory)) {
    const usage = m.containers.map((c) => `${c.name}: cpu ${c.usage.cpu}, memory ${c.usage.memory}`);
    return na(`its PodMetrics has a usage berth cannot read (${usage.join('; ')})`);
  }
  return {
    replica: { ...base, cpuPercent: cpu * 100, memoryBytes: memory, reason: null },
    limit: memoryLimit(pod) || (node ? allocatable.get(node) : undefined) || Number.NaN,
  };
}

/** The sum of the containers' memory limits, or 0 unless every container has one. */
function memoryLimit(pod: V1Pod): number {
  const limits = (pod.spec?.containers ?? []).map((c) => quantity(c.resources?.limits?.memory));
  return limits.length > 0 && limits.every((l) => l > 0) ? limits.reduce((a, b) => a + b, 0) : 0;
}

function total(shares: Share[]): WorkloadStats | WorkloadStatsUnavailable {
  const replicas = shares.map((s) => s.replica);
  const read = shares.filter((s) => s.replica.reason === null);
  if (read.length === 0)
    return { unavailable: `none of its replicas can be read: ${naReplicas(replicas)}`, replicas };
  const limited = read.filter((s) => Number.isFinite(s.limit) && s.limit > 0);
  const limit = limited.reduce((n, s) => n + s.limit, 0);
  const limitedMemory = limited.reduce((n, s) => n + s.replica.memoryBytes!, 0);
  return {
    cpuPercent: read.reduce((n, s) => n + s.replica.cpuPercent!, 0),
    memoryBytes: read.reduce((n, s) => n + s.replica.memoryBytes!, 0),
    memoryPercent: limit > 0 ? Math.min(100, (limitedMemory / limit) * 100) : 0,
    replicas,
  };
}
