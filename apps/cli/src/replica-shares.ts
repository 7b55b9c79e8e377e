import type { InstanceStatsView } from '@berth/contracts';
import { formatBytes, formatPercent } from './format-units.js';
import { formatTable } from './table.js';

type ReplicaShare = NonNullable<InstanceStatsView['replicas']>[number];

/**
 * Each replica's share of an instance's usage (a Swarm task, a Kubernetes pod), indented under the
 * totals: its node, CPU and memory, or `n/a` and why. Nothing for a runtime that reads no replicas apart.
 */
export function replicaShareLines(replicas: InstanceStatsView['replicas']): string[] {
  if (!replicas || replicas.length === 0) return [];
  const na = (r: ReplicaShare, v: string) => (r.reason === null ? v : 'n/a');
  const table = formatTable(replicas, [
    { header: 'REPLICA', value: (r) => r.replica },
    { header: 'NODE', value: (r) => r.node },
    { header: 'CPU %', value: (r) => na(r, formatPercent(r.cpuPercent)) },
    { header: 'MEMORY', value: (r) => na(r, formatBytes(r.memoryBytes)) },
    ...(replicas.some((r) => r.reason !== null)
      ? [{ header: 'WHY N/A', value: (r: ReplicaShare) => r.reason ?? '' }]
      : []),
  ]);
  return ['replicas:', ...table.split('\n').map((l) => `  ${l}`)];
}
