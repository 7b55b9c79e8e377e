import type { DeploymentView } from '../api/types';
import { formatDateTime } from '../lib/format';

/** A deployment's spec in a few words: version or image, replicas, env additions (secrets masked). */
function specText(d: DeploymentView): string {
  if (!d.spec) return '—';
  const parts = [d.spec.version ?? d.spec.image ?? '', `${d.spec.replicas}×`];
  parts.push(...Object.entries(d.spec.config).map(([k, v]) => `${k}=${String(v)}`));
  parts.push(...Object.keys(d.spec.env).map((k) => `$${k}`));
  return parts.filter(Boolean).join(' ');
}

/**
 * Every deployment of an instance, newest first. With `onRollback`, each earlier deployment that
 * kept its spec has "Roll back to this".
 */
export function DeploymentTable({
  deployments,
  currentId,
  busy,
  onRollback,
}: {
  deployments: DeploymentView[];
  currentId?: string | null;
  busy?: boolean;
  onRollback?: (d: DeploymentView) => void;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (it scrolls sideways on a phone)
    <section className="table-wrap" aria-label="Deployments" tabIndex={0}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Stopped</th>
            <th scope="col">Status</th>
            <th scope="col">Runtime</th>
            <th scope="col">Ports</th>
            <th scope="col">Exit</th>
            <th scope="col">Spec</th>
            {onRollback ? <th scope="col">Action</th> : null}
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
              <td className="small">{specText(d)}</td>
              {onRollback ? (
                <td>
                  {d.spec && d.id !== currentId ? (
                    <button
                      type="button"
                      className="button quiet"
                      disabled={busy}
                      aria-label={`Roll back to this: deployment ${d.id}`}
                      onClick={() => onRollback(d)}
                    >
                      Roll back to this
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
