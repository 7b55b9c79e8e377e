import { useCallback, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { DeploymentView } from '../api/types';
import { DeploymentTable } from '../components/deployment-table';
import { EventList } from '../components/event-list';
import { InstanceActions } from '../components/instance-actions';
import { InstanceEditCard } from '../components/instance-edit-card';
import { InstanceOverview } from '../components/instance-overview';
import { KillButton } from '../components/kill-button';
import { LogViewer } from '../components/log-viewer';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { PortConflictDialog } from '../components/port-conflict-dialog';
import { ResourceCharts } from '../components/resource-charts';
import { RetryCountdown } from '../components/retry-countdown';
import { Skeleton } from '../components/skeleton';
import { StatusBadge } from '../components/status-badge';
import { useEventFeed } from '../hooks/use-event-feed';
import { type CardAction, useInstanceActions } from '../hooks/use-instance-actions';
import { useResource } from '../hooks/use-resource';
import { inBackoff } from '../lib/restart-backoff';

export function InstanceDetailPage({ name }: { name: string }) {
  const reloadRef = useRef<() => void>(undefined);
  // an instance that does not exist stops every feed and poll of this page
  const [gone, setGone] = useState(false);
  const feed = useEventFeed({
    instance: name,
    keep: 30,
    onEvent: useCallback(() => reloadRef.current?.(), []),
    enabled: !gone,
  });
  const instance = useResource(() => api.instance(name), name, feed.mode === 'live' ? 15_000 : 3000);
  const deployments = useResource(() => api.deployments(name), name, gone ? undefined : 10_000);
  if (instance.missing && !gone) setGone(true);
  reloadRef.current = () => {
    instance.reload();
    deployments.reload();
  };
  const refresh = useCallback(() => reloadRef.current?.(), []);
  const actions = useInstanceActions(refresh);
  const i = instance.data;
  const rollback = useRollback(name, refresh);

  const onAction = async (a: CardAction) => {
    await actions.run(name, a);
    if (a === 'remove') window.location.hash = '#/instances';
  };

  if (gone) {
    return (
      <>
        <PageHeader title={name} />
        <Notice tone="error">
          No such instance “{name}”: it does not exist, or it was removed. See{' '}
          <a href="#/instances">all instances</a>.
        </Notice>
      </>
    );
  }

  return (
    <>
      <PageHeader title={i?.name ?? name}>
        {i ? <StatusBadge instance={i} /> : null}
        {i ? (
          <InstanceActions instance={i} busy={actions.busy[name]} onAction={(a) => void onAction(a)} />
        ) : null}
        {i ? (
          <KillButton
            instance={i}
            busy={actions.busy[name] !== undefined}
            onKill={() => void onAction('kill')}
          />
        ) : null}
      </PageHeader>
      {instance.error ? <Notice tone="error">{instance.error}</Notice> : null}
      {actions.errors[name] ? <Notice tone="error">{actions.errors[name]}</Notice> : null}
      {i && inBackoff(i) ? (
        <Notice>
          <RetryCountdown instance={i} />
        </Notice>
      ) : i?.status === 'error' && i.errorMessage ? (
        <Notice tone="error">{i.errorMessage}</Notice>
      ) : null}
      <div className="grid detail">
        <section className="card" aria-labelledby="overview">
          <h2 id="overview">Overview</h2>
          {i ? <InstanceOverview instance={i} /> : <Skeleton height={260} />}
        </section>
        <section className="card" aria-labelledby="events">
          <h2 id="events">Events</h2>
          <EventList events={feed.events} mode={feed.mode} error={feed.error} showInstance={false} />
        </section>
      </div>
      {i ? <InstanceEditCard instance={i} onChanged={refresh} /> : null}
      <section className="card" aria-labelledby="logs">
        <h2 id="logs">Logs</h2>
        <LogViewer instance={name} />
      </section>
      <section className="card" aria-labelledby="resources">
        <h2 id="resources">CPU, memory and disk</h2>
        <ResourceCharts instance={name} running={i?.status === 'running'} />
      </section>
      <section className="card" aria-labelledby="deployments">
        <h2 id="deployments">Deployment history</h2>
        {deployments.error ? <Notice tone="error">{deployments.error}</Notice> : null}
        {deployments.loading ? <Skeleton height={120} /> : null}
        {deployments.data?.length === 0 ? <Notice>Not deployed yet.</Notice> : null}
        {rollback.error ? <Notice tone="error">{rollback.error}</Notice> : null}
        {deployments.data?.length ? (
          <DeploymentTable
            deployments={deployments.data}
            currentId={i?.currentDeploymentId ?? null}
            busy={rollback.busy}
            onRollback={(d) => void rollback.run(d)}
          />
        ) : null}
      </section>
      <PortConflictDialog
        state={actions.starter.dialog}
        onResolve={actions.starter.resolve}
        onDismiss={actions.starter.dismiss}
      />
    </>
  );
}

/** "Roll back to this": the deployment's spec becomes the instance's again and runs. */
function useRollback(name: string, refresh: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (d: DeploymentView) => {
    if (!window.confirm(`Roll ${name} back to the deployment of ${new Date(d.createdAt).toLocaleString()}?`))
      return;
    setBusy(true);
    setError(undefined);
    try {
      await api.rollback(name, d.id);
      refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
