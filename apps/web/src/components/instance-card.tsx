import type { InstanceView } from '../api/types';
import type { CardAction } from '../hooks/use-instance-actions';
import { useNow } from '../hooks/use-now';
import { hrefOf } from '../hooks/use-route';
import { formatUptime } from '../lib/format';
import { inBackoff } from '../lib/restart-backoff';
import { InstanceActions } from './instance-actions';
import { PortLinks } from './port-links';
import { ResourceSparklines } from './resource-sparklines';
import { RetryCountdown } from './retry-countdown';
import { StatusBadge } from './status-badge';

export function InstanceCard({
  instance,
  busy,
  error,
  onAction,
}: {
  instance: InstanceView;
  busy: CardAction | undefined;
  error: string | undefined;
  onAction: (action: CardAction) => void;
}) {
  const retrying = inBackoff(instance);
  const problem = error ?? (instance.status === 'error' && !retrying ? instance.errorMessage : null);
  return (
    <article
      className="card instance-card"
      data-instance={instance.name}
      aria-labelledby={`card-${instance.id}`}
    >
      <header className="card-head">
        <div>
          <h3 id={`card-${instance.id}`}>
            <a href={hrefOf({ page: 'instance', name: instance.name })}>{instance.name}</a>
          </h3>
          <p className="muted small">
            {instance.template} on {instance.node}
            {(instance.unappliedChanges ?? []).length > 0 ? (
              <span title={`Not applied: ${instance.unappliedChanges.join(', ')}`}>
                {' '}
                · changes not applied
              </span>
            ) : null}
          </p>
        </div>
        <StatusBadge instance={instance} />
      </header>
      <RunFacts instance={instance} />
      <PortLinks instance={instance} />
      <ResourceSparklines instance={instance.name} running={instance.status === 'running'} />
      <p className={`card-error${problem || retrying ? '' : ' empty'}`} role={problem ? 'alert' : undefined}>
        {problem ?? <RetryCountdown instance={instance} />}
      </p>
      <InstanceActions instance={instance} busy={busy} onAction={onAction} />
    </article>
  );
}

/** Uptime since the current deployment started (ticking while it runs) and restarts so far. */
function RunFacts({ instance }: { instance: InstanceView }) {
  const since = instance.runningSince;
  const now = useNow(since !== null, 1000);
  const restarts = instance.restartCount;
  return (
    <p className="muted small run-facts">
      <span
        data-uptime
        title={since !== null ? `Running since ${new Date(since).toLocaleString()}` : undefined}
      >
        {since !== null ? `up ${formatUptime(now - since)}` : 'not running'}
      </span>
      {' · '}
      <span data-restarts={restarts}>
        {restarts} restart{restarts === 1 ? '' : 's'}
      </span>
    </p>
  );
}
