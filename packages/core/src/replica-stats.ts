import type { ResourceSample } from './runtime.js';

/** One replica's usage, or n/a (null numbers) with the reason: which node, and why. */
export interface ReplicaStats {
  /** The replica as the instance's replicas name it (a Swarm task's slot). */
  replica: string;
  node: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  reason: string | null;
}

/**
 * A workload's usage as a runtime reports it: the sum over the replicas it could read, with each
 * replica's share where it reads replicas apart (a Swarm service's tasks).
 */
export type WorkloadStats = Omit<ResourceSample, 'ts' | 'diskBytes'> & { replicas?: ReplicaStats[] };

/** None of the workload's replicas could be read: why, and each replica's reason. */
export interface WorkloadStatsUnavailable {
  unavailable: string;
  replicas?: ReplicaStats[];
}

export const isStatsUnavailable = (
  s: WorkloadStats | WorkloadStatsUnavailable,
): s is WorkloadStatsUnavailable => 'unavailable' in s;

/** `replica 2 on worker-1: node worker-1 is down`, for each replica that is n/a. */
export function naReplicas(replicas: ReplicaStats[]): string {
  return replicas
    .filter((r) => r.reason !== null)
    .map((r) => `replica ${r.replica}${r.node ? ` on ${r.node}` : ''}: ${r.reason}`)
    .join('; ');
}

/**
 * Why a sum is partial (`the sum of 1 of 2 replicas; n/a: replica 2 on w1: …`), or null when every
 * replica is in it.
 */
export function partialReason(replicas: ReplicaStats[] | undefined): string | null {
  if (!replicas) return null;
  const read = replicas.filter((r) => r.reason === null).length;
  if (read === replicas.length) return null;
  return `the sum of ${read} of ${replicas.length} replicas; n/a: ${naReplicas(replicas)}`;
}
