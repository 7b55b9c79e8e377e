import { useCallback, useRef, useState } from 'react';
import { api } from '../api/api';
import { InstanceCard } from '../components/instance-card';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { PortConflictDialog } from '../components/port-conflict-dialog';
import { Skeleton } from '../components/skeleton';
import { useEventFeed } from '../hooks/use-event-feed';
import { useInstanceActions } from '../hooks/use-instance-actions';
import { useResource } from '../hooks/use-resource';
import { hrefOf } from '../hooks/use-route';
import { useCan } from '../hooks/use-session';

/** Every instance, or those in one `status` (a dashboard tile's link), filterable by words. */
export function InstancesPage({ status }: { status?: string | undefined }) {
  const [filter, setFilter] = useState('');
  const reloadRef = useRef<() => void>(undefined);
  const feed = useEventFeed({ keep: 1, onEvent: useCallback(() => reloadRef.current?.(), []) });
  // with a live event feed the list refreshes on each event; otherwise every 3 s
  const instances = useResource(() => api.instances(), '', feed.mode === 'live' ? 15_000 : 3000);
  const { reload } = instances;
  reloadRef.current = reload;
  const actions = useInstanceActions(reload);
  const canCreate = useCan('admin');

  const needle = filter.trim().toLowerCase();
  const list = (instances.data ?? []).filter(
    (i) =>
      (!status || i.status === status) &&
      (!needle || [i.name, i.template, i.status, i.node].some((s) => s.toLowerCase().includes(needle))),
  );

  return (
    <>
      <PageHeader title="Instances">
        <label className="sr-only" htmlFor="instance-filter">
          Filter instances
        </label>
        <input
          id="instance-filter"
          type="search"
          placeholder="Filter by name, template, status"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
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
      {instances.error ? <Notice tone="error">{instances.error}</Notice> : null}
      {instances.loading ? <Skeleton height={220} count={3} label="Loading instances" /> : null}
      {!instances.loading && instances.data?.length === 0 ? (
        <Notice>
          No instances yet. Pick a template to create one: <a href="#/templates">templates</a>.
        </Notice>
      ) : null}
      {(needle || status) && list.length === 0 && instances.data?.length ? (
        <Notice>{needle ? `No instance matches “${filter}”.` : `No instance is ${status}.`}</Notice>
      ) : null}
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
      <PortConflictDialog
        state={actions.starter.dialog}
        onResolve={actions.starter.resolve}
        onDismiss={actions.starter.dismiss}
      />
    </>
  );
}
