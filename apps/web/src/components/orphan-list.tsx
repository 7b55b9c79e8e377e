import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { GcResultView, OrphanView } from '../api/types';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';
import { Notice } from './notice';
import { Skeleton } from './skeleton';

function orphanText(o: OrphanView): string {
  const what = o.name ?? o.id;
  const was = o.instanceName ? ` (was instance ${o.instanceName})` : '';
  if (o.kind === 'data') return `${o.runtime} data ${what} on ${o.node}${was}, kept after its instance went`;
  return `${o.runtime} ${what} on ${o.node}${was}, ${o.running ? 'running' : 'stopped'}`;
}

/**
 * Workloads carrying this installation's markers with no record behind them. Remove asks first
 * with the exact list that goes (the server's dry run), then says what went and what did not.
 */
export function OrphanList() {
  const isAdmin = useCan('admin');
  const orphans = useResource(() => api.orphans(), '', 30_000);
  const [asking, setAsking] = useState<OrphanView[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<GcResultView>();

  const ask = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setAsking((await api.gc(true)).removed);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.gc(false));
      setAsking(undefined);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      orphans.reload();
    }
  };

  const list = orphans.data ?? [];
  return (
    <>
      {orphans.error ? <Notice tone="error">{orphans.error}</Notice> : null}
      {orphans.loading ? <Skeleton height={32} label="Looking for orphans" /> : null}
      {orphans.data && list.length === 0 ? (
        <Notice>No orphans: every workload of berth’s has its record.</Notice>
      ) : null}
      {list.length ? (
        <ul className="plain-list" aria-label="Orphans">
          {list.map((o) => (
            <li key={`${o.node}/${o.runtime}/${o.id}`} className="wrap-anywhere">
              {orphanText(o)}
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {asking ? (
        <fieldset className="notice notice-error ask" aria-label="Remove these orphans?">
          {asking.length === 0 ? (
            <p>There is nothing to remove now.</p>
          ) : (
            <>
              <p>
                {asking.length === 1 ? 'This workload' : `These ${asking.length} workloads`} will be stopped
                and removed, and nothing else:
              </p>
              <ul className="plain-list" aria-label="What goes">
                {asking.map((o) => (
                  <li key={`${o.node}/${o.runtime}/${o.id}`} className="wrap-anywhere">
                    {orphanText(o)}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="actions">
            {asking.length ? (
              <button type="button" className="button danger" disabled={busy} onClick={() => void remove()}>
                {busy ? 'Removing…' : `Yes, remove ${asking.length}`}
              </button>
            ) : null}
            <button type="button" className="button quiet" onClick={() => setAsking(undefined)}>
              Keep
            </button>
          </div>
        </fieldset>
      ) : null}
      {result ? (
        <p className={`notice ${result.failed.length ? 'notice-error' : 'notice-calm'}`} role="status">
          Removed {result.removed.length}: {result.removed.map(orphanText).join('; ') || 'none'}.
          {result.failed.length
            ? ` Not removed: ${result.failed.map((f) => `${orphanText(f)} — ${f.error}`).join('; ')}.`
            : ''}
        </p>
      ) : null}
      {isAdmin && list.length && !asking ? (
        <button type="button" className="button danger" disabled={busy} onClick={() => void ask()}>
          Remove orphans…
        </button>
      ) : null}
    </>
  );
}
