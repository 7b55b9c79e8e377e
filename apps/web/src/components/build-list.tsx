import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { type BuildSummary, FINISHED_BUILD_STATUSES } from '../api/types';
import { useNow } from '../hooks/use-now';
import { useResource } from '../hooks/use-resource';
import { BuildProgress } from './build-progress';
import { Notice } from './notice';
import { Skeleton } from './skeleton';

/** How long a build ran (or has run so far): "42 s", "3 min 5 s", "1 h 2 min". */
function durationOf(b: BuildSummary, now: number): string {
  const s = Math.max(0, Math.round(((b.finishedAt ?? now) - b.createdAt) / 1000));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** The commit a build was made from, where the record says (a git source's HEAD when imported). */
function commitOf(b: BuildSummary): string | undefined {
  return b.commit ? b.commit.slice(0, 12) : undefined;
}

/**
 * Every build, newest first: its app, status, how long it took, where it came from; one opens
 * below the list with its log (live while it runs), Cancel while it runs, Redeploy once it ended.
 */
export function BuildList() {
  const builds = useResource(() => api.builds(), '', 5000);
  const now = useNow(true);
  const [open, setOpen] = useState<{ id: string; run: number }>();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const list = [...(builds.data ?? [])].sort((a, b) => b.createdAt - a.createdAt);

  const act = async (b: BuildSummary, what: 'redeploy' | 'cancel') => {
    setBusy(b.id);
    setError(undefined);
    try {
      if (what === 'redeploy') await api.redeployBuild(b.id);
      else await api.cancelBuild(b.id);
      setOpen({ id: b.id, run: Date.now() });
    } catch (err) {
      setError(`${what === 'redeploy' ? 'Redeploy' : 'Cancel'} of ${b.name}: ${messageOf(err)}`);
    } finally {
      setBusy(undefined);
      builds.reload();
    }
  };

  return (
    <>
      {builds.error ? <Notice tone="error">{builds.error}</Notice> : null}
      {builds.loading ? <Skeleton height={40} count={2} label="Loading builds" /> : null}
      {builds.data && list.length === 0 ? <Notice>No builds yet.</Notice> : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      {list.length ? (
        <div className="table-wrap">
          <table className="table stack-table" aria-label="Builds">
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Status</th>
                <th scope="col">Took</th>
                <th scope="col">Repository</th>
                <th scope="col">Commit</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => {
                const finished = FINISHED_BUILD_STATUSES.includes(b.status);
                return (
                  <tr key={b.id} data-build={b.name}>
                    <td data-label="App">
                      <strong>{b.name}</strong>
                      {b.attempt > 1 ? <span className="muted small"> · attempt {b.attempt}</span> : null}
                    </td>
                    <td data-label="Status">
                      <span className={`badge build-${b.status}`}>{b.status}</span>
                    </td>
                    <td data-label="Took">{durationOf(b, now)}</td>
                    <td data-label="Repository" className="wrap-anywhere">
                      {b.source}
                    </td>
                    <td data-label="Commit">{commitOf(b) ?? <span className="muted">—</span>}</td>
                    <td data-label="Actions">
                      <div className="actions">
                        <button
                          type="button"
                          className="button quiet"
                          aria-pressed={open?.id === b.id}
                          aria-label={`Log of ${b.name}`}
                          onClick={() => setOpen(open?.id === b.id ? undefined : { id: b.id, run: 0 })}
                        >
                          Log
                        </button>
                        {finished ? (
                          <button
                            type="button"
                            className="button"
                            disabled={busy === b.id}
                            aria-label={`Redeploy ${b.name}`}
                            onClick={() => void act(b, 'redeploy')}
                          >
                            Redeploy
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="button danger"
                            disabled={busy === b.id}
                            aria-label={`Cancel ${b.name}`}
                            onClick={() => void act(b, 'cancel')}
                          >
                            Cancel
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {open ? (
        <section
          className="build-open"
          aria-label={`Build of ${list.find((b) => b.id === open.id)?.name ?? ''}`}
        >
          <BuildProgress key={`${open.id}-${open.run}`} buildId={open.id} />
        </section>
      ) : null}
    </>
  );
}
