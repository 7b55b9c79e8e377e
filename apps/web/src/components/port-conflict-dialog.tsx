import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { ConflictDialogState } from '../hooks/use-instance-start';

/**
 * "Port 8765 is in use by X. Use 8766?" — one editable port per conflict, at a start and at a
 * create that pinned a taken port alike; the chosen port is checked again (asked again while it is
 * taken too). Enter confirms, Esc cancels (the native dialog's cancel), focus stays inside while it
 * is open.
 */
export function PortConflictDialog({
  state,
  onResolve,
  onDismiss,
}: {
  state: ConflictDialogState;
  onResolve: (ports: Record<string, number>) => void;
  onDismiss: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [ports, setPorts] = useState<Record<string, string>>({});

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (state.open && !dialog.open) dialog.showModal();
    if (!state.open && dialog.open) dialog.close();
  }, [state.open]);

  useEffect(() => {
    setPorts(Object.fromEntries(state.conflicts.map((c) => [c.name, String(c.suggestedPort ?? c.port + 1)])));
  }, [state.conflicts]);

  const invalid = state.conflicts.some((c) => !validPort(ports[c.name]));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (invalid || state.busy) return;
    onResolve(Object.fromEntries(state.conflicts.map((c) => [c.name, Number(ports[c.name])])));
  };

  const single = state.conflicts.length === 1;
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="port-conflict-title"
      onCancel={(e) => {
        e.preventDefault();
        onDismiss();
      }}
    >
      <form onSubmit={submit}>
        <h2 id="port-conflict-title">{single ? 'A port is in use' : 'Some ports are in use'}</h2>
        <p className="muted">
          {state.instanceName} {state.starting ? 'cannot start on' : 'was created with'}{' '}
          {single ? 'this port' : 'these ports'}
          {state.starting ? '' : ' pinned, and it is taken'}. Pick another; berth keeps it for this instance
          only.
        </p>
        {state.conflicts.map((c, i) => (
          <div className="conflict" key={c.name}>
            <p>
              Port <strong>{c.port}</strong> is in use by <strong>{c.usedBy}</strong>. Use{' '}
              {c.suggestedPort ?? 'another port'}?
            </p>
            <label className="field">
              <span>
                {c.name}
                {c.envVar ? <code> {c.envVar}</code> : null} port
              </span>
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={65535}
                required
                autoFocus={i === 0}
                value={ports[c.name] ?? ''}
                aria-invalid={!validPort(ports[c.name])}
                onChange={(e) => setPorts((p) => ({ ...p, [c.name]: e.target.value }))}
              />
            </label>
          </div>
        ))}
        {state.error ? (
          <p className="notice notice-error" role="alert">
            {state.error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onDismiss}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={invalid || state.busy}>
            {state.busy
              ? state.starting
                ? 'Starting…'
                : 'Checking…'
              : single
                ? 'Use this port'
                : 'Use these ports'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function validPort(v: string | undefined): boolean {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isInteger(n) && n >= 1 && n <= 65535;
}
