import { useRef, useState } from 'react';
import { api } from '../api/api';
import type { HostInventory } from '../api/types';
import { FreePortFinder } from '../components/free-port-finder';
import { Notice } from '../components/notice';
import { OrphanList } from '../components/orphan-list';
import { PageHeader } from '../components/page-header';
import { PortRangeForm } from '../components/port-range-form';
import { PortReservations } from '../components/port-reservations';
import { type PortRow, PortTable } from '../components/port-table';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';

const ALL = '*all*';

/** Why a node is unreachable, when the server says (GET /nodes carries its message). */
const why = (node: object): string | undefined => {
  const m = (node as { message?: unknown }).message;
  return typeof m === 'string' && m ? m : undefined;
};
/** A busy machine holds a thousand ports: the table shows this many until asked for all. */
const PAGE = 200;

async function load(host: string): Promise<PortRow[]> {
  if (host !== ALL) return api.ports(host);
  const hosts: HostInventory[] = await api.portsAllHosts();
  return hosts.flatMap((h) => h.ports.map((p) => ({ ...p, host: h.host })));
}

/**
 * Every taken port — on all hosts at once (this machine, nodes, hosts the integrations scanned)
 * or on one — filterable, and the free-port finder for one host.
 */
export function PortsPage() {
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const nodes = useResource(() => api.nodes(), '');
  const [view, setView] = useState<string>(ALL);
  const ports = useResource(() => load(view), view, 10_000);
  // every host seen so far (nodes, and those the all-hosts view named), so picking one keeps the list
  const seen = useRef(new Set(['local']));
  for (const n of nodes.data ?? []) seen.current.add(n.host);
  if (view === ALL) for (const r of ports.data ?? []) if (r.host) seen.current.add(r.host);
  const hosts = [...seen.current].sort((a, b) =>
    a === 'local' ? -1 : b === 'local' ? 1 : a.localeCompare(b),
  );
  const all = view === ALL;
  const finderHost = all ? 'local' : view;

  const needle = filter.trim().toLowerCase();
  const rows = (ports.data ?? []).filter(
    (r) =>
      !needle ||
      String(r.port).includes(needle) ||
      r.protocol.includes(needle) ||
      r.ownerKind.toLowerCase().includes(needle) ||
      r.owner.toLowerCase().includes(needle) ||
      (r.host ?? '').toLowerCase().includes(needle),
  );
  const hostCount = new Set(rows.map((r) => r.host)).size;
  // an unreachable node's ports cannot be read: its empty list is not "nothing taken"
  const down = (nodes.data ?? []).filter((n) => n.status === 'unreachable' && (all || n.host === view));
  const viewDown = all ? undefined : down[0];

  return (
    <>
      <PageHeader title="Ports">
        <label htmlFor="port-host">Host</label>
        <select id="port-host" value={view} onChange={(e) => setView(e.target.value)}>
          <option value={ALL}>All hosts</option>
          {hosts.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="port-filter">
          Filter ports
        </label>
        <input
          id="port-filter"
          type="search"
          placeholder={all ? 'Filter by port, owner, kind, host' : 'Filter by port, owner, kind'}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </PageHeader>
      <section className="card" aria-labelledby="port-ranges">
        <h2 id="port-ranges">Where berth chooses ports</h2>
        <PortRangeForm />
      </section>
      <section className="card" aria-labelledby="free-ports">
        <h2 id="free-ports">Find free ports on {finderHost}</h2>
        <FreePortFinder host={finderHost} />
      </section>
      <section className="card" aria-labelledby="reserved-ports">
        <h2 id="reserved-ports">Reserved on {finderHost}</h2>
        <PortReservations
          host={finderHost}
          rows={(ports.data ?? []).filter((r) => !all || r.host === finderHost)}
          onChanged={ports.reload}
        />
      </section>
      <section className="card" aria-labelledby="taken-ports">
        <h2 id="taken-ports">
          {all ? 'Taken on every host' : `Taken on ${view}`}
          <span className="muted small">
            {' '}
            {ports.data
              ? `${rows.length} of ${ports.data.length}${all ? ` · ${hostCount} host${hostCount === 1 ? '' : 's'}` : ''}`
              : ''}
          </span>
        </h2>
        {ports.error ? <Notice tone="error">{ports.error}</Notice> : null}
        {ports.loading ? <Skeleton height={32} count={8} label="Loading ports" /> : null}
        {viewDown ? (
          <Notice>
            {viewDown.name} is unreachable, so its ports cannot be read
            {why(viewDown) ? ` (${why(viewDown)})` : ''}.
          </Notice>
        ) : null}
        {all && down.length > 0 ? (
          <Notice>
            Not listed: {down.map((n) => n.name).join(', ')} ({down.length === 1 ? 'it is' : 'they are'}{' '}
            unreachable).
          </Notice>
        ) : null}
        {ports.data && rows.length === 0 && !viewDown ? (
          <Notice>{needle ? 'No port matches the filter.' : 'No port is taken.'}</Notice>
        ) : null}
        {rows.length ? <PortTable rows={rows.slice(0, limit)} showHost={all} /> : null}
        {rows.length > limit ? (
          <button type="button" className="button show-more" onClick={() => setLimit(rows.length)}>
            Show all {rows.length} ports
          </button>
        ) : null}
      </section>
      <section className="card" aria-labelledby="orphans">
        <h2 id="orphans">Orphans and leftovers (berth cleanup)</h2>
        <OrphanList />
      </section>
    </>
  );
}
