import type { InstanceView } from '../api/types';
import { formatDateTime } from '../lib/format';
import { PortLinks } from './port-links';

/** Config values, ports, pins, data directory and restart state of one instance. */
export function InstanceOverview({ instance: i }: { instance: InstanceView }) {
  const config = Object.entries(i.config);
  const pins = Object.entries(i.portOverrides);
  return (
    <dl className="facts">
      <div>
        <dt>Template</dt>
        <dd>
          <a href={`#/templates/${encodeURIComponent(i.template)}`}>{i.template}</a> on {i.node}
        </dd>
      </div>
      <div>
        <dt>Ports</dt>
        <dd>
          <PortLinks instance={i} />
        </dd>
      </div>
      <div>
        <dt>Pinned</dt>
        <dd>{pins.length ? pins.map(([k, v]) => `${k} → ${v}`).join(', ') : 'none (berth picks)'}</dd>
      </div>
      <div>
        <dt>Config</dt>
        <dd>
          {config.length === 0 ? (
            'defaults'
          ) : (
            <table className="kv">
              <tbody>
                {config.map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>
                      <code>{String(v)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </dd>
      </div>
      {i.replicas && (i.replicas.desired > 1 || i.replicas.items.length > 0) ? (
        <div>
          <dt>Replicas</dt>
          <dd>
            <ReplicaRows replicas={i.replicas} />
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Desired</dt>
        <dd>{i.desiredState}</dd>
      </div>
      <div>
        <dt>Restarts</dt>
        <dd>
          {i.restartCount}
          {i.lastExitCode !== null ? `, last exit code ${i.lastExitCode}` : ''}
          {i.nextRetryAt ? `, next try ${formatDateTime(i.nextRetryAt)}` : ''}
        </dd>
      </div>
      <div>
        <dt>Data</dt>
        <dd>
          {/* On a cluster the data is not this folder: say whether it outlives the pod. */}
          {i.data ? (
            <span data-instance-data={i.data.kind}>{i.data.summary}</span>
          ) : (
            <code className="wrap">{i.dataDir}</code>
          )}
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatDateTime(i.createdAt)}</dd>
      </div>
    </dl>
  );
}

/** A replica's host ports: `49153→80/tcp`, one per line's item. */
function replicaPorts(x: InstanceView['replicas']['items'][number]): string {
  return (x.ports ?? [])
    .map((p) => `${p.hostPort}${p.containerPort !== null ? `→${p.containerPort}` : ''}/${p.protocol}`)
    .join(', ');
}

/** Running of wanted, then each replica's node, state, host ports and why it failed, as its runtime last said. */
function ReplicaRows({ replicas: r }: { replicas: InstanceView['replicas'] }) {
  return (
    <>
      <span data-replicas-summary>
        {r.running} of {r.desired} running
      </span>
      {r.items.length > 0 ? (
        <table className="kv replicas-table">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Ports</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.items.map((x, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: replicas have no id of their own; the order is the runtime's
              <tr key={n} data-replica-state={x.state}>
                <td>{x.node ?? 'unknown'}</td>
                <td>{x.state}</td>
                <td data-replica-ports>{replicaPorts(x)}</td>
                <td>{x.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
