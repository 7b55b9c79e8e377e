import type { PortInventoryRow } from '../api/types';

export type PortRow = PortInventoryRow & { host?: string };

/** Taken ports: port, protocol, what kind of owner and who; with `showHost`, on which host too. */
export function PortTable({ rows, showHost = false }: { rows: PortRow[]; showHost?: boolean }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="table-wrap" aria-label="Taken ports" tabIndex={0}>
      <table className="table port-rows">
        <thead>
          <tr>
            {showHost ? <th scope="col">Host</th> : null}
            <th scope="col">Port</th>
            <th scope="col">Protocol</th>
            <th scope="col">Owner kind</th>
            <th scope="col">Owner</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.host ?? ''}-${r.protocol}-${r.port}-${r.ownerKind}-${r.owner}`}>
              {showHost ? <td className="port-host">{r.host}</td> : null}
              <td className="num">{r.port}</td>
              <td>{r.protocol}</td>
              <td>
                <span className="tag">{r.ownerKind}</span>
              </td>
              <td className="wrap port-owner">
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
    </section>
  );
}
