import { useState } from 'react';
import { api } from '../api/api';
import { isNotAvailable, messageOf } from '../api/api-error';
import type { NodeView } from '../api/types';
import { useCan } from '../hooks/use-session';
import { type ConnectionVerdict, verdictOf } from '../lib/connection-result';
import { needsRole } from '../lib/roles';
import { ConfirmInPlace } from './confirm-in-place';
import { ConnectionTestLine } from './connection-test-line';

/**
 * One node with Test (the engine's version and latency, or the reason it cannot be reached) and,
 * for remote nodes, Remove — which the server refuses, in its words, while instances run there.
 */
export function NodeRow({
  node,
  onRemoved,
}: {
  node: NodeView & {
    message?: string | null;
    /** Where links and berth's proxy reach its ports, and whether it was set or is the endpoint's host. */
    publicAddress?: string;
    publicAddressFrom?: 'setting' | 'endpoint' | 'local';
  };
  onRemoved: () => void;
}) {
  const [verdict, setVerdict] = useState<ConnectionVerdict>();
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<string>();
  const isAdmin = useCan('admin');

  const test = async () => {
    setBusy(true);
    setVerdict(undefined);
    try {
      setVerdict(verdictOf(await api.testNode(node.name), 'Docker'));
    } catch (err) {
      setVerdict(
        isNotAvailable(err)
          ? { ok: false, text: 'Connection tests are not available on this server yet.' }
          : { ok: false, text: messageOf(err) },
      );
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setRemoveError(undefined);
    try {
      await api.removeNode(node.name);
      onRemoved();
    } catch (err) {
      setRemoveError(
        isNotAvailable(err) ? 'Removing nodes is not available on this server yet.' : messageOf(err),
      );
    }
  };

  return (
    <tr data-node={node.name}>
      <th scope="row">{node.name}</th>
      <td data-label="Kind">{node.kind}</td>
      <td data-label="Port space">{node.host}</td>
      <td data-label="Address" title="Where instance links and berth’s proxy reach this node’s ports">
        {node.publicAddress ?? '—'}
        {node.publicAddressFrom === 'setting' ? <span className="small muted"> (set)</span> : null}
      </td>
      <td data-label="Status">
        <span className={`badge node-${node.status}`}>{node.status}</span>
        {node.message ? <div className="small muted">{node.message}</div> : null}
      </td>
      <td data-label="Runtimes">{node.runtimes.join(', ') || '—'}</td>
      <td className="node-actions">
        <div className="actions">
          <button
            type="button"
            className="button"
            disabled={busy || !isAdmin}
            title={isAdmin ? undefined : needsRole('admin', 'Testing a node')}
            onClick={test}
            aria-label={`Test connection to ${node.name}`}
          >
            {busy ? 'Testing…' : 'Test'}
          </button>
          {node.kind === 'local' || !isAdmin ? null : (
            <ConfirmInPlace verb="remove" subject={node.name} onConfirm={remove} />
          )}
        </div>
        <ConnectionTestLine verdict={verdict} busy={busy} />
        {removeError ? (
          <div className="small test-error" role="alert">
            {removeError}
          </div>
        ) : null}
      </td>
    </tr>
  );
}
