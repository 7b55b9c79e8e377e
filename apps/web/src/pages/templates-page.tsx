import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { ReloadResult } from '../api/types';
import { LazyTemplateEditor } from '../components/lazy-template-editor';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';
import { hrefOf } from '../hooks/use-route';
import { useCan } from '../hooks/use-session';

/** What a reload of the templates folder did, in a sentence. */
function reloadText(r: ReloadResult): string {
  const parts = [
    r.added.length ? `added ${r.added.join(', ')}` : '',
    r.updated.length ? `updated ${r.updated.join(', ')}` : '',
    r.removed.length ? `removed ${r.removed.join(', ')}` : '',
  ].filter(Boolean);
  const problems = r.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  return `Read ${r.folder}: ${parts.join('; ') || 'nothing changed'}.${problems ? ` Skipped — ${problems}` : ''}`;
}

export function TemplatesPage() {
  const templates = useResource(() => api.templates(), '');
  const list = templates.data ?? [];
  const isAdmin = useCan('admin');
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'calm' | 'error'; text: string }>();

  const reload = async () => {
    setBusy(true);
    setNotice(undefined);
    try {
      setNotice({ tone: 'calm', text: reloadText(await api.reloadTemplates()) });
    } catch (err) {
      setNotice({ tone: 'error', text: messageOf(err) });
    } finally {
      setBusy(false);
      templates.reload();
    }
  };

  return (
    <>
      <PageHeader title="Templates">
        {isAdmin ? (
          <>
            <button type="button" className="button" disabled={busy} onClick={() => void reload()}>
              {busy ? 'Reloading…' : 'Reload from folder'}
            </button>
            <button
              type="button"
              className="button primary"
              disabled={creating}
              onClick={() => setCreating(true)}
            >
              New template
            </button>
          </>
        ) : null}
      </PageHeader>
      {notice ? <Notice tone={notice.tone}>{notice.text}</Notice> : null}
      {creating ? (
        <section className="card" aria-labelledby="new-template">
          <h2 id="new-template">New template</h2>
          <LazyTemplateEditor
            onCancel={() => setCreating(false)}
            onSaved={(name) => {
              window.location.hash = hrefOf({ page: 'template', name });
            }}
          />
        </section>
      ) : null}
      {templates.error ? <Notice tone="error">{templates.error}</Notice> : null}
      {templates.loading ? <Skeleton height={96} count={3} label="Loading templates" /> : null}
      {!templates.loading && list.length === 0 && !templates.error ? (
        <Notice>No templates yet. Put template files in berth's templates folder and reload.</Notice>
      ) : null}
      <ul className="grid cards">
        {list.map(({ template: t, origin }) => (
          <li key={t.name} className="card">
            <h2>
              <a href={hrefOf({ page: 'template', name: t.name })}>{t.name}</a>
            </h2>
            <p className="muted">{t.description ?? `A ${t.source.kind} template.`}</p>
            <p className="small">
              <span className="tag">{t.source.kind}</span>
              {t.maxInstances === 1 ? <span className="tag">service</span> : null}
              <span className="muted">
                {' '}
                {t.ports.length} port{t.ports.length === 1 ? '' : 's'} · {Object.keys(t.config).length}{' '}
                settings · {origin === 'api' ? 'added through the API' : 'from the templates folder'}
              </span>
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
