import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { TemplateVersionView } from '../api/types';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';
import { ConfirmInPlace } from './confirm-in-place';
import { Notice } from './notice';
import { Skeleton } from './skeleton';

function installedText(v: TemplateVersionView): string {
  if (v.installed === null) return 'unknown on this node';
  if (v.installed) return 'installed';
  return v.installable ? 'not installed' : 'not on this machine (no install step)';
}

/**
 * A template's versions: what each runs, whether it is installed (its folder marked, its program
 * or image there) and which instances use it, with Install and Remove for admins.
 */
export function TemplateVersions({ name }: { name: string }) {
  const list = useResource(() => api.templateVersions(name), name, 10_000);
  const canManage = useCan('admin');
  const [busy, setBusy] = useState<string>();
  const [notice, setNotice] = useState<{ tone: 'calm' | 'error'; text: string }>();
  const rows = list.data ?? [];

  const install = async (v: TemplateVersionView) => {
    setBusy(v.name);
    setNotice(undefined);
    try {
      await api.installVersion(name, v.name);
      setNotice({ tone: 'calm', text: `Installed version ${v.name}.` });
    } catch (err) {
      setNotice({ tone: 'error', text: messageOf(err) });
    } finally {
      setBusy(undefined);
      list.reload();
    }
  };
  const remove = async (v: TemplateVersionView) => {
    try {
      await api.removeVersion(name, v.name);
      setNotice({ tone: 'calm', text: `Removed version ${v.name}.` });
    } catch (err) {
      setNotice({ tone: 'error', text: messageOf(err) });
    }
    list.reload();
  };

  if (list.loading) return <Skeleton height={120} />;
  if (list.error) return <Notice tone="error">{list.error}</Notice>;
  if (rows.length === 0) return null;
  return (
    <section className="card" aria-labelledby="template-versions">
      <h2 id="template-versions">Versions</h2>
      {notice ? <Notice tone={notice.tone}>{notice.text}</Notice> : null}
      <div className="table-wrap">
        <table className="table" aria-label={`Versions of ${name}`}>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Runs</th>
              <th scope="col">Installed</th>
              <th scope="col">Used by</th>
              {canManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => (
              <tr key={v.name}>
                <th scope="row">{v.name}</th>
                <td>
                  <code>{v.command ?? v.image}</code>
                </td>
                <td>{installedText(v)}</td>
                <td>
                  {v.usedBy.length === 0
                    ? '—'
                    : v.usedBy.map((i, n) => (
                        <span key={i}>
                          {n > 0 ? ', ' : ''}
                          <a href={`#/instances/${encodeURIComponent(i)}`}>{i}</a>
                        </span>
                      ))}
                </td>
                {canManage ? (
                  <td className="actions">
                    {v.installable && v.installed === false ? (
                      <button
                        type="button"
                        className="button"
                        disabled={busy !== undefined}
                        aria-label={`Install version ${v.name}`}
                        onClick={() => void install(v)}
                      >
                        {busy === v.name ? 'Installing…' : 'Install'}
                      </button>
                    ) : null}
                    {v.installable && v.installed && v.usedBy.length === 0 ? (
                      <ConfirmInPlace
                        verb="remove"
                        subject={`version ${v.name}`}
                        onConfirm={() => remove(v)}
                      />
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
