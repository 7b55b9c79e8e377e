import type { InstanceView } from '../api/types';

type Counted = Pick<InstanceView, 'status'> & { replicas?: InstanceView['replicas'] };

/**
 * `2/3` (running of wanted) for an instance of several replicas, or one running fewer than it
 * wants; null for a single workload that runs as it should (its status says enough).
 */
export function replicaCount(i: Counted): string | null {
  const r = i.replicas;
  if (!r) return null;
  if (r.desired <= 1 && (i.status !== 'running' || r.running === r.desired)) return null;
  return `${r.running}/${r.desired}`;
}

/** Fewer replicas run than are wanted while the instance runs (a node lost, a task failing). */
export function isDegraded(i: Counted): boolean {
  return i.status === 'running' && i.replicas !== undefined && i.replicas.running < i.replicas.desired;
}
