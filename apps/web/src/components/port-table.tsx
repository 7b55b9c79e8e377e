import type { PortInventoryRow } from '../api/types';

/** Taken ports of one host: port, protocol, what kind of owner and who. */
export function PortTable({ rows }: { rows: PortInventoryRow[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">Protocol</th>
            <th scope="col">Owner kind</th>
            <th scope="col">Owner</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.protocol}-${r.port}-${r.ownerKind}-${r.owner}`}>
              <td className="num">{r.port}</td>
              <td>{r.protocol}</td>
              <td>
                <span className="tag">{r.ownerKind}</span>
              </td>
              <td>
                {r.instanceId ? (
                  <a href={`#/instances/${encodeURIComponent(r.instanceId)}`}>{r.owner}</a>
                ) : (
                  r.owner
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
