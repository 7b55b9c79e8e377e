import { useState } from 'react';
import { api } from '../api/api';
import { ApiError, messageOf } from '../api/api-error';
import type { Template } from '../api/types';
import { useCan } from '../hooks/use-session';
import { LazyTemplateEditor } from './lazy-template-editor';

/** "template x is used by a, b": the instances that hold it, read when a delete is refused. */
async function refusalText(name: string, err: unknown): Promise<string> {
  if (!(err instanceof ApiError) || err.code !== 'TEMPLATE_IN_USE') return messageOf(err);
  const users = await api.instances({ template: name }).catch(() => []);
  if (users.length === 0) return messageOf(err);
  const names = users.map((i) => i.name).join(', ');
  return `Not deleted: ${name} is used by ${users.length === 1 ? 'instance' : 'instances'} ${names}. Remove ${users.length === 1 ? 'it' : 'them'} first.`;
}

/**
 * Edit (the form and YAML editor) and Delete (asked in place; refused while instances use the
 * template, naming them) for one template; admins only.
 */
export function TemplateManage({
  name,
  template,
  origin,
  onSaved,
}: {
  name: string;
  template: Template | undefined;
  origin: string | undefined;
  onSaved: () => void;
}) {
  const isAdmin = useCan('admin');
  const [editing, setEditing] = useState(false);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'calm' | 'error'; text: string }>();
  if (!isAdmin || !template) return null;

  const remove = async () => {
    setBusy(true);
    setAsking(false);
    setMessage(undefined);
    try {
      await api.removeTemplate(name);
      window.location.hash = '#/templates';
    } catch (err) {
      setMessage({ tone: 'error', text: await refusalText(name, err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label={`Manage ${name}`}>
      <div className="actions">
        <button type="button" className="button" disabled={editing} onClick={() => setEditing(true)}>
          Edit template
        </button>
        {asking ? (
          <>
            <span className="small">Delete template {name}?</span>
            <button type="button" className="button danger" disabled={busy} onClick={() => void remove()}>
              Yes, delete
            </button>
            <button type="button" className="button quiet" onClick={() => setAsking(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button danger" disabled={busy} onClick={() => setAsking(true)}>
            Delete template
          </button>
        )}
      </div>
      {message ? (
        <p className={`notice notice-${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      {editing && origin?.startsWith('file:') ? (
        <p className="small muted">
          This template comes from {origin.slice(5)}: a reload of the templates folder puts the file’s version
          back.
        </p>
      ) : null}
      {editing ? (
        <LazyTemplateEditor
          initial={template}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setMessage({ tone: 'calm', text: `Saved ${name}.` });
            onSaved();
          }}
        />
      ) : null}
    </section>
  );
}
