import { useState } from 'react';
import { api } from '../api/api';
import { isNotAvailable, messageOf } from '../api/api-error';
import type { NodeView } from '../api/types';

/** One node with a button that tests its connection and says what it found. */
export function NodeRow({ node }: { node: NodeView }) {
  const [result, setResult] = useState<{ tone: 'ok' | 'error' | 'calm'; text: string }>();
  const [busy, setBusy] = useState(false);

  const test = async () => {
    setBusy(true);
    try {
      const r = await api.testNode(node.name);
      const failed = r.ok === false || r.error !== undefined;
      const parts = [
        r.version ? `Docker ${r.version}` : null,
        r.latencyMs !== undefined ? `${Math.round(r.latencyMs)} ms` : null,
      ];
      setResult(
        failed
          ? { tone: 'error', text: r.error ?? r.message ?? 'The connection failed.' }
          : {
              tone: 'ok',
              text: `Reachable${parts.some(Boolean) ? `: ${parts.filter(Boolean).join(', ')}` : ''}`,
            },
      );
    } catch (err) {
      setResult(
        isNotAvailable(err)
          ? { tone: 'calm', text: 'Connection tests are not available on this server yet.' }
          : { tone: 'error', text: messageOf(err) },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">{node.name}</th>
      <td>{node.kind}</td>
      <td>{node.host}</td>
      <td>
        <span className={`badge node-${node.status}`}>{node.status}</span>
      </td>
      <td>{node.runtimes.join(', ') || '—'}</td>
      <td>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={test}
          aria-label={`Test connection to ${node.name}`}
        >
          {busy ? 'Testing…' : 'Test'}
        </button>
        {result ? <div className={`small test-${result.tone}`}>{result.text}</div> : null}
      </td>
    </tr>
  );
}
