import { useState } from 'react';
import { useServerDown } from '../api/connection';
import type { InstanceView } from '../api/types';
import { useCan } from '../hooks/use-session';

const KILLABLE = new Set(['running', 'deploying', 'stopping']);

/**
 * Kill: the workload is stopped at once (SIGKILL, no grace period), for one that does not stop.
 * It asks in place first, as removes do ("Yes, kill" or "Keep"), saying what it costs.
 */
export function KillButton({
  instance,
  busy,
  onKill,
}: {
  instance: Pick<InstanceView, 'name' | 'status'>;
  busy: boolean;
  onKill: () => void;
}) {
  const canOperate = useCan('operate');
  const serverDown = useServerDown();
  const [asking, setAsking] = useState(false);
  if (!canOperate || !KILLABLE.has(instance.status)) return null;
  if (!asking) {
    return (
      <button
        type="button"
        className="button danger"
        disabled={busy || serverDown}
        aria-label={`Kill ${instance.name}`}
        title="Stops it at once, with no time to shut down cleanly"
        onClick={() => setAsking(true)}
      >
        {busy ? 'Kill…' : 'Kill'}
      </button>
    );
  }
  return (
    <fieldset className="actions ask" aria-label={`Kill ${instance.name}?`}>
      <span className="small">Kill {instance.name} at once? It gets no time to finish or save its work.</span>
      <button
        type="button"
        className="button danger"
        disabled={busy || serverDown}
        onClick={() => {
          setAsking(false);
          onKill();
        }}
      >
        Yes, kill
      </button>
      <button type="button" className="button quiet" onClick={() => setAsking(false)}>
        Keep
      </button>
    </fieldset>
  );
}
