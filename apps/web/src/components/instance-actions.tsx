import type { InstanceView } from '../api/types';
import type { CardAction } from '../hooks/use-instance-actions';

const ACTIVE = new Set(['running', 'deploying', 'pending']);

/** Start/Stop/Restart/Remove; what makes sense for the state is enabled, the rest is not. */
export function InstanceActions({
  instance,
  busy,
  onAction,
}: {
  instance: Pick<InstanceView, 'name' | 'status' | 'desiredState'>;
  busy: CardAction | undefined;
  onAction: (action: CardAction) => void;
}) {
  const up = instance.desiredState === 'running' && ACTIVE.has(instance.status);
  const button = (action: CardAction, label: string, enabled: boolean, tone = '') => (
    <button
      type="button"
      className={`button ${tone}`}
      disabled={!enabled || busy !== undefined}
      aria-label={`${label} ${instance.name}`}
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
      {up ? button('stop', 'Stop', true) : button('start', 'Start', true, 'primary')}
      {button('restart', 'Restart', instance.status === 'running')}
      {button('remove', 'Remove', true, 'danger')}
    </div>
  );
}
