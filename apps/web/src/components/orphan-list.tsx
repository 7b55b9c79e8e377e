import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { CleanupItemView, CleanupResultView, OrphanView } from '../api/types';
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

function itemText(i: CleanupItemView): string {
  return i.orphan ? orphanText(i.orphan) : i.description;
}

/**
 * What `berth cleanup` would remove: workloads carrying this installation's markers with no record
 * behind them, folders under BERTH_HOME and port leases of no instance. Remove asks first with the
 * exact list that goes (the server's dry run), removes exactly that, then says what went, what did
 * not, and what changed in between.
 */
export function OrphanList() {
  const isAdmin = useCan('admin');
  const plan = useResource(() => api.cleanup(), '', 30_000);
  const [asking, setAsking] = useState<CleanupItemView[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<CleanupResultView>();

  const ask = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setAsking((await api.cleanup()).items);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (items: CleanupItemView[]) => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.runCleanup(items.map((i) => i.key)));
      setAsking(undefined);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      plan.reload();
    }
  };

  const list = plan.data?.items ?? [];
  return (
    <>
      {plan.error ? <Notice tone="error">{plan.error}</Notice> : null}
      {plan.loading ? <Skeleton height={32} label="Looking for orphans" /> : null}
      {plan.data && list.length === 0 ? (
        <Notice>
          Nothing to clean up: every workload, folder and port lease of berth’s has its instance.
        </Notice>
      ) : null}
      {list.length ? (
        <ul className="plain-list" aria-label="Orphans">
          {list.map((i) => (
            <li key={i.key} className="wrap-anywhere">
              {itemText(i)}
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
                {asking.length === 1 ? 'This' : `These ${asking.length}`} will be removed (a workload stopped
                first), and nothing else:
              </p>
              <ul className="plain-list" aria-label="What goes">
                {asking.map((i) => (
                  <li key={i.key} className="wrap-anywhere">
                    {itemText(i)}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div className="actions">
            {asking.length ? (
              <button
                type="button"
                className="button danger"
                disabled={busy}
                onClick={() => void remove(asking)}
              >
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
          Removed {result.removed.length}: {result.removed.map(itemText).join('; ') || 'none'}.
          {result.failed.length
            ? ` Not removed: ${result.failed.map((f) => `${itemText(f)} — ${f.error}`).join('; ')}.`
            : ''}
          {result.changed.length ? ` Changed since the question, left alone: ${result.changed.length}.` : ''}
          {result.notAsked.length
            ? ` Found since the question, left alone: ${result.notAsked.map(itemText).join('; ')}.`
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
