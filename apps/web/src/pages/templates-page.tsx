import { api } from '../api/api';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';
import { hrefOf } from '../hooks/use-route';

export function TemplatesPage() {
  const templates = useResource(() => api.templates(), '');
  const list = templates.data ?? [];
  return (
    <>
      <PageHeader title="Templates" />
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
