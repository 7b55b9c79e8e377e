import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { PortInventoryRow } from '../api/types';
import { useCan } from '../hooks/use-session';
import { rangeText, reservedRanges } from '../lib/port-ranges';
import { Notice } from './notice';

/** The most ports one reservation takes: each is its own lease. */
const MAX_RANGE = 200;

type Protocol = 'tcp' | 'udp';

/**
 * Hand-made reservations on one host: a port or a range kept from berth's choices, with a note
 * saying why; each range listed with Release. The API reserves port by port, so a range that
 * meets a taken port says which ones it could not have and keeps the rest.
 */
export function PortReservations({
  host,
  rows,
  onChanged,
}: {
  host: string;
  rows: readonly PortInventoryRow[];
  onChanged: () => void;
}) {
  const isAdmin = useCan('admin');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [protocol, setProtocol] = useState<Protocol>('tcp');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const ranges = reservedRanges(rows);

  const reserve = async (e: FormEvent) => {
    e.preventDefault();
    const first = Number(from);
    const last = to.trim() ? Number(to) : first;
    setError(undefined);
    setDone(undefined);
    if (!Number.isInteger(first) || first < 1 || first > 65535)
      return setError('From must be a port, 1–65535.');
    if (!Number.isInteger(last) || last < first || last > 65535)
      return setError('To must be a port at or above From (empty for one port).');
    if (last - first + 1 > MAX_RANGE)
      return setError(`A reservation takes at most ${MAX_RANGE} ports at once.`);
    setBusy(true);
    const refused: string[] = [];
    let kept = 0;
    for (let port = first; port <= last; port++) {
      try {
        await api.reservePort({ host, port, note: note.trim(), protocol });
        kept++;
      } catch (err) {
        refused.push(`${port}: ${messageOf(err)}`);
      }
    }
    setBusy(false);
    if (kept > 0) setDone(`Reserved ${kept} port${kept === 1 ? '' : 's'} on ${host}.`);
    if (refused.length) setError(`Not reserved — ${refused.join('; ')}`);
    else {
      setFrom('');
      setTo('');
      setNote('');
    }
    onChanged();
  };

  const release = async (r: (typeof ranges)[number]) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    const failed: string[] = [];
    for (let port = r.from; port <= r.to; port++) {
      await api.releasePort(host, port, r.protocol).catch((err) => failed.push(`${port}: ${messageOf(err)}`));
    }
    setBusy(false);
    if (failed.length) setError(`Not released — ${failed.join('; ')}`);
    else setDone(`Released ${rangeText(r)}/${r.protocol} on ${host}.`);
    onChanged();
  };

  return (
    <>
      {ranges.length === 0 ? <Notice>Nothing is reserved on {host}.</Notice> : null}
      {ranges.length ? (
        <ul className="plain-list reservations" aria-label={`Reservations on ${host}`}>
          {ranges.map((r) => (
            <li key={`${r.protocol}/${r.from}`} className="reservation">
              <span>
                <strong>{rangeText(r)}</strong>/{r.protocol}
              </span>
              <span className="muted grow">{r.note || 'no note'}</span>
              {isAdmin ? (
                <button
                  type="button"
                  className="button quiet"
                  disabled={busy}
                  aria-label={`Release ${rangeText(r)}/${r.protocol}`}
                  onClick={() => void release(r)}
                >
                  Release
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {done ? (
        <p className="notice notice-calm" role="status">
          {done}
        </p>
      ) : null}
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {isAdmin ? (
        <form className="finder" onSubmit={reserve} aria-label={`Reserve ports on ${host}`}>
          <div className="field">
            <label htmlFor="reserve-from">From</label>
            <input
              id="reserve-from"
              type="number"
              min={1}
              max={65535}
              required
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="reserve-to">To (optional)</label>
            <input
              id="reserve-to"
              type="number"
              min={1}
              max={65535}
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="reserve-protocol">Protocol</label>
            <select
              id="reserve-protocol"
              value={protocol}
              onChange={(e) => setProtocol(e.target.value as Protocol)}
            >
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
            </select>
          </div>
          <div className="field grow">
            <label htmlFor="reserve-note">Note</label>
            <input
              id="reserve-note"
              maxLength={200}
              value={note}
              placeholder="kept for the VPN"
              onChange={(e) => setNote(e.target.value)}
            />
          </div>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Working…' : 'Reserve'}
          </button>
        </form>
      ) : null}
    </>
  );
}
