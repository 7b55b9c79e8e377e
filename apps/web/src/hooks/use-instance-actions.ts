import { useCallback, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { type InstanceStart, useInstanceStart } from './use-instance-start';

export type CardAction = 'start' | 'stop' | 'restart' | 'kill' | 'remove';

export interface InstanceActions {
  run: (instance: string, action: CardAction) => Promise<void>;
  /** The action under way per instance name. */
  busy: Record<string, CardAction>;
  /** The last failure per instance name, in the API's words. */
  errors: Record<string, string>;
  starter: InstanceStart;
}

/** Start (through the port-conflict flow), stop, restart, kill and remove, with per-instance state. */
export function useInstanceActions(onChanged: () => void): InstanceActions {
  const starter = useInstanceStart();
  const [busy, setBusy] = useState<Record<string, CardAction>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { start } = starter;

  const run = useCallback(
    async (instance: string, action: CardAction) => {
      setBusy((b) => ({ ...b, [instance]: action }));
      setErrors(({ [instance]: _, ...rest }) => rest);
      try {
        if (action === 'start') await start({ instance });
        else if (action === 'remove') await api.remove(instance);
        else await api.act(instance, action);
      } catch (err) {
        setErrors((e) => ({ ...e, [instance]: messageOf(err) }));
      } finally {
        setBusy(({ [instance]: _, ...rest }) => rest);
        onChanged();
      }
    },
    [start, onChanged],
  );

  return { run, busy, errors, starter };
}
