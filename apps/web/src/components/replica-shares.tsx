import type { InstanceStatsView } from '../api/types';
import { formatBytes, formatPercent } from '../lib/format';
import { Notice } from './notice';

export type StatsShares = Pick<InstanceStatsView, 'partial' | 'reason' | 'replicas'>;

/**
 * Each replica's share of the instance's usage (a Swarm task, a Kubernetes pod): its node, CPU and
 * memory, or n/a and why; above it, when the charts sum only some replicas, which and why. Nothing
 * for a runtime that reads no replicas apart.
 */
export function ReplicaShares({ shares }: { shares: StatsShares | null }) {
  if (!shares?.replicas || shares.replicas.length === 0) return null;
  return (
    <div className="replica-shares">
      {shares.partial ? <Notice>Partial: {shares.reason}</Notice> : null}
      <div className="table-wrap">
        <table className="table" aria-label="Usage per replica">
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">Node</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
            </tr>
          </thead>
          <tbody>
            {shares.replicas.map((r) => (
              <tr key={r.replica} data-replica-share={r.replica}>
                <td>{r.replica}</td>
                <td>{r.node ?? 'unknown'}</td>
                {r.reason === null ? (
                  <>
                    <td>{formatPercent(r.cpuPercent)}</td>
                    <td>{formatBytes(r.memoryBytes)}</td>
                  </>
                ) : (
                  <td colSpan={2}>n/a: {r.reason}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
