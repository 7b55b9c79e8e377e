import type { DeploymentView } from '../api/types';
import { formatDateTime } from '../lib/format';

/** Every deployment of an instance, newest first. */
export function DeploymentTable({ deployments }: { deployments: DeploymentView[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Stopped</th>
            <th scope="col">Status</th>
            <th scope="col">Runtime</th>
            <th scope="col">Ports</th>
            <th scope="col">Exit</th>
          </tr>
        </thead>
        <tbody>
          {deployments.map((d) => (
            <tr key={d.id}>
              <td>{formatDateTime(d.startedAt ?? d.createdAt)}</td>
              <td>{formatDateTime(d.stoppedAt)}</td>
              <td>
                <span className={`badge status-${d.status}`}>{d.status}</span>
                {d.error ? <div className="small field-error">{d.error}</div> : null}
              </td>
              <td>
                {d.runtime} on {d.node}
              </td>
              <td>
                {Object.entries(d.ports)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ') || '—'}
              </td>
              <td>{d.exitCode ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
