import { useServerDown } from '../api/connection';
import type { InstanceView } from '../api/types';
import { isDegraded, replicaCount } from '../lib/replicas';
import { inBackoff } from '../lib/restart-backoff';

const LABELS: Record<string, string> = {
  pending: 'pending',
  deploying: 'deploying',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  error: 'error',
  restarting: 'restarting',
  external: 'external',
};

/**
 * The instance's actual status, with its replicas running of wanted (`2/3`) and its health when
 * running (or external: a service berth does not run but checks); "restarting" during a restart backoff; greyed, as the last known, while the server does
 * not answer.
 */
export function StatusBadge({
  instance,
}: {
  instance: Pick<InstanceView, 'status' | 'health'> &
    Partial<Pick<InstanceView, 'desiredState' | 'nextRetryAt'>> & { replicas?: InstanceView['replicas'] };
}) {
  const stale = useServerDown();
  const count = replicaCount(instance);
  const restarting =
    instance.desiredState !== undefined &&
    inBackoff({
      ...instance,
      desiredState: instance.desiredState,
      nextRetryAt: instance.nextRetryAt ?? null,
    });
  const shown = restarting ? 'restarting' : instance.status;
  return (
    <span
      className={stale ? 'badges stale' : 'badges'}
      data-stale={stale ? '' : undefined}
      title={stale ? 'last known: the server is not answering' : undefined}
    >
      <span className={`badge status-${shown}`} data-status={instance.status}>
        {LABELS[shown] ?? shown}
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
      {(instance.status === 'running' || instance.status === 'external') && instance.health ? (
        <span className={`badge health-${instance.health}`} title="health check">
          {instance.health === 'starting' ? 'checking health' : instance.health}
        </span>
      ) : null}
    </span>
  );
}
