import { useState } from 'react';
import { api } from '../api/api';
import type { NotificationChannelView } from '../api/types';
import { NotAvailable, Notice } from '../components/notice';
import { NotificationChannelBlock } from '../components/notification-channel-block';
import { NotificationChannelModal } from '../components/notification-channel-modal';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';

/**
 * Notification channels (admin only: they hold secrets): each with where it sends, what it is told
 * of, its last delivery and last failure, and Send a test. Polled, so a test's outcome shows.
 */
export function NotificationsPage() {
  const list = useResource(() => api.notificationChannels(), '', 3_000);
  const [modal, setModal] = useState<{ open: boolean; editing?: NotificationChannelView }>({ open: false });

  return (
    <>
      <PageHeader title="Notifications">
        <button type="button" className="button primary" onClick={() => setModal({ open: true })}>
          Add channel
        </button>
      </PageHeader>
      <p className="muted lead">
        berth tells these channels when an instance crash-loops or turns unhealthy, a node stops answering, a
        build ends, or a start meets a taken port. A failed delivery is retried with backoff; the channel
        shows its last failure until one gets through.
      </p>
      {list.notAvailable ? <NotAvailable what="Notifications" /> : null}
      {list.error ? <Notice tone="error">{list.error}</Notice> : null}
      {list.loading ? <Skeleton height={190} count={2} label="Loading channels" /> : null}
      {list.data && list.data.length === 0 ? (
        <Notice>No channel yet. Add a webhook, Slack, Discord or e-mail channel to hear from berth.</Notice>
      ) : null}
      {list.data?.length ? (
        <ul className="grid cards" aria-label="Notification channels">
          {list.data.map((c) => (
            <NotificationChannelBlock
              key={c.name}
              channel={c}
              onEdit={() => setModal({ open: true, editing: c })}
              onChanged={list.reload}
            />
          ))}
        </ul>
      ) : null}
      <NotificationChannelModal
        open={modal.open}
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
