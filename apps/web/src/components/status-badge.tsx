import type { InstanceView } from '../api/types';

const LABELS: Record<string, string> = {
  pending: 'pending',
  deploying: 'deploying',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  error: 'error',
};

/** The instance's actual status, with its health when running. */
export function StatusBadge({ instance }: { instance: Pick<InstanceView, 'status' | 'health'> }) {
  return (
    <span className="badges">
      <span className={`badge status-${instance.status}`} data-status={instance.status}>
        {LABELS[instance.status] ?? instance.status}
      </span>
      {instance.status === 'running' && instance.health ? (
        <span className={`badge health-${instance.health}`} title="health check">
          {instance.health === 'starting' ? 'checking health' : instance.health}
        </span>
      ) : null}
    </span>
  );
}
