import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';

/** Asks the ledger for free ports in a range (free by every source: leases, listeners, scans). */
export function FreePortFinder({ host }: { host: string }) {
  const [from, setFrom] = useState('20000');
  const [to, setTo] = useState('40000');
  const [count, setCount] = useState('5');
  const [protocol, setProtocol] = useState('tcp');
  const [ports, setPorts] = useState<number[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await api.freePorts({
        host,
        from: Number(from),
        to: Number(to),
        count: Number(count),
        protocol,
      });
      setPorts(res.ports);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="finder" onSubmit={submit} aria-label="Find free ports">
      <div className="field">
        <label htmlFor="free-from">From</label>
        <input
          id="free-from"
          type="number"
          min={1}
          max={65535}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="free-to">To</label>
        <input
          id="free-to"
          type="number"
          min={1}
          max={65535}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="free-count">How many</label>
        <input
          id="free-count"
          type="number"
          min={1}
          max={1000}
          value={count}
          onChange={(e) => setCount(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="free-protocol">Protocol</label>
        <select id="free-protocol" value={protocol} onChange={(e) => setProtocol(e.target.value)}>
          <option value="tcp">tcp</option>
          <option value="udp">udp</option>
        </select>
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Looking…' : 'Find free ports'}
      </button>
      <output className="finder-result" aria-live="polite">
        {error ? <span className="field-error">{error}</span> : null}
        {ports && !error
          ? ports.length
            ? `Free: ${ports.join(', ')}`
            : 'No free port in that range.'
          : null}
      </output>
    </form>
  );
}
