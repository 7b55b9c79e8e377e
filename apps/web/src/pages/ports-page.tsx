import { useState } from 'react';
import { api } from '../api/api';
import { FreePortFinder } from '../components/free-port-finder';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { PortTable } from '../components/port-table';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';

/** Every taken port per host (each node's port space), filterable, and the free-port finder. */
export function PortsPage() {
  const [filter, setFilter] = useState('');
  const nodes = useResource(() => api.nodes(), '');
  const hosts = [...new Set((nodes.data ?? []).map((n) => n.host))];
  const [chosen, setChosen] = useState<string>();
  const host = chosen ?? hosts[0] ?? 'local';
  const ports = useResource(() => api.ports(host), host, 10_000);

  const needle = filter.trim().toLowerCase();
  const rows = (ports.data ?? []).filter(
    (r) =>
      !needle ||
      String(r.port).includes(needle) ||
      r.protocol.includes(needle) ||
      r.ownerKind.toLowerCase().includes(needle) ||
      r.owner.toLowerCase().includes(needle),
  );

  return (
    <>
      <PageHeader title="Ports">
        {hosts.length > 1 ? (
          <>
            <label htmlFor="port-host">Host</label>
            <select id="port-host" value={host} onChange={(e) => setChosen(e.target.value)}>
              {hosts.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label className="sr-only" htmlFor="port-filter">
          Filter ports
        </label>
        <input
          id="port-filter"
          type="search"
          placeholder="Filter by port, owner, kind"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </PageHeader>
      <section className="card" aria-labelledby="free-ports">
        <h2 id="free-ports">Find free ports on {host}</h2>
        <FreePortFinder host={host} />
      </section>
      <section className="card" aria-labelledby="taken-ports">
        <h2 id="taken-ports">
          Taken on {host}
          <span className="muted small"> {ports.data ? `${rows.length} of ${ports.data.length}` : ''}</span>
        </h2>
        {ports.error ? <Notice tone="error">{ports.error}</Notice> : null}
        {ports.loading ? <Skeleton height={32} count={8} label="Loading ports" /> : null}
        {ports.data && rows.length === 0 ? (
          <Notice>{needle ? 'No port matches the filter.' : 'No port is taken.'}</Notice>
        ) : null}
        {rows.length ? <PortTable rows={rows} /> : null}
      </section>
    </>
  );
}
