import { useCallback, useRef, useState } from 'react';
import { api } from '../api/api';
import { InstanceCard } from '../components/instance-card';
import { InstanceTable } from '../components/instance-table';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { PortConflictDialog } from '../components/port-conflict-dialog';
import { Skeleton } from '../components/skeleton';
import { useEventFeed } from '../hooks/use-event-feed';
import { useInstanceActions } from '../hooks/use-instance-actions';
import { useResource } from '../hooks/use-resource';
import { hrefOf } from '../hooks/use-route';
import { useCan } from '../hooks/use-session';
import { matchesFilter } from '../lib/instance-table';

type View = 'cards' | 'table';
const VIEW_KEY = 'berth.instances.view';
const STATUSES = [
  'running',
  'deploying',
  'pending',
  'stopping',
  'stopped',
  'error',
  'unreachable',
  'external',
];

/** The view chosen last time on this browser (cards by default). */
function rememberedView(): View {
  try {
    return localStorage.getItem(VIEW_KEY) === 'table' ? 'table' : 'cards';
  } catch {
    return 'cards';
  }
}

/**
 * Every instance, or those in one `status` (a dashboard tile's link), filterable by words, labels
 * and status; as cards or as a table (sortable, several at once), the choice remembered.
 */
export function InstancesPage({ status }: { status?: string | undefined }) {
  const [filter, setFilter] = useState('');
  const [labelFilter, setLabelFilter] = useState('');
  const [statusFilter, setStatusFilter] = useState('');
  const [view, setView] = useState<View>(rememberedView);
  const choose = (v: View) => {
    setView(v);
    try {
      localStorage.setItem(VIEW_KEY, v);
    } catch {
      // a browser that keeps nothing: the choice lasts this page
    }
  };
  const reloadRef = useRef<() => void>(undefined);
  const feed = useEventFeed({ keep: 1, onEvent: useCallback(() => reloadRef.current?.(), []) });
  // with a live event feed the list refreshes on each event; otherwise every 3 s
  const instances = useResource(() => api.instances(), '', feed.mode === 'live' ? 15_000 : 3000);
  const { reload } = instances;
  reloadRef.current = reload;
  const actions = useInstanceActions(reload);
  const canCreate = useCan('admin');
  const canOperate = useCan('operate');

  const needle = filter.trim();
  const list = (instances.data ?? []).filter(
    (i) =>
      (!status || i.status === status) &&
      matchesFilter(i, { text: needle, labels: labelFilter, status: statusFilter }),
  );
  const filtered = Boolean(needle || labelFilter.trim() || statusFilter || status);

  return (
    <>
      <PageHeader title="Instances">
        <label className="sr-only" htmlFor="instance-filter">
          Filter instances
        </label>
        <input
          id="instance-filter"
          type="search"
          placeholder="Filter by name, template, node, label"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <fieldset className="view-toggle" aria-label="View">
          <button
            type="button"
            className="button"
            aria-pressed={view === 'cards'}
            onClick={() => choose('cards')}
          >
            Cards
          </button>
          <button
            type="button"
            className="button"
            aria-pressed={view === 'table'}
            onClick={() => choose('table')}
          >
            Table
          </button>
        </fieldset>
        {canCreate ? (
          <a className="button primary" href="#/templates">
            New instance
          </a>
        ) : null}
      </PageHeader>
      {status ? (
        <p className="status-filter" data-status-filter={status}>
          Showing the instances that are <strong>{status}</strong>:{' '}
          {instances.data ? `${list.length} of ${instances.data.length}` : ''} ·{' '}
          <a href={hrefOf({ page: 'instances' })}>show all</a>
        </p>
      ) : null}
      <div className="instance-filters">
        <label className="sr-only" htmlFor="instance-label-filter">
          Filter by labels
        </label>
        <input
          id="instance-label-filter"
          type="search"
          placeholder="Labels: team=web tier"
          value={labelFilter}
          onChange={(e) => setLabelFilter(e.target.value)}
        />
        <label className="sr-only" htmlFor="instance-status-filter">
          Filter by status
        </label>
        <select
          id="instance-status-filter"
          value={statusFilter}
          onChange={(e) => setStatusFilter(e.target.value)}
        >
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {instances.error ? <Notice tone="error">{instances.error}</Notice> : null}
      {instances.loading ? <Skeleton height={220} count={3} label="Loading instances" /> : null}
      {!instances.loading && instances.data?.length === 0 ? (
        <Notice>
          No instances yet. Pick a template to create one: <a href="#/templates">templates</a>.
        </Notice>
      ) : null}
      {filtered && list.length === 0 && instances.data?.length ? (
        <Notice>{needle ? `No instance matches “${filter}”.` : 'No instance matches these filters.'}</Notice>
      ) : null}
      {view === 'table' && list.length > 0 ? (
        <InstanceTable instances={list} canOperate={canOperate} canRemove={canCreate} onDone={reload} />
      ) : null}
      {view === 'cards' ? (
        <div className="grid cards">
          {list.map((i) => (
            <InstanceCard
              key={i.id}
              instance={i}
              busy={actions.busy[i.name]}
              error={actions.errors[i.name]}
              onAction={(a) => void actions.run(i.name, a)}
            />
          ))}
        </div>
      ) : null}
      <PortConflictDialog
        state={actions.starter.dialog}
        onResolve={actions.starter.resolve}
        onDismiss={actions.starter.dismiss}
      />
    </>
  );
}
