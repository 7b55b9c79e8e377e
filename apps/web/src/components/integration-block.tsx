import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { IntegrationView } from '../api/types';
import { useCan } from '../hooks/use-session';
import { REASON_WORDS } from '../lib/connection-result';
import { formatAgo, formatDateTime } from '../lib/format';
import { formatEvery } from '../lib/format-interval';
import { needsRole } from '../lib/roles';
import { ConfirmInPlace } from './confirm-in-place';

type Status = { tone: 'ok' | 'error' | 'idle' | 'busy'; text: string };

function statusOf(i: IntegrationView, scanning: boolean): Status {
  if (scanning || i.scanning) return { tone: 'busy', text: 'scanning' };
  if (!i.enabled) return { tone: 'idle', text: 'disabled' };
  if (i.lastScanStatus === 'error') return { tone: 'error', text: 'scan failed' };
  if (i.lastScanStatus === 'ok') return { tone: 'ok', text: 'ok' };
  return { tone: 'idle', text: 'not scanned yet' };
}

/**
 * One integration: what it is, how its last scan went (when, what it found, why it failed) and
 * how often it scans, with Scan now / Edit / Delete. Delete asks once more, in place.
 */
export function IntegrationBlock({
  integration: i,
  typeLabel,
  onEdit,
  onChanged,
}: {
  integration: IntegrationView;
  typeLabel: string;
  onEdit: () => void;
  onChanged: () => void;
}) {
  const [scanning, setScanning] = useState(false);
  const [note, setNote] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const status = statusOf(i, scanning);
  const isAdmin = useCan('admin');

  const scan = async () => {
    setScanning(true);
    setNote(undefined);
    try {
      const r = await api.scanIntegration(i.id);
      setNote(
        r.ok
          ? {
              tone: 'ok',
              text: `Found ${r.containers} container${r.containers === 1 ? '' : 's'} with ${r.ports} published port${r.ports === 1 ? '' : 's'}.`,
            }
          : { tone: 'error', text: `${REASON_WORDS[r.reason] ?? REASON_WORDS.unknown} — ${r.message}` },
      );
    } catch (err) {
      setNote({ tone: 'error', text: messageOf(err) });
    } finally {
      setScanning(false);
      onChanged();
    }
  };

  const remove = async () => {
    try {
      await api.removeIntegration(i.id);
      onChanged();
    } catch (err) {
      setNote({ tone: 'error', text: messageOf(err) });
    }
  };

  return (
    <li className="card integration-block" data-integration={i.name}>
      <div className="card-head">
        <div>
          <h3>{i.name}</h3>
          <p className="badges">
            <span className={`tag type-${i.type}`}>{typeLabel}</span>
            {i.enabled ? null : <span className="tag">disabled</span>}
          </p>
        </div>
        <span className={`badge scan-${status.tone}`} data-status={status.text}>
          {status.text}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Last scan</dt>
          <dd>
            {i.lastScanAt ? (
              <time dateTime={new Date(i.lastScanAt).toISOString()} title={formatDateTime(i.lastScanAt)}>
                {formatAgo(i.lastScanAt)}
              </time>
            ) : (
              'never'
            )}
          </dd>
        </div>
        <div>
          <dt>Found</dt>
          <dd>
            <strong className="num">{i.containerCount}</strong> container{i.containerCount === 1 ? '' : 's'},{' '}
            <strong className="num">{i.portCount}</strong> port{i.portCount === 1 ? '' : 's'}
            {i.hosts.length ? <span className="muted"> on {i.hosts.join(', ')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Scans</dt>
          <dd>{i.autoDetect ? formatEvery(i.scanIntervalSeconds) : 'only on Scan now'}</dd>
        </div>
      </dl>
      {note ? (
        <p className={`scan-note small test-${note.tone}`} role={note.tone === 'error' ? 'alert' : 'status'}>
          {note.text}
        </p>
      ) : (
        // one line kept for the scan's outcome, so nothing jumps when it arrives
        <p className={`scan-note card-error${i.lastScanError ? '' : ' empty'}`}>
          {i.lastScanError ? `Last scan failed: ${i.lastScanError}` : 'No error'}
        </p>
      )}
      {isAdmin ? null : (
        <p className="actions read-only small muted">
          {needsRole('admin', 'Scanning or changing an integration')}
        </p>
      )}
      {isAdmin ? (
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={scanning || !i.enabled}
            title={i.enabled ? undefined : 'Enable it to scan'}
            onClick={scan}
            aria-label={`Scan ${i.name} now`}
          >
            {scanning ? 'Scanning…' : 'Scan now'}
          </button>
          <button type="button" className="button" onClick={onEdit} aria-label={`Edit ${i.name}`}>
            Edit
          </button>
          <ConfirmInPlace verb="delete" subject={i.name} onConfirm={remove} />
        </div>
      ) : null}
    </li>
  );
}
