import { useState } from 'react';
import { api } from '../api/api';
import type { IntegrationView } from '../api/types';
import { IntegrationBlock } from '../components/integration-block';
import { IntegrationModal } from '../components/integration-modal';
import { NotAvailable, Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';
import { needsRole } from '../lib/roles';

/** Docker, Portainer and Komodo endpoints whose containers count as taken ports, one block each. */
export function IntegrationsPage() {
  const types = useResource(() => api.integrationTypes(), '');
  const list = useResource(() => api.integrations(), '', 5_000);
  const isAdmin = useCan('admin');
  const [modal, setModal] = useState<{ open: boolean; editing?: IntegrationView }>({ open: false });
  const labelOf = (t: string) => types.data?.find((x) => x.type === t)?.label ?? t;

  return (
    <>
      <PageHeader title="Integrations">
        <button
          type="button"
          className="button primary"
          disabled={!types.data?.length || !isAdmin}
          title={isAdmin ? undefined : needsRole('admin', 'Adding an integration')}
          onClick={() => setModal({ open: true })}
        >
          Add integration
        </button>
      </PageHeader>
      <p className="muted lead">
        berth reads what runs elsewhere — a Docker engine, a Portainer server, a Komodo Core — and counts the
        ports its containers publish as taken, on the host they run on.
      </p>
      {list.notAvailable ? <NotAvailable what="Integrations" /> : null}
      {list.error ? <Notice tone="error">{list.error}</Notice> : null}
      {types.error ? <Notice tone="error">{types.error}</Notice> : null}
      {list.loading ? <Skeleton height={190} count={2} label="Loading integrations" /> : null}
      {list.data && list.data.length === 0 ? (
        <Notice>No integration yet. Add one to see the ports used on your other hosts.</Notice>
      ) : null}
      {list.data?.length ? (
        <ul className="grid cards" aria-label="Integrations">
          {list.data.map((i) => (
            <IntegrationBlock
              key={i.id}
              integration={i}
              typeLabel={labelOf(i.type)}
              onEdit={() => setModal({ open: true, editing: i })}
              onChanged={list.reload}
            />
          ))}
        </ul>
      ) : null}
      <IntegrationModal
        open={modal.open}
        types={types.data ?? []}
        editing={modal.editing}
        onClose={() => setModal({ open: false })}
        onSaved={() => {
          setModal({ open: false });
          list.reload();
        }}
      />
    </>
  );
}
