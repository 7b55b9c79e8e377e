import type { BulkActionResponse } from '@berth/contracts';
import { useState } from 'react';
import { messageOf } from '../api/api-error';
import { type BulkAction, bulkAction } from '../api/bulk';
import type { InstanceView } from '../api/types';
import { useLatestStats } from '../hooks/use-latest-stats';
import { useNow } from '../hooks/use-now';
import { hrefOf } from '../hooks/use-route';
import { formatBytes, formatPercent, formatUptime } from '../lib/format';
import { type Sort, type SortKey, sortRows } from '../lib/instance-table';
import { StatusBadge } from './status-badge';
import './instance-table.css';

const COLUMNS: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'template', label: 'Template' },
  { key: 'status', label: 'Status' },
  { key: 'node', label: 'Node' },
  { key: 'cpu', label: 'CPU', num: true },
  { key: 'memory', label: 'Memory', num: true },
  { key: 'uptime', label: 'Uptime', num: true },
  { key: 'restarts', label: 'Restarts', num: true },
];

const VERBS: Record<BulkAction, string> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  kill: 'Kill',
  rm: 'Remove',
};

const BUSY: Record<BulkAction, string> = {
  start: 'Starting…',
  stop: 'Stopping…',
  restart: 'Restarting…',
  kill: 'Killing…',
  rm: 'Removing…',
};

/**
 * The instances as a table: sortable by each column, several selected at once for one action
 * (`POST /instances/actions`), each instance's answer listed after it. It scrolls inside its own
 * box on a narrow screen, never the page.
 */
export function InstanceTable({
  instances,
  canOperate,
  canRemove,
  onDone,
}: {
  instances: InstanceView[];
  canOperate: boolean;
  canRemove: boolean;
  onDone: () => void;
}) {
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 'asc' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const now = useNow(true, 5000);
  const stats = useLatestStats(instances.filter((i) => i.status === 'running').map((i) => i.name));
  const rows = sortRows(instances, sort, (n) => stats[n], now);
  const shown = rows.filter((r) => selected.has(r.name)).map((r) => r.name);
  const allSelected = rows.length > 0 && shown.length === rows.length;

  const toggle = (name: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  const sortBy = (key: SortKey) =>
    setSort((s) => ({ key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc' }));

  return (
    <div className="instance-table">
      {canOperate ? (
        <BulkBar names={shown} canRemove={canRemove} onDone={onDone} onClear={() => setSelected(new Set())} />
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="table-wrap" aria-label="Instances table" tabIndex={0}>
        <table className="table">
          <thead>
            <tr>
              {canOperate ? (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every instance shown"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.name)))}
                  />
                </th>
              ) : null}
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={c.num ? 'num' : undefined}
                  aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span aria-hidden="true">
                      {sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th scope="col">Labels</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <Row
                key={i.id}
                instance={i}
                stats={stats[i.name]}
                now={now}
                select={canOperate ? { checked: selected.has(i.name), toggle } : undefined}
              />
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Row({
  instance: i,
  stats,
  now,
  select,
}: {
  instance: InstanceView;
  stats: { cpuPercent: number | null; memoryBytes: number | null } | undefined;
  now: number;
  select: { checked: boolean; toggle: (name: string) => void } | undefined;
}) {
  const running = i.status === 'running';
  const since = i.runningSince ?? null;
  return (
    <tr data-row={i.name}>
      {select ? (
        <td>
          <input
            type="checkbox"
            aria-label={`Select ${i.name}`}
            checked={select.checked}
            onChange={() => select.toggle(i.name)}
          />
        </td>
      ) : null}
      <td>
        <a href={hrefOf({ page: 'instance', name: i.name })}>{i.name}</a>
      </td>
      <td>{i.template}</td>
      <td>
        <StatusBadge instance={i} />
      </td>
      <td>{i.node}</td>
      <td className="num">{running ? formatPercent(stats?.cpuPercent) : '—'}</td>
      <td className="num">{running ? formatBytes(stats?.memoryBytes) : '—'}</td>
      <td className="num" data-uptime>
        {since !== null ? formatUptime(now - since) : '—'}
      </td>
      <td className="num">{i.restartCount}</td>
      <td className="labels">
        {Object.entries(i.labels ?? {}).map(([k, v]) => (
          <span key={k} className="label-chip">
            {v ? `${k}=${v}` : k}
          </span>
        ))}
      </td>
    </tr>
  );
}

/** The selected instances' actions; Remove asks first, inline, naming each instance that goes. */
function BulkBar({
  names,
  canRemove,
  onDone,
  onClear,
}: {
  names: string[];
  canRemove: boolean;
  onDone: () => void;
  onClear: () => void;
}) {
  const [busy, setBusy] = useState<BulkAction | null>(null);
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const [result, setResult] = useState<BulkActionResponse | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const run = async (action: BulkAction, targets: string[]) => {
    setBusy(action);
    setFailure(null);
    setResult(null);
    try {
      setResult(await bulkAction(action, targets));
      if (action === 'rm') onClear();
    } catch (err) {
      setFailure(messageOf(err));
    } finally {
      setBusy(null);
      setConfirming(null);
      onDone();
    }
  };
  const actions: BulkAction[] = ['start', 'stop', 'restart', 'kill'];

  return (
    <div className="bulk-bar">
      <fieldset className="actions" aria-label="Act on the selected instances">
        <span className="muted small" data-selected={names.length}>
          {names.length} selected
        </span>
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className="button"
            disabled={names.length === 0 || busy !== null}
            onClick={() => void run(a, names)}
          >
            {busy === a ? BUSY[a] : VERBS[a]}
          </button>
        ))}
        {canRemove ? (
          <button
            type="button"
            className="button danger"
            disabled={names.length === 0 || busy !== null}
            onClick={() => setConfirming(names)}
          >
            Remove…
          </button>
        ) : null}
      </fieldset>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm removal">
          <p>
            Remove {confirming.length} instance{confirming.length === 1 ? '' : 's'} with their ports and data
            directories: <strong>{confirming.join(', ')}</strong>?
          </p>
          <button type="button" className="button danger" onClick={() => void run('rm', confirming)}>
            {busy === 'rm' ? 'Removing…' : `Remove ${confirming.length}`}
          </button>{' '}
          <button type="button" className="button" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      {failure ? (
        <p className="field-error" role="alert">
          {failure}
        </p>
      ) : null}
      {result ? <BulkResults result={result} onClose={() => setResult(null)} /> : null}
    </div>
  );
}

function BulkResults({ result, onClose }: { result: BulkActionResponse; onClose: () => void }) {
  return (
    <section className="bulk-results" role="status" aria-label="Results">
      <p>
        {VERBS[result.action]}: {result.succeeded} done
        {result.failed > 0 ? `, ${result.failed} failed` : ''}.{' '}
        <button type="button" className="button" onClick={onClose}>
          Dismiss
        </button>
      </p>
      <ul>
        {result.results.map((r) => (
          <li key={r.name} data-result={r.name} data-ok={r.ok} className={r.ok ? 'test-ok' : 'test-error'}>
            <strong>{r.name}</strong>:{' '}
            {r.ok ? (r.status ?? 'removed') : `failed — ${r.error?.message ?? 'unknown error'}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
