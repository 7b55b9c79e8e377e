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
  /** True when a start waits on the answer; false when only the pins change (a create without start). */
  starting: boolean;
}

export interface InstanceStart {
  /** Resolves to true once started, false when the person cancelled. Throws what the API said. */
  start: (target: StartTarget) => Promise<boolean>;
  /**
   * A created instance's pinned ports someone else holds, asked about in the same dialog before
   * anything starts: each chosen port is pinned instead (asked again while it is taken too).
   * Resolves to true once settled, false when the person kept the taken ones.
   */
  repin: (instance: string, conflicts: PortConflictView[]) => Promise<boolean>;
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
  starting: true,
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
    (instanceName: string, conflicts: PortConflictView[], error?: string, starting = true) =>
      new Promise<Record<string, number> | null>((resolve) => {
        answer.current = resolve;
        setDialog({ open: true, instanceName, conflicts, error, busy: false, starting });
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

  const repin = useCallback(
    async (key: string, first: PortConflictView[]): Promise<boolean> => {
      let conflicts = first;
      let error: string | undefined;
      try {
        while (conflicts.length > 0) {
          const chosen = await ask(key, conflicts, error, false);
          if (!chosen) return false;
          setDialog((d) => ({ ...d, busy: true, error: undefined }));
          const left: PortConflictView[] = [];
          error = undefined;
          for (const c of conflicts) {
            const port = chosen[c.name];
            if (port === undefined) continue;
            try {
              await api.overridePort(key, c.name, port);
            } catch (err) {
              // re-checked: the chosen port is taken too (the ledger names its holder) or refused
              error = messageOf(err);
              left.push(...(conflictsOf(err) ?? [{ ...c, port }]));
            }
          }
          conflicts = left;
        }
        return true;
      } finally {
        answer.current = undefined;
        setDialog(closed);
      }
    },
    [ask],
  );

  const resolve = useCallback((ports: Record<string, number>) => answer.current?.(ports), []);
  const dismiss = useCallback(() => answer.current?.(null), []);
  return { start, repin, dialog, resolve, dismiss };
}
