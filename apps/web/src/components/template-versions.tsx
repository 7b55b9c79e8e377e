import { useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import type { TemplateVersionNodeView, TemplateVersionView } from '../api/types';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';
import { ConfirmInPlace } from './confirm-in-place';
import { Notice } from './notice';
import { Skeleton } from './skeleton';

function installedText(v: TemplateVersionView, installed: boolean | null): string {
  if (installed === null) return 'unknown';
  if (installed) return 'installed';
  return v.installable ? 'not installed' : 'not on this machine (no install step)';
}

/** Node local alone says just its state; several nodes (or a note) name each node. */
function InstalledCell({ v }: { v: TemplateVersionView }) {
  const [only] = v.nodes;
  if (v.nodes.length === 1 && only && only.note === null) return <>{installedText(v, only.installed)}</>;
  return (
    <ul className="plain-list">
      {v.nodes.map((n) => (
        <li key={n.node}>
          {n.node}: {installedText(v, n.installed)}
          {n.note ? <span className="muted"> — {n.note}</span> : null}
        </li>
      ))}
    </ul>
  );
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

  const install = async (v: TemplateVersionView, node: string) => {
    setBusy(`${v.name}@${node}`);
    setNotice(undefined);
    try {
      await api.installVersion(name, v.name, node);
      setNotice({
        tone: 'calm',
        text: node === 'local' ? `Installed version ${v.name}.` : `Installed version ${v.name} on ${node}.`,
      });
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
                <td>
                  <InstalledCell v={v} />
                </td>
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
                    {v.installable
                      ? v.nodes
                          .filter((n) => n.installed === false)
                          .map((n) => (
                            <InstallButton
                              key={n.node}
                              v={v}
                              n={n}
                              busy={busy}
                              onInstall={() => void install(v, n.node)}
                            />
                          ))
                      : null}
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

function InstallButton(p: {
  v: TemplateVersionView;
  n: TemplateVersionNodeView;
  busy: string | undefined;
  onInstall: () => void;
}) {
  const local = p.n.node === 'local';
  return (
    <button
      type="button"
      className="button"
      disabled={p.busy !== undefined}
      aria-label={local ? `Install version ${p.v.name}` : `Install version ${p.v.name} on ${p.n.node}`}
      onClick={p.onInstall}
    >
      {p.busy === `${p.v.name}@${p.n.node}` ? 'Installing…' : local ? 'Install' : `Install on ${p.n.node}`}
    </button>
  );
}
