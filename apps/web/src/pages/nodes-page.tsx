import { api } from '../api/api';
import { AddNodeForm } from '../components/add-node-form';
import { NodeRow } from '../components/node-row';
import { Notice } from '../components/notice';
import { PageHeader } from '../components/page-header';
import { RoleNotice } from '../components/role-notice';
import { Skeleton } from '../components/skeleton';
import { useResource } from '../hooks/use-resource';
import { useCan } from '../hooks/use-session';

export function NodesPage() {
  const nodes = useResource(() => api.nodes(), '', 10_000);
  const isAdmin = useCan('admin');
  return (
    <>
      <PageHeader title="Nodes" />
      <section className="card" aria-labelledby="node-list">
        <h2 id="node-list">Where instances run</h2>
        {nodes.error ? <Notice tone="error">{nodes.error}</Notice> : null}
        {nodes.loading ? <Skeleton height={40} count={2} label="Loading nodes" /> : null}
        {nodes.data ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
          <section className="table-wrap" aria-label="Nodes" tabIndex={0}>
            <table className="table stack-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Port space</th>
                  <th scope="col">Address</th>
                  <th scope="col">Status</th>
                  <th scope="col">Runtimes</th>
                  <th scope="col">Connection</th>
                </tr>
              </thead>
              <tbody>
                {nodes.data.map((n) => (
                  <NodeRow key={n.name} node={n} onRemoved={nodes.reload} />
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </section>
      <section className="card narrow-card" aria-labelledby="add-node">
        <h2 id="add-node">Add a node</h2>
        {isAdmin ? <AddNodeForm onAdded={nodes.reload} /> : <RoleNotice need="admin" what="Adding a node" />}
      </section>
    </>
  );
}
