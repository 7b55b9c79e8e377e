import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { InstanceView, TemplateView } from '../api/types';
import { useCan } from '../hooks/use-session';
import { needsRole } from '../lib/roles';
import { EditInstanceForm } from './edit-instance-form';
import { Notice } from './notice';

/**
 * "Changes not applied" with Apply for a running instance whose stored spec differs from what
 * runs, and the edit form (admin) behind an Edit button.
 */
export function InstanceEditCard({ instance, onChanged }: { instance: InstanceView; onChanged: () => void }) {
  const canEdit = useCan('admin');
  const canApply = useCan('operate');
  const [template, setTemplate] = useState<TemplateView['template']>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const unapplied = instance.unappliedChanges ?? [];

  const toggle = async () => {
    setError(undefined);
    if (open) return setOpen(false);
    try {
      setTemplate((await api.template(instance.template)).template);
      setOpen(true);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const apply = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.applyInstance(instance.name);
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="spec">
      <h2 id="spec">Settings</h2>
      {unapplied.length > 0 ? (
        <div className="notice notice-calm" role="status">
          <strong>Changes not applied</strong>: {unapplied.join(', ')}.{' '}
          <button
            type="button"
            className="button primary"
            disabled={busy || !canApply}
            title={canApply ? undefined : needsRole('operate', 'Applying changes')}
            onClick={() => void apply()}
          >
            {busy ? 'Applying…' : 'Apply now'}
          </button>
        </div>
      ) : null}
      {error ? <Notice tone="error">{error}</Notice> : null}
      <button
        type="button"
        className="button"
        disabled={!canEdit}
        title={canEdit ? undefined : needsRole('admin', 'Editing an instance')}
        aria-expanded={open}
        onClick={() => void toggle()}
      >
        {open ? 'Close the editor' : 'Edit'}
      </button>
      {open && template ? (
        <EditInstanceForm
          instance={instance}
          template={template}
          onSaved={() => {
            setOpen(false);
            onChanged();
          }}
        />
      ) : null}
    </section>
  );
}
