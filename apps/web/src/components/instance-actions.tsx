import { useServerDown } from '../api/connection';
import type { InstanceView } from '../api/types';
import type { CardAction } from '../hooks/use-instance-actions';
import { useCan } from '../hooks/use-session';
import { inBackoff } from '../lib/restart-backoff';
import { needsRole } from '../lib/roles';

const ACTIVE = new Set(['running', 'deploying', 'pending']);

/**
 * Start/Stop/Restart/Remove; what makes sense for the state is enabled, the rest is not. A `read`
 * token sees none of them, an `operate` token sees Remove disabled (it needs `admin`). During a
 * restart backoff: Start now and Stop retrying. While the server does not answer, none is enabled.
 */
export function InstanceActions({
  instance,
  busy,
  onAction,
}: {
  instance: Pick<InstanceView, 'name' | 'status' | 'desiredState' | 'nextRetryAt'>;
  busy: CardAction | undefined;
  onAction: (action: CardAction) => void;
}) {
  const canOperate = useCan('operate');
  const canRemove = useCan('admin');
  const serverDown = useServerDown();
  const up = instance.desiredState === 'running' && ACTIVE.has(instance.status);
  if (!canOperate) {
    return (
      <p className="actions read-only small muted" title={needsRole('operate', 'Starting and stopping')}>
        Read-only token
      </p>
    );
  }
  const button = (action: CardAction, label: string, enabled: boolean, tone = '', title?: string) => (
    <button
      type="button"
      className={`button ${tone}`}
      disabled={!enabled || busy !== undefined || serverDown}
      aria-label={`${label} ${instance.name}`}
      title={title}
      onClick={() => {
        if (
          action === 'remove' &&
          !window.confirm(`Remove ${instance.name}? Its data directory is deleted too.`)
        )
          return;
        onAction(action);
      }}
    >
      {busy === action ? `${label}…` : label}
    </button>
  );
  return (
    <div className="actions">
      {inBackoff(instance) ? (
        <>
          {button('start', 'Start now', true, 'primary')}
          {button('stop', 'Stop retrying', true)}
        </>
      ) : up ? (
        button('stop', 'Stop', true)
      ) : (
        button('start', 'Start', true, 'primary')
      )}
      {button('restart', 'Restart', instance.status === 'running')}
      {button(
        'remove',
        'Remove',
        canRemove,
        'danger',
        canRemove ? undefined : needsRole('admin', 'Removing an instance'),
      )}
    </div>
  );
}
