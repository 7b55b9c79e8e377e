import { useCallback } from 'react';
import { api } from '../api/api';
import type { InstanceStatus } from '../api/types';
import { EventList } from '../components/event-list';
import { HostStatsPanel } from '../components/host-stats-panel';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { useEventFeed } from '../hooks/use-event-feed';
import { useResource } from '../hooks/use-resource';
import { hrefOf } from '../hooks/use-route';

const ORDER: InstanceStatus[] = [
  'running',
  'deploying',
  'pending',
  'stopping',
  'stopped',
  'error',
  'unreachable',
  'external',
];

export function DashboardPage() {
  const instances = useResource(() => api.instances(), '', 10_000);
  const { reload } = instances;
  const feed = useEventFeed({ keep: 15, onEvent: useCallback(() => reload(), [reload]) });
  const counts = new Map<string, number>();
  for (const i of instances.data ?? []) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);

  return (
    <>
      <PageHeader title="Dashboard" />
      <div className="grid two">
        <section className="card" aria-labelledby="by-status">
          <h2 id="by-status">Instances by status</h2>
          {instances.error ? <Notice tone="error">{instances.error}</Notice> : null}
          {instances.loading && !instances.data ? (
            <Skeleton height={88} />
          ) : (
            <ul className="status-counts">
              {ORDER.map((s) => (
                <li key={s} className={`status-count status-${s}`}>
                  <a className="status-link" href={hrefOf({ page: 'instances', status: s })}>
                    <strong>{counts.get(s) ?? 0}</strong>
                    <span>{s}</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            {instances.data ? `${instances.data.length} instances in all` : '\u00a0'}
          </p>
        </section>
        <HostStatsPanel />
      </div>
      <section className="card" aria-labelledby="recent-events">
        <h2 id="recent-events">Recent events</h2>
        <EventList events={feed.events} mode={feed.mode} error={feed.error} />
      </section>
    </>
  );
}
