import type { ResourceSample } from '@berth/core';
import type Dockerode from 'dockerode';

export type StatsNumbers = Omit<ResourceSample, 'ts' | 'diskBytes'>;

/**
 * One Engine API stats sample → berth's numbers, computed the way `docker stats` does: CPU over the
 * interval between the two readings the engine returns; memory without the page cache, as a share
 * of the host's real total (not the container's limit).
 */
export function statsNumbers(s: Dockerode.ContainerStats, hostMemoryBytes: number): StatsNumbers {
  const memoryBytes = memoryUsage(s.memory_stats);
  return {
    cpuPercent: cpuPercent(s),
    memoryBytes,
    memoryPercent: hostMemoryBytes > 0 ? Math.min(100, (memoryBytes / hostMemoryBytes) * 100) : 0,
  };
}

export function cpuPercent(s: Dockerode.ContainerStats): number {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * cpus * 100;
}

function memoryUsage(m: Dockerode.MemoryStats | undefined): number {
  if (!m?.usage) return 0;
  const stats = (m.stats ?? {}) as Partial<Record<string, number>>;
  // cgroup v1 reports the page cache as total_inactive_file/cache, v2 as inactive_file.
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? stats.cache ?? 0;
  return cache < m.usage ? m.usage - cache : m.usage;
}
