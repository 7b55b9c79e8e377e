import { useCallback, useRef, useState } from 'react';
import { api } from '../api/api';
import { ApiError, messageOf } from '../api/api-error';
import type { PortConflictView } from '../api/types';

/** What to start: an instance by id or name, or a singleton service by its template. */
export type StartTarget = { instance: string } | { service: string };

export interface ConflictDialogState {
  open: boolean;
  instanceName: string;
  conflicts: PortConflictView[];
  /** Why the last choice did not work (e.g. the chosen port is taken too). */
  error: string | undefined;
  busy: boolean;
}

export interface InstanceStart {
  /** Resolves to true once started, false when the person cancelled. Throws what the API said. */
  start: (target: StartTarget) => Promise<boolean>;
  dialog: ConflictDialogState;
  /** The ports the person chose, by port name. */
  resolve: (ports: Record<string, number>) => void;
  dismiss: () => void;
}

const closed: ConflictDialogState = {
  open: false,
  instanceName: '',
  conflicts: [],
  error: undefined,
  busy: false,
};

function conflictsOf(err: unknown): PortConflictView[] | undefined {
  if (!(err instanceof ApiError) || err.code !== 'PORT_CONFLICT') return undefined;
  const list = err.details.portConflicts;
  return Array.isArray(list) && list.length > 0 ? (list as PortConflictView[]) : undefined;
}

/** A singleton service is its template's one instance, created (not started) the first time. */
async function instanceFor(target: StartTarget): Promise<string> {
  if ('instance' in target) return target.instance;
  const existing = await api.instances({ template: target.service });
  if (existing[0]) return existing[0].name;
  const created = await api.createInstance({ template: target.service, start: false });
  return created.name;
}

/**
 * The one start flow for instances and singleton services alike: preflight → ask about ports
 * someone else holds ("Port 8765 is in use by X. Use 8766?") → override each → start, and ask
 * again if the start still meets a conflict.
 */
export function useInstanceStart(): InstanceStart {
  const [dialog, setDialog] = useState<ConflictDialogState>(closed);
  const answer = useRef<((ports: Record<string, number> | null) => void) | undefined>(undefined);

  const ask = useCallback(
    (instanceName: string, conflicts: PortConflictView[], error?: string) =>
      new Promise<Record<string, number> | null>((resolve) => {
        answer.current = resolve;
        setDialog({ open: true, instanceName, conflicts, error, busy: false });
      }),
    [],
  );

  const start = useCallback(
    async (target: StartTarget): Promise<boolean> => {
      const key = await instanceFor(target);
      const pre = await api.preflight(key);
      let conflicts: PortConflictView[] = pre.portConflicts.filter((c) => c.pinned);
      let error: string | undefined;
      try {
        for (;;) {
          if (conflicts.length > 0) {
            const chosen = await ask(key, conflicts, error);
            if (!chosen) return false;
            setDialog((d) => ({ ...d, busy: true, error: undefined }));
            try {
              for (const c of conflicts) {
                const port = chosen[c.name];
                if (port !== undefined && port !== c.port) await api.overridePort(key, c.name, port);
              }
            } catch (err) {
              error = messageOf(err);
              conflicts = conflictsOf(err) ?? conflicts;
              continue;
            }
          }
          try {
            await api.act(key, 'start');
            return true;
          } catch (err) {
            const again = conflictsOf(err);
            if (!again) throw err;
            conflicts = again;
            error = conflicts.length > 0 ? undefined : messageOf(err);
          }
        }
      } finally {
        answer.current = undefined;
        setDialog(closed);
      }
    },
    [ask],
  );

  const resolve = useCallback((ports: Record<string, number>) => answer.current?.(ports), []);
  const dismiss = useCallback(() => answer.current?.(null), []);
  return { start, dialog, resolve, dismiss };
}
