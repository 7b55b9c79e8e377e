import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { NotificationChannelView } from '../api/types';
import { formatAgo, formatDateTime } from '../lib/format';
import { KIND_LABELS, rulesInWords } from '../lib/notification-form';
import { ConfirmInPlace } from './confirm-in-place';

function When({ ts }: { ts: number }) {
  return (
    <time dateTime={new Date(ts).toISOString()} title={formatDateTime(ts)}>
      {formatAgo(ts)}
    </time>
  );
}

/**
 * One channel: its kind, where it sends (never a secret), what it is told of, its last delivery
 * and its last failure, with Send a test / Edit / Delete. Delete asks once more, in place.
 */
export function NotificationChannelBlock({
  channel: c,
  onEdit,
  onChanged,
}: {
  channel: NotificationChannelView;
  onEdit: () => void;
  onChanged: () => void;
}) {
  const [note, setNote] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const [testing, setTesting] = useState(false);
  const failing = c.lastError !== null;
  const status = failing ? 'failing' : c.lastDeliveryAt ? 'delivered' : 'nothing sent yet';

  const test = async () => {
    setTesting(true);
    setNote(undefined);
    try {
      await api.testNotificationChannel(c.name);
      setNote({ tone: 'ok', text: 'Test queued: its delivery or its failure shows here in a moment.' });
    } catch (err) {
      setNote({ tone: 'error', text: messageOf(err) });
    } finally {
      setTesting(false);
      onChanged();
    }
  };

  const remove = async () => {
    try {
      await api.removeNotificationChannel(c.name);
      onChanged();
    } catch (err) {
      setNote({ tone: 'error', text: messageOf(err) });
    }
  };

  return (
    <li className="card integration-block channel-block" data-channel={c.name}>
      <div className="card-head">
        <div>
          <h3>{c.name}</h3>
          <p className="badges">
            <span className={`tag type-${c.kind}`}>{KIND_LABELS[c.kind].label}</span>
            {c.pending > 0 ? <span className="tag">{c.pending} waiting</span> : null}
          </p>
        </div>
        <span
          className={`badge scan-${failing ? 'error' : c.lastDeliveryAt ? 'ok' : 'idle'}`}
          data-status={status}
        >
          {status}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Sends to</dt>
          <dd className="wrap-anywhere">{c.target || '—'}</dd>
        </div>
        <div>
          <dt>Told of</dt>
          <dd>{rulesInWords(c.rules)}</dd>
        </div>
        <div>
          <dt>Delivered</dt>
          <dd>{c.lastDeliveryAt ? <When ts={c.lastDeliveryAt} /> : 'never'}</dd>
        </div>
      </dl>
      {note ? (
        <p className={`scan-note small test-${note.tone}`} role={note.tone === 'error' ? 'alert' : 'status'}>
          {note.text}
        </p>
      ) : null}
      <p className={`scan-note card-error wrap-anywhere${failing ? '' : ' empty'}`} data-last-error>
        {failing ? (
          <>
            Last failure
            {c.lastErrorAt ? (
              <>
                {' '}
                (<When ts={c.lastErrorAt} />)
              </>
            ) : null}
            : {c.lastError}
          </>
        ) : (
          'No failure since the last delivery'
        )}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={testing}
          onClick={test}
          aria-label={`Send a test to ${c.name}`}
        >
          {testing ? 'Sending…' : 'Send a test'}
        </button>
        <button type="button" className="button" onClick={onEdit} aria-label={`Edit ${c.name}`}>
          Edit
        </button>
        <ConfirmInPlace verb="delete" subject={c.name} onConfirm={remove} />
      </div>
    </li>
  );
}
