import type Docker from 'dockerode';
import type { KubeObject } from './object-store.js';

interface DockerStats {
  cpu_stats: { cpu_usage: { total_usage: number } };
  precpu_stats: { cpu_usage: { total_usage: number } };
  memory_stats: { usage?: number; stats?: { inactive_file?: number; total_inactive_file?: number } };
}

/**
 * metrics.k8s.io/v1beta1 PodMetrics from `docker stats` of each pod's container (what
 * metrics-server reads from the kubelet's cAdvisor): CPU in nanocores over the sampling window,
 * memory as the working set in Ki.
 */
export async function podMetrics(
  docker: Docker,
  pod: KubeObject,
  containerId: string,
): Promise<object | undefined> {
  const started = Date.now();
  let stats: DockerStats;
  try {
    stats = (await docker.getContainer(containerId).stats({ stream: false })) as unknown as DockerStats;
  } catch {
    return undefined;
  }
  const windowS = 1;
  const cpuNs = Math.max(0, stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage);
  const mem = stats.memory_stats;
  const inactive = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
  const workingSet = Math.max(0, (mem.usage ?? 0) - inactive);
  const container = (pod.spec as { containers: { name: string }[] }).containers[0]!.name;
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      labels: pod.metadata.labels ?? {},
      creationTimestamp: new Date().toISOString(),
    },
    timestamp: new Date(started).toISOString(),
    window: `${windowS}s`,
    containers: [
      {
        name: container,
        usage: { cpu: `${Math.round(cpuNs / windowS)}n`, memory: `${Math.ceil(workingSet / 1024)}Ki` },
      },
    ],
  };
}
