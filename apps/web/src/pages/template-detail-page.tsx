import { useCallback, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { type CreatedInstance, CreateInstanceForm } from '../components/create-instance-form';
import { InstanceCard } from '../components/instance-card';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { PortConflictDialog } from '../components/port-conflict-dialog';
import { RoleNotice } from '../components/role-notice';
import { Skeleton } from '../components/skeleton';
import { TemplateManage } from '../components/template-manage';
import { TemplateSummary } from '../components/template-summary';
import { TemplateVersions } from '../components/template-versions';
import { useInstanceActions } from '../hooks/use-instance-actions';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';
import { needsRole } from '../lib/roles';

export function TemplateDetailPage({ name }: { name: string }) {
  const template = useResource(() => api.template(name), name);
  const instances = useResource(() => api.instances({ template: name }), name, 5000);
  const { reload } = instances;
  const actions = useInstanceActions(reload);
  const canCreate = useCan('admin');
  const canStart = useCan('operate');
  const [notice, setNotice] = useState<{ tone: 'calm' | 'error'; text: string }>();
  const t = template.data?.template;
  const singleton = t?.maxInstances === 1;
  const existing = instances.data ?? [];

  const { start, repin } = actions.starter;
  const onCreated = useCallback(
    async (inst: CreatedInstance, startNow: boolean) => {
      setNotice({ tone: 'calm', text: `Created ${inst.name}.` });
      reload();
      if (!startNow) {
        // a pinned port someone holds: the start's dialog now, not a surprise at the first start
        const taken = inst.portConflicts ?? [];
        if (taken.length === 0) return;
        const settled = await repin(inst.name, taken);
        setNotice({
          tone: 'calm',
          text: settled
            ? `Created ${inst.name} with the ports you chose.`
            : `Created ${inst.name}; its pinned port is taken, so starting it will ask again.`,
        });
        reload();
        return;
      }
      try {
        const started = await start({ instance: inst.name });
        setNotice({
          tone: 'calm',
          text: started ? `Started ${inst.name}.` : `Created ${inst.name}; not started.`,
        });
      } catch (err) {
        setNotice({ tone: 'error', text: messageOf(err) });
      }
      reload();
    },
    [start, repin, reload],
  );

  const startService = async () => {
    try {
      await start({ service: name });
      setNotice({ tone: 'calm', text: `Started ${name}.` });
    } catch (err) {
      setNotice({ tone: 'error', text: messageOf(err) });
    }
    reload();
  };

  return (
    <>
      <PageHeader title={name}>
        <a className="button quiet" href="#/templates">
          All templates
        </a>
      </PageHeader>
      {template.error ? <Notice tone="error">{template.error}</Notice> : null}
      {notice ? <Notice tone={notice.tone}>{notice.text}</Notice> : null}
      <TemplateManage name={name} template={t} origin={template.data?.origin} onSaved={template.reload} />
      <div className="grid two">
        <section className="card" aria-labelledby="about">
          <h2 id="about">About</h2>
          {t ? (
            <>
              {t.description ? <p>{t.description}</p> : null}
              <TemplateSummary template={t} />
            </>
          ) : (
            <Skeleton height={180} />
          )}
        </section>
        <section className="card" aria-labelledby="new-instance">
          <h2 id="new-instance">{singleton ? 'Service' : 'New instance'}</h2>
          {!t ? <Skeleton height={220} /> : null}
          {t && singleton && existing.length > 0 ? (
            <>
              <p className="muted">This template runs as a single service.</p>
              <button
                type="button"
                className="button primary"
                onClick={startService}
                disabled={!canStart}
                title={canStart ? undefined : needsRole('operate', 'Starting a service')}
              >
                Start {name}
              </button>
            </>
          ) : null}
          {t && !(singleton && existing.length > 0) && canCreate ? (
            <CreateInstanceForm template={t} onCreated={onCreated} />
          ) : null}
          {t && !(singleton && existing.length > 0) && !canCreate ? (
            <RoleNotice need="admin" what="Creating an instance" />
          ) : null}
        </section>
      </div>
      <TemplateVersions name={name} />
      <section aria-labelledby="instances-of">
        <h2 id="instances-of">Instances of {name}</h2>
        {instances.loading ? <Skeleton height={220} count={2} /> : null}
        {!instances.loading && existing.length === 0 ? <Notice>None yet.</Notice> : null}
        <div className="grid cards">
          {existing.map((i) => (
            <InstanceCard
              key={i.id}
              instance={i}
              busy={actions.busy[i.name]}
              error={actions.errors[i.name]}
              onAction={(a) => void actions.run(i.name, a)}
            />
          ))}
        </div>
      </section>
      <PortConflictDialog
        state={actions.starter.dialog}
        onResolve={actions.starter.resolve}
        onDismiss={actions.starter.dismiss}
      />
    </>
  );
}
