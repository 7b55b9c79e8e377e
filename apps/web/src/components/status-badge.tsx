import type { InstanceView } from '../api/types';
import { isDegraded, replicaCount } from '../lib/replicas';

const LABELS: Record<string, string> = {
  pending: 'pending',
  deploying: 'deploying',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  error: 'error',
};

/** The instance's actual status, with its replicas running of wanted (`2/3`) and its health when running. */
export function StatusBadge({
  instance,
}: {
  instance: Pick<InstanceView, 'status' | 'health'> & { replicas?: InstanceView['replicas'] };
}) {
  const count = replicaCount(instance);
  return (
    <span className="badges">
      <span className={`badge status-${instance.status}`} data-status={instance.status}>
        {LABELS[instance.status] ?? instance.status}
      </span>
      {count ? (
        <span
          className={`badge replicas${isDegraded(instance) ? ' degraded' : ''}`}
          data-replicas={count}
          title="replicas running / wanted"
        >
          {count}
        </span>
      ) : null}
      {instance.status === 'running' && instance.health ? (
        <span className={`badge health-${instance.health}`} title="health check">
          {instance.health === 'starting' ? 'checking health' : instance.health}
        </span>
      ) : null}
    </span>
  );
}
