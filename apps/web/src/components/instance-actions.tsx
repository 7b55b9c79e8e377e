import { useState } from 'react';
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
 * Remove asks in place, as every remove in the UI does: "Yes, remove" or "Keep".
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
  const [confirming, setConfirming] = useState(false);
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
      onClick={() => (action === 'remove' ? setConfirming(true) : onAction(action))}
    >
      {busy === action ? `${label}…` : label}
    </button>
  );
  // An external instance runs elsewhere: berth neither starts nor stops it, only forgets it.
  const external = instance.status === 'external';
  return (
    <div className="actions">
      {external ? (
        <span className="small muted" title="berth keeps its record and config and checks its health">
          External: berth does not run it
        </span>
      ) : inBackoff(instance) ? (
        <>
          {button('start', 'Start now', true, 'primary')}
          {button('stop', 'Stop retrying', true)}
        </>
      ) : up ? (
        button('stop', 'Stop', true)
      ) : (
        button('start', 'Start', true, 'primary')
      )}
      {external ? null : button('restart', 'Restart', instance.status === 'running')}
      {confirming ? (
        <>
          <button
            type="button"
            className="button danger"
            disabled={busy !== undefined || serverDown}
            aria-label={`Really remove ${instance.name}`}
            title="Its data directory is deleted too."
            onClick={() => {
              setConfirming(false);
              onAction('remove');
            }}
          >
            Yes, remove
          </button>
          <button type="button" className="button quiet" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </>
      ) : (
        button(
          'remove',
          'Remove',
          canRemove,
          'danger',
          canRemove ? undefined : needsRole('admin', 'Removing an instance'),
        )
      )}
    </div>
  );
}
