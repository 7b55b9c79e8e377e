import type { PortSettingsBody, PortSettingsView, ReservedRangeView } from '@berth/contracts';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { useCan } from '../hooks/use-session';
import { Notice } from './notice';

/** `8000-8099 dev servers` per line ⇄ the reserved ranges. */
const linesOf = (reserved: readonly ReservedRangeView[]) =>
  reserved.map((r) => `${r.from === r.to ? r.from : `${r.from}-${r.to}`} ${r.reason}`).join('\n');

/** The reserved ranges a textarea holds, or the line that is not one. */
export function parseReservedLines(text: string): ReservedRangeView[] | { line: number; problem: string } {
  const out: ReservedRangeView[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s+(.+)$/.exec(line);
    if (!m) return { line: i + 1, problem: 'write a port or from-to, then why (8000-8099 dev servers)' };
    out.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]), reason: (m[3] ?? '').trim() });
  }
  return out;
}

const SOURCE = {
  setting: 'saved here',
  environment: 'from the environment',
  default: "berth's default",
  none: '',
};

/**
 * berth's global port range (where a port is chosen when a template's own range is full or absent)
 * and the ranges it never leases: shown with where they come from, changed for the next lease
 * (the server saves them; no restart), or reset to the environment's or the default. Admins only.
 */
export function PortRangeForm() {
  const isAdmin = useCan('admin');
  const [view, setView] = useState<PortSettingsView>();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reserved, setReserved] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const show = useCallback((v: PortSettingsView) => {
    setView(v);
    setFrom(String(v.globalRange.from));
    setTo(String(v.globalRange.to));
    setReserved(linesOf(v.reserved));
  }, []);
  // Filled once from the server; later answers (a session read again) never overwrite what is typed.
  const loaded = useRef(false);
  useEffect(() => {
    if (!isAdmin || loaded.current) return;
    loaded.current = true;
    api.portSettings().then(show, (err) => {
      loaded.current = false;
      setError(messageOf(err));
    });
  }, [isAdmin, show]);

  if (!isAdmin) return <p className="muted small">Only an admin can see and change berth's port ranges.</p>;

  const save = async (body: PortSettingsBody, what: string) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      show(await api.savePortSettings(body));
      setDone(what);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const list = parseReservedLines(reserved);
    if (!Array.isArray(list)) return setError(`Reserved, line ${list.line}: ${list.problem}.`);
    void save(
      { globalRange: { from: Number(from), to: Number(to) }, reserved: list },
      'Saved: the next port berth chooses follows these ranges.',
    );
  };

  return (
    <form className="finder port-range-form" onSubmit={submit} aria-label="Port ranges">
      {view ? (
        <p className="muted small" data-port-range-why>
          Now {view.globalRange.from}–{view.globalRange.to} ({SOURCE[view.globalSource]}): {view.why}.
          {view.ephemeral
            ? ` The kernel gives outgoing connections ${view.ephemeral.from}–${view.ephemeral.to}.`
            : ''}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="range-from">From</label>
        <input
          id="range-from"
          type="number"
          min={1}
          max={65535}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="range-to">To</label>
        <input
          id="range-to"
          type="number"
          min={1}
          max={65535}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="range-reserved">
          Never leased{' '}
          {view?.reservedSource && view.reservedSource !== 'none' ? `(${SOURCE[view.reservedSource]})` : ''}
        </label>
        <textarea
          id="range-reserved"
          rows={3}
          placeholder="8000-8099 dev servers"
          value={reserved}
          onChange={(e) => setReserved(e.target.value)}
        />
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save ranges'}
      </button>
      <button
        type="button"
        className="button"
        disabled={busy}
        onClick={() =>
          void save({ globalRange: null, reserved: null }, "Back to the environment's or the default ranges.")
        }
      >
        Reset
      </button>
      <output className="finder-result" aria-live="polite">
        {error ? <span className="field-error">{error}</span> : (done ?? null)}
      </output>
      {view?.warnings.map((w) => (
        <Notice key={w}>Warning: {w}</Notice>
      ))}
    </form>
  );
}
