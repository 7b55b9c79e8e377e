import { type FormEvent, useState } from 'react';
import { api } from '../api/api';
import { messageOf } from '../api/api-error';
import { fieldErrorsOf } from '../lib/field-errors';

/** The fields whose errors show beside them (the query's names). */
const FIELDS = new Set(['from', 'to', 'count', 'protocol']);

/** Asks the ledger for free ports in a range (free by every source: leases, listeners, scans). */
export function FreePortFinder({ host }: { host: string }) {
  const [from, setFrom] = useState('20000');
  const [to, setTo] = useState('40000');
  const [count, setCount] = useState('5');
  const [protocol, setProtocol] = useState('tcp');
  const [ports, setPorts] = useState<number[]>();
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
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
      const at = fieldErrorsOf(err);
      const placed = Object.keys(at).length > 0 && Object.keys(at).every((k) => FIELDS.has(k));
      setErrors(at);
      setError(placed ? undefined : messageOf(err));
      setPorts(undefined);
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
          aria-invalid={errors.from ? true : undefined}
          aria-describedby={errors.from ? 'free-from-error' : undefined}
          type="number"
          min={1}
          max={65535}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
        {errors.from ? (
          <small id="free-from-error" className="field-error">
            {errors.from}
          </small>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="free-to">To</label>
        <input
          id="free-to"
          aria-invalid={errors.to ? true : undefined}
          aria-describedby={errors.to ? 'free-to-error' : undefined}
          type="number"
          min={1}
          max={65535}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        {errors.to ? (
          <small id="free-to-error" className="field-error">
            {errors.to}
          </small>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="free-count">How many</label>
        <input
          id="free-count"
          aria-invalid={errors.count ? true : undefined}
          aria-describedby={errors.count ? 'free-count-error' : undefined}
          type="number"
          min={1}
          max={1000}
          value={count}
          onChange={(e) => setCount(e.target.value)}
        />
        {errors.count ? (
          <small id="free-count-error" className="field-error">
            {errors.count}
          </small>
        ) : null}
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
